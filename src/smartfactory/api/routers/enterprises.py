from datetime import datetime
from uuid import UUID

from django.db.models import Prefetch
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from smartfactory.api.schemas import EnterpriseOut, FactoryOut, enterprise_out, factory_out
from smartfactory.organisations import changes, services
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.queries import (
    enterprise_changes_for_user,
    enterprises_for_user,
    factories_for_user,
    get_in_scope,
)

router = Router(tags=["enterprises"])


class EnterpriseFilter(Schema):
    q: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    industry: str | None = None


class EnterpriseIn(Schema):
    uscc: str
    name: str
    legal_status: str
    parent_uscc: str = ""
    county: str
    industry: str
    above_designated_size: bool = True
    address: str = ""


class EnterpriseCreated(Schema):
    status: str
    enterprise: EnterpriseOut | None


class EnterprisePatch(Schema):
    name: str | None = None
    legal_status: str | None = None
    parent_uscc: str | None = None
    county: str | None = None
    industry: str | None = None
    above_designated_size: bool | None = None
    address: str | None = None


class ChangeIn(Schema):
    """The registration facts to change (only those sent), with the reason; the proof is the file."""

    name: str | None = None
    legal_status: str | None = None
    parent_uscc: str | None = None
    county: str | None = None
    above_designated_size: bool | None = None
    reason: str


class ChangeOut(Schema):
    id: UUID
    uscc: str
    status: str
    before: dict
    after: dict
    reason: str
    file_name: str
    file_sha256: str
    authority: str
    requested_at: datetime
    decided_at: datetime | None
    decision_reason: str


class ChangeDecision(Schema):
    confirm: bool
    reason: str = ""


def change_out(c) -> dict:
    return {
        "id": c.id, "uscc": c.enterprise.uscc, "status": c.status, "before": c.before, "after": c.after,
        "reason": c.reason, "file_name": c.file_name, "file_sha256": c.file_sha256, "authority": c.authority.name,
        "requested_at": c.requested_at, "decided_at": c.decided_at, "decision_reason": c.decision_reason,
    }


class FactoryIn(Schema):
    name: str
    county: str
    address: str = ""
    main_products: str = ""


@router.get("", response=list[EnterpriseOut])
@paginate(LimitOffsetPagination)
def list_enterprises(request, filters: Query[EnterpriseFilter]):
    """Enterprises in the caller's jurisdiction."""
    qs = enterprises_for_user(request.user).order_by("uscc")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q) | qs.filter(uscc=filters.q.upper())
    if filters.province:
        qs = qs.filter(province_code=filters.province)
    if filters.city:
        qs = qs.filter(city_code=filters.city)
    if filters.county:
        qs = qs.filter(county_id=filters.county)
    if filters.industry:
        qs = qs.filter(industry_id=filters.industry)
    return [enterprise_out(e) for e in qs]


@router.post("", response={201: EnterpriseCreated, 202: EnterpriseCreated})
def create_enterprise(request, payload: EnterpriseIn):
    """Register an enterprise you will administer. If the USCC is already registered, a request to
    join it is filed instead (202) and its administrator decides."""
    data = payload.dict()
    uscc = data.pop("uscc")
    registration = services.establish_enterprise(request.user, uscc=uscc, enterprise=data)
    if registration.joined_existing:
        return Status(202, {"status": "join_requested", "enterprise": None})
    return Status(201, {"status": "created", "enterprise": enterprise_out(registration.enterprise)})


@router.get("/{uscc}", response=EnterpriseOut)
def get_enterprise(request, uscc: str):
    return enterprise_out(get_in_scope(enterprises_for_user(request.user), uscc=uscc.upper()))


@router.patch("/{uscc}", response=EnterpriseOut)
def patch_enterprise(request, uscc: str, payload: EnterprisePatch):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc.upper())
    changes = payload.dict(exclude_unset=True)
    return enterprise_out(services.update_enterprise(enterprise, actor=request.user, changes=changes))


@router.get("/{uscc}/factories", response=list[FactoryOut])
def list_enterprise_factories(request, uscc: str):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc.upper())
    qs = factories_for_user(request.user).filter(enterprise=enterprise).prefetch_related(
        Prefetch("tier_awards", queryset=TierAward.objects.select_related("authority"))
    )
    return [factory_out(f) for f in qs]


@router.post("/{uscc}/factories", response={201: FactoryOut})
def create_enterprise_factory(request, uscc: str, payload: FactoryIn):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc.upper())
    factory = services.create_factory(enterprise, actor=request.user, **payload.dict())
    return Status(201, factory_out(factory))


@router.get("/{uscc}/changes", response=list[ChangeOut])
def list_enterprise_changes(request, uscc: str):
    """Change requests of the enterprise's registration facts (name, legal status, parent, county, 规上)."""
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc.upper())
    return [change_out(c) for c in enterprise_changes_for_user(request.user).filter(enterprise=enterprise)]


@router.post("/{uscc}/changes", response={201: ChangeOut})
def request_enterprise_change(request, uscc: str, payload: Form[ChangeIn], file: File[UploadedFile]):
    """Ask the enterprise's authority to confirm a change of registration facts (PATCH refuses them)."""
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc.upper())
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason")
    requested = {k: v for k, v in data.items() if v is not None}
    change = changes.request_enterprise_change(enterprise, actor=request.user, changes=requested, reason=reason,
                                               upload=file)
    return Status(201, change_out(change))


@router.post("/changes/{change_id}/decide", response=ChangeOut)
def decide_enterprise_change(request, change_id: UUID, payload: ChangeDecision):
    """The confirming authority confirms (the profile changes) or refuses with a reason."""
    change = get_in_scope(enterprise_changes_for_user(request.user), pk=change_id)
    return change_out(changes.decide_enterprise_change(change, actor=request.user, confirm=payload.confirm,
                                                       reason=payload.reason))
