"""Reads of the public side: the published lists, the open data and the case library.

What is public is decided here and nowhere else:

* an award is on the current public list when it is published (``published_on`` set and not in
  the future, Beijing time) and ``active`` — suspended and revoked awards drop off the list;
* a cultivation object is public from its list's publication date until it is terminated;
* a case is public when it is ``published`` and its award is still on the public list.

The province of a line is the factory's province (the recommendation channel), its industry the
enterprise's GB/T 4754 大类. Contact details are never selected for the public side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.cultivation.models import CultivationObject
from smartfactory.errors import InvalidInput
from smartfactory.evaluation.models import Publicity
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.rules import active_memberships, is_ministry_staff
from smartfactory.regions.models import Division, DivisionLevel, Industry

from .enums import CaseStatus
from .models import Case

YEAR_RANGE = (2000, 2100)
# names of statistical pseudo-levels that a public region name leaves out (北京市 · 东城区, not 北京市市辖区东城区)
PSEUDO_DIVISIONS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
AWARD_RELATED = ("factory", "factory__enterprise", "factory__enterprise__industry", "factory__county__parent__parent")


@dataclass(frozen=True)
class ListFilters:
    """Validated filters of a public list; ``None`` means "all"."""

    year: int | None = None
    tier: str | None = None
    province: Division | None = None
    industry: Industry | None = None
    scenario: int | None = None
    link: str | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters (for links to the open data and the pager)."""
        pairs = {"year": self.year, "tier": self.tier, "province": self.province and self.province.code,
                 "industry": self.industry and self.industry.code, "scenario": self.scenario, "link": self.link}
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}


def _clean(value) -> str:
    return str(value).strip() if value is not None else ""


def parse_year(raw) -> int | None:
    text = _clean(raw)
    if not text:
        return None
    if not text.isdigit() or not YEAR_RANGE[0] <= int(text) <= YEAR_RANGE[1]:
        raise InvalidInput(_("年度应为四位数字，例如 2025。"), field="year")
    return int(text)


def parse_tier(raw) -> str | None:
    text = _clean(raw)
    if not text:
        return None
    if text in Tier.values:
        return text
    by_label = {str(label): value for value, label in Tier.choices}
    if text in by_label:
        return by_label[text]
    raise InvalidInput(_("层级应为 basic、advanced、excellent 或 leading（基础级、先进级、卓越级、领航级）。"),
                       field="tier")


def parse_province(raw) -> Division | None:
    """A province-level unit by its six-digit code (510000) or its name (四川省, or 四川 when that
    names exactly one)."""
    text = _clean(raw)
    if not text:
        return None
    provinces = Division.objects.filter(level=DivisionLevel.PROVINCE)
    if re.fullmatch(r"\d{6}", text):
        found = provinces.filter(code=text).first()
    else:
        found = provinces.filter(name=text).first()
        if found is None:
            candidates = list(provinces.filter(name__startswith=text)[:2])
            found = candidates[0] if len(candidates) == 1 else None
    if found is None:
        raise InvalidInput(_("未找到该省级行政区：%(p)s。请使用六位区划代码（如 510000）或名称（如 四川省）。")
                           % {"p": text[:20]}, field="province")
    return found


def parse_industry(raw) -> Industry | None:
    text = _clean(raw)
    if not text:
        return None
    found = Industry.objects.filter(code=text, level=Industry.Level.DIVISION).first()
    if found is None:
        raise InvalidInput(_("行业应为国民经济行业分类的两位大类代码，例如 34。"), field="industry")
    return found


def parse_scenario(raw) -> int | None:
    text = _clean(raw)
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 99:
        raise InvalidInput(_("场景编号应为数字，例如 24。"), field="scenario")
    return int(text)


def parse_link(raw) -> str | None:
    text = _clean(raw)
    if not text:
        return None
    if not re.fullmatch(r"L\d{1,2}", text):
        raise InvalidInput(_("环节编号应为 L1 至 L8。"), field="link")
    return text


PARSERS = {"year": parse_year, "tier": parse_tier, "province": parse_province, "industry": parse_industry,
           "scenario": parse_scenario, "link": parse_link}


def parse_filters(params, allowed: tuple[str, ...]) -> ListFilters:
    """Filters from GET parameters (or keyword values); raises ``InvalidInput`` naming the first bad
    field. Parameters not in ``allowed`` are ignored."""
    return ListFilters(**{name: PARSERS[name](params.get(name)) for name in allowed})


def region_name(county: Division | None) -> str:
    """'四川省 成都市 武侯区' from a county whose parents are loaded (select_related)."""
    names = []
    node = county
    while node is not None:
        if node.name not in PSEUDO_DIVISIONS:
            names.append(node.name)
        node = node.parent
    return " ".join(reversed(names))


def province_names() -> dict[str, str]:
    return dict(Division.objects.filter(level=DivisionLevel.PROVINCE).values_list("code", "name"))


# ------------------------------------------------------------------ awards
def _tier_rank():
    return models.Case(*(When(tier=t, then=Value(n)) for n, t in enumerate(reversed(Tier.values))),
                       default=Value(9), output_field=models.IntegerField())


def public_awards() -> QuerySet[TierAward]:
    """Every award on a public list today: published, not in the future, active."""
    return TierAward.objects.filter(
        published_on__isnull=False, published_on__lte=timezone.localdate(), status=AwardStatus.ACTIVE
    )


def published_awards(filters: ListFilters | None = None) -> QuerySet[TierAward]:
    """The current published list, filtered; ordered by year (newest first), tier (highest first),
    province, enterprise and factory."""
    filters = filters or ListFilters()
    qs = public_awards().select_related(*AWARD_RELATED)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.province:
        qs = qs.filter(factory__county__province_code=filters.province.code)
    if filters.industry:
        qs = qs.filter(factory__enterprise__industry=filters.industry)
    return qs.annotate(tier_rank=_tier_rank()).order_by(
        "-year", "tier_rank", "factory__county__province_code", "factory__enterprise__name", "factory__name", "pk"
    )


def award_counts() -> list[dict]:
    """Per year (newest first): the number of awards on the public list per tier, and the leading
    cultivation objects published that year."""
    counts: dict[int, dict] = {}
    for row in public_awards().values("year", "tier").order_by().annotate(n=Count("pk")):
        counts.setdefault(row["year"], {"year": row["year"], "tiers": dict.fromkeys(Tier.values, 0), "cultivation": 0})
        counts[row["year"]]["tiers"][row["tier"]] = row["n"]
    for row in public_cultivation().values("published_on__year").order_by().annotate(n=Count("pk")):
        year = row["published_on__year"]
        counts.setdefault(year, {"year": year, "tiers": dict.fromkeys(Tier.values, 0), "cultivation": 0})
        counts[year]["cultivation"] = row["n"]
    return [counts[y] for y in sorted(counts, reverse=True)]


def award_row(award: TierAward, provinces: dict[str, str]) -> dict:
    """One line of the public list with the open-data keys. Nothing but register data: no address,
    no contact person, no telephone."""
    factory = award.factory
    enterprise = factory.enterprise
    county = factory.county
    return {
        "year": award.year,
        "tier": award.tier,
        "tier_label": str(Tier(award.tier).label),
        "certificate_no": award.certificate_no,
        "enterprise": award.name_at_issue,
        "uscc": enterprise.uscc,
        "factory": factory.name,
        "province": provinces.get(county.province_code, ""),
        "province_code": county.province_code,
        "region": region_name(county),
        "industry": enterprise.industry.name,
        "industry_code": enterprise.industry_id,
        "published_on": award.published_on.isoformat(),
        "current_name": award.current_name,  # last: the open-data columns are append-only
    }


# ------------------------------------------------------------------ leading cultivation objects
def public_cultivation() -> QuerySet[CultivationObject]:
    """Published, and not terminated (its 卓越级 revoked: supervision/consequences.py)."""
    return CultivationObject.objects.filter(published_on__lte=timezone.localdate()).exclude(
        status=CultivationObject.Status.TERMINATED)


def cultivation_list(filters: ListFilters | None = None) -> QuerySet[CultivationObject]:
    """The 领航级 cultivation objects the ministries published, by year of publication, with status."""
    filters = filters or ListFilters()
    qs = public_cultivation().select_related(*AWARD_RELATED)
    if filters.year:
        qs = qs.filter(published_on__year=filters.year)
    if filters.province:
        qs = qs.filter(factory__county__province_code=filters.province.code)
    if filters.industry:
        qs = qs.filter(factory__enterprise__industry=filters.industry)
    return qs.order_by("-published_on", "list_number", "factory__county__province_code", "factory__enterprise__name",
                       "pk")


def cultivation_row(obj: CultivationObject, provinces: dict[str, str]) -> dict:
    factory = obj.factory
    county = factory.county
    return {
        "year": obj.published_on.year,
        "list_number": obj.list_number,
        "enterprise": obj.name_at_issue,
        "current_name": obj.current_name,
        "uscc": factory.enterprise.uscc,
        "factory": factory.name,
        "province": provinces.get(county.province_code, ""),
        "province_code": county.province_code,
        "region": region_name(county),
        "industry": factory.enterprise.industry.name,
        "industry_code": factory.enterprise.industry_id,
        "published_on": obj.published_on.isoformat(),
        "ends_on": obj.ends_on.isoformat(),
        "status": obj.status,
        "status_label": str(CultivationObject.Status(obj.status).label),
    }


def available_years() -> list[int]:
    award_years = set(public_awards().values_list("year", flat=True).distinct())
    cultivation_years = {d.year for d in public_cultivation().dates("published_on", "year")}
    return sorted(award_years | cultivation_years, reverse=True)


# ------------------------------------------------------------------ cases
CASE_RELATED = ("award", "award__factory", "award__factory__enterprise", "award__factory__enterprise__industry",
                "award__factory__county__parent__parent")


def published_cases(filters: ListFilters | None = None) -> QuerySet[Case]:
    """Cases anyone may read: published, with an award still on the public list."""
    filters = filters or ListFilters()
    qs = Case.objects.filter(status=CaseStatus.PUBLISHED, award__in=public_awards()).select_related(*CASE_RELATED)
    if filters.scenario:
        qs = qs.filter(scenario_number=filters.scenario)
    if filters.link:
        qs = qs.filter(link=filters.link)
    if filters.industry:
        qs = qs.filter(award__factory__enterprise__industry=filters.industry)
    if filters.tier:
        qs = qs.filter(award__tier=filters.tier)
    return qs.order_by("scenario_number", "-published_at", "pk")


def case_row(case: Case) -> dict:
    """The public fields of a case: the redacted text only, never the original."""
    award = case.award
    return {
        "id": str(case.id),
        "title": case.title,
        "scenario_number": case.scenario_number,
        "scenario_name": case.scenario_name,
        "link": case.link,
        "link_name": case.link_name,
        "text": case.redacted_text,
        "tier": award.tier,
        "tier_label": str(Tier(award.tier).label),
        "year": award.year,
        "enterprise": award.name_at_issue,
        "current_name": award.current_name,
        "factory": award.factory.name,
        "industry": award.factory.enterprise.industry.name,
        "industry_code": award.factory.enterprise.industry_id,
        "published_at": case.published_at.isoformat() if case.published_at else None,
    }


def cases_for_user(user) -> QuerySet[Case]:
    """Cases a user manages: every case for ministry staff, none for anyone else."""
    if not is_ministry_staff(user):
        return Case.objects.none()
    return Case.objects.select_related(*CASE_RELATED)


def consent_cases_for_user(user) -> QuerySet[Case]:
    """Cases put to the user's enterprises for consent (drafts never sent are not shown)."""
    enterprise_ids = {m.enterprise_id for m in active_memberships(user) if m.enterprise_id}
    if not enterprise_ids:
        return Case.objects.none()
    return Case.objects.filter(
        Q(award__factory__enterprise_id__in=enterprise_ids), consent_requested_at__isnull=False
    ).select_related(*CASE_RELATED)


def current_notices() -> list:
    """The 公示 notices running now (open, not yet ended), the one ending first first: the public
    pages link them."""
    now = timezone.now()
    return list(Publicity.objects.filter(status=Publicity.Status.OPEN, starts_at__lte=now, ends_at__gt=now)
                .order_by("ends_at").only("pk", "title", "ends_at"))
