from datetime import date
from uuid import UUID

from django.http import Http404
from ninja import Field, Query, Router, Schema

from smartfactory.api.schemas import ErrorOut
from smartfactory.organisations.enums import Tier
from smartfactory.publicsite import queries

router = Router(tags=["public"], auth=None)

MAX_LIMIT = 1000


class AwardOut(Schema):
    year: int
    tier: str
    tier_label: str
    certificate_no: str
    enterprise: str  # the name at issue (at publication)
    uscc: str
    factory: str
    province: str
    province_code: str
    region: str
    industry: str
    industry_code: str
    published_on: date
    current_name: str = Field("", description="现名称: the registered name now, when a confirmed change renamed it")


class AwardPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AwardOut]


class CultivationOut(Schema):
    year: int
    list_number: str
    enterprise: str  # the name at issue (at publication)
    current_name: str = Field("", description="现名称: the registered name now, when a confirmed change renamed it")
    uscc: str
    factory: str
    province: str
    province_code: str
    region: str
    industry: str
    industry_code: str
    published_on: date
    ends_on: date
    status: str
    status_label: str


class CultivationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CultivationOut]


class CaseOut(Schema):
    id: UUID
    title: str
    scenario_number: int
    scenario_name: str
    link: str
    link_name: str
    text: str
    tier: str
    tier_label: str
    year: int
    enterprise: str  # the name at issue
    current_name: str = ""
    factory: str
    industry: str
    industry_code: str
    published_at: str | None


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


class AwardFilters(Schema):
    year: int | None = None
    tier: Tier | None = None
    province: str | None = None
    industry: str | None = None
    limit: int = 100
    offset: int = 0


class CultivationFilters(Schema):
    year: int | None = None
    province: str | None = None
    industry: str | None = None
    limit: int = 100
    offset: int = 0


class CaseFilters(Schema):
    scenario: int | None = None
    link: str | None = None
    industry: str | None = None
    tier: Tier | None = None
    limit: int = 100
    offset: int = 0


def _window(qs, params, to_row) -> dict:
    limit = max(1, min(params.limit, MAX_LIMIT))
    offset = max(0, params.offset)
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [to_row(obj) for obj in qs[offset:offset + limit]]}


def _filters(params, names) -> queries.ListFilters:
    return queries.parse_filters({n: getattr(params, n) for n in names}, names)


@router.get("/awards", response={200: AwardPage, 422: ErrorOut})
def list_awards(request, params: Query[AwardFilters]):
    """The current published list (published, active awards), as on /public/awards/. ``province`` is
    a six-digit code (510000) or a name (四川省); ``industry`` a GB/T 4754 大类 code. No login."""
    filters = _filters(params, ("year", "tier", "province", "industry"))
    provinces = queries.province_names()
    return _window(queries.published_awards(filters), params, lambda a: queries.award_row(a, provinces))


@router.get("/cultivation", response={200: CultivationPage, 422: ErrorOut})
def list_cultivation(request, params: Query[CultivationFilters]):
    """领航级 cultivation objects by year of publication, with their status. No login."""
    filters = _filters(params, ("year", "province", "industry"))
    provinces = queries.province_names()
    return _window(queries.cultivation_list(filters), params, lambda c: queries.cultivation_row(c, provinces))


@router.get("/cases", response={200: CasePage, 422: ErrorOut})
def list_cases(request, params: Query[CaseFilters]):
    """Published typical-scenario cases (the redacted text only). No login."""
    filters = _filters(params, ("scenario", "link", "industry", "tier"))
    return _window(queries.published_cases(filters), params, queries.case_row)


@router.get("/cases/{case_id}", response={200: CaseOut, 404: ErrorOut})
def get_case(request, case_id: UUID):
    case = queries.published_cases().filter(id=case_id).first()
    if case is None:
        raise Http404
    return queries.case_row(case)
