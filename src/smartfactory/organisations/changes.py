"""Changes to the registration facts that decide eligibility: registered name, legal status, parent
legal person, county and the 规上 flag (``LOCKED_PROFILE_FIELDS``). The enterprise asks, with a reason
and a supporting file; its authority confirms; only then does the profile change (P70, P71).

Who confirms (``confirming_authority_for``), decided once, when the request is filed:

* an enterprise of a central-SOE group → the group's headquarters: its members' applications go
  through the group, not the district (the parallel channel of R2–R4), and the group knows its own
  legal structure (branch or legal person, parent);
* an XPCC enterprise → the XPCC's lead industry authority (XPCC oversees its enterprises, not Xinjiang's
  districts);
* any other → the lead industry authority (经信/工信) of the enterprise's registered county; where a
  county has none on the platform, the nearest lead industry authority above it (city, then
  province), which oversees the county's enterprises anyway.

A move to another county is confirmed by the authority of the county the enterprise is registered in
now (it knows the enterprise; the new county's authority sees it once the move is confirmed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.accounts.models import User
from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted
from smartfactory.guards import guard
from smartfactory.regions.models import Division
from smartfactory.uploads import MB, PDF_OR_IMAGE, check_upload
from smartfactory.workflow import Available, Machine, Transition, available_actions, when_taken
from smartfactory.workflow import transition as run

from .enums import (
    LOCKED_PROFILE_FIELDS,
    AuthorityKind,
    AuthorityLevel,
    ChangeStatus,
    Department,
    LegalStatus,
    Role,
)
from .models import Authority, Enterprise, EnterpriseChange
from .rules import active_memberships, is_enterprise_admin_of
from .services import _apply_location, _check_branch, _clean_enterprise_fields, _current_value, _snapshot
from .validators import ensure_uscc_matches_province

CHANGE_FILE_MAX_BYTES = 20 * MB
CONFIRMING_ROLES = (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)


def confirming_authority_for(enterprise: Enterprise) -> Authority:
    """The authority that confirms the enterprise's registration facts (see the module docstring)."""
    if enterprise.soe_group_id:
        return enterprise.soe_group
    lead = Authority.objects.filter(is_lead=True, department=Department.INDUSTRY)
    if enterprise.is_xpcc:
        found = lead.filter(kind=AuthorityKind.XPCC).order_by("level").first()
    else:
        government = lead.filter(kind=AuthorityKind.GOVERNMENT)
        found = (
            government.filter(level=AuthorityLevel.COUNTY, division_id=enterprise.county_id).first()
            or government.filter(level=AuthorityLevel.CITY, division_id=enterprise.city_code).first()
            or government.filter(level=AuthorityLevel.PROVINCE, division_id=enterprise.province_code).first()
        )
    if found is None:
        raise NotEligible(_("未找到企业注册地的主管部门，暂不能提交变更申请。请联系属地经信部门开通平台账号。"))
    return found


def _words(key: str, value) -> str:
    if key == "county":
        division = Division.objects.filter(code=value).first()
        return division.full_name if division else str(value or "")
    if key == "legal_status":
        return str(LegalStatus(value).label) if value in LegalStatus.values else str(value or "")
    if key == "above_designated_size":
        return _("是") if value else _("否")
    return str(value or "—")


def _clean_change(enterprise: Enterprise, changes: dict) -> dict:
    """The requested values, validated, as stored (county as its code); refuses anything else and a
    request that changes nothing."""
    unknown = set(changes) - set(LOCKED_PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(_("变更申请只用于企业名称、法人类型、上级法人、注册地和规上标识：%(f)s") % {
            "f": "、".join(sorted(unknown))}, field=sorted(unknown)[0])
    cleaned = _clean_enterprise_fields(changes)
    if "county" in cleaned:
        county = cleaned["county"]
        ensure_uscc_matches_province(enterprise.uscc, county.province_code)
        cleaned["county"] = county.code
    after = {k: v for k, v in cleaned.items() if v != _current_value(enterprise, k)}
    if not after:
        raise InvalidInput(_("申请的内容与当前登记信息相同，无需变更。"))
    legal_status = after.get("legal_status", enterprise.legal_status)
    parent = after.get("parent_uscc", enterprise.parent_uscc)
    if legal_status == "independent" and "legal_status" in after and "parent_uscc" not in after:
        after["parent_uscc"] = parent = ""
    _check_branch(legal_status, parent, enterprise.uscc)
    return after


@transaction.atomic
def request_enterprise_change(
    enterprise: Enterprise, *, actor: User, changes: dict, reason: str, upload
) -> EnterpriseChange:
    """The enterprise admin asks to change registration facts.

    Guards: enterprise admin; only locked fields, each valid and different from now; a new county
    agrees with the USCC's province (P72); a reason; a PDF or image as proof; no other request
    pending. Side effects, in order: file stored under a random name; the request row with the
    confirming authority; audit event enterprise.change_requested.
    """
    if not is_enterprise_admin_of(actor, enterprise):
        raise NotPermitted(_("只有企业管理员可以提交企业信息变更申请。"))
    enterprise = Enterprise.objects.select_for_update(of=("self",)).select_related("soe_group").get(pk=enterprise.pk)
    after = _clean_change(enterprise, changes)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写变更理由。"), field="reason")
    if EnterpriseChange.objects.filter(enterprise=enterprise, status=ChangeStatus.PENDING).exists():
        raise Conflict(_("已有一项变更申请等待确认，请等确认结果后再提交。"))
    checked = check_upload(upload, types=PDF_OR_IMAGE, max_bytes=CHANGE_FILE_MAX_BYTES,
                           type_message=_("证明材料只能是 PDF、JPG 或 PNG 文件（如营业执照、核准变更登记通知书）。"))
    before = {k: _current_value(enterprise, k) for k in after}
    change = EnterpriseChange(
        enterprise=enterprise, before=before, after=after, reason=reason[:2000], file_name=upload.name[:255],
        file_sha256=checked.sha256, authority=confirming_authority_for(enterprise), requested_by=actor,
        words={k: [_words(k, before[k]), _words(k, v)] for k, v in after.items()},
    )
    change.file.save(f"{change.id.hex}.{checked.extension}", upload, save=False)
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError:
        raise Conflict(_("已有一项变更申请等待确认，请等确认结果后再提交。")) from None
    record_event("enterprise.change_requested", actor=actor, obj=enterprise, before=before, after=after,
                 reason=reason)
    return change


# ------------------------------------------------------------------ the request's machine
#
#     pending ──confirm──▶ confirmed      (the confirming authority: the profile changes)
#        ├─────reject───▶ rejected       (the confirming authority, with a reason)
#        └────withdraw──▶ withdrawn      (the enterprise admin)
class Act:
    CONFIRM = "confirm"
    REJECT = "reject"
    WITHDRAW = "withdraw"


LABELS = {Act.CONFIRM: gettext_noop("确认变更"), Act.REJECT: gettext_noop("不予确认"), Act.WITHDRAW: gettext_noop("撤回")}
EVENTS = {Act.CONFIRM: "enterprise.change_confirmed", Act.REJECT: "enterprise.change_rejected",
          Act.WITHDRAW: "enterprise.change_withdrawn"}


@dataclass
class Ctx:
    change: EnterpriseChange
    actor: object
    reason: str = ""


def confirms_changes(user, change: EnterpriseChange) -> bool:
    """A reviewer or leader of some authority; whether of the one named on the request is P71's guard."""
    return any(m.authority_id and m.role in CONFIRMING_ROLES for m in active_memberships(user))


def is_its_enterprise_admin(user, change: EnterpriseChange) -> bool:
    return bool(is_enterprise_admin_of(user, change.enterprise))


@guard("P71")
def ensure_confirming_authority(ctx: Ctx) -> None:
    """Only a reviewer or leader of the authority named on the request confirms it: not the
    enterprise, not another district, not a platform admin."""
    change = ctx.change
    if not any(m.authority_id == change.authority_id and m.role in CONFIRMING_ROLES
               for m in active_memberships(ctx.actor)):
        raise NotPermitted(_("只有%(a)s可以确认该企业的信息变更。") % {"a": change.authority.name})


@guard("P71", "P72")
def still_valid(ctx: Ctx) -> None:
    """A confirmation checks the request again against the profile as it is now: the county agrees
    with the USCC's province (P72) and the legal status with the parent legal person."""
    enterprise, fields = ctx.change.enterprise, _clean_enterprise_fields(ctx.change.after)
    if "county" in fields:
        ensure_uscc_matches_province(enterprise.uscc, fields["county"].province_code)
    _check_branch(fields.get("legal_status", enterprise.legal_status),
                  fields.get("parent_uscc", enterprise.parent_uscc), enterprise.uscc)


@guard("P4")
@when_taken
def refusal_reason_given(ctx: Ctx) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("不予确认时请填写理由，企业将看到该理由。"), field="reason")


def _decided(ctx: Ctx) -> None:
    change = ctx.change
    change.decided_by, change.decided_at, change.decision_reason = ctx.actor, timezone.now(), ctx.reason.strip()[:2000]


def _confirm(ctx: Ctx) -> None:
    """The request's values become the profile's (the county with its province and city codes)."""
    _decided(ctx)
    enterprise, fields = ctx.change.enterprise, _clean_enterprise_fields(ctx.change.after)
    if "county" in fields:
        county = fields.pop("county")
        _apply_location(enterprise, county)
        enterprise.is_xpcc = county.is_xpcc
    for key, value in fields.items():
        setattr(enterprise, key, value)
    enterprise.save()


def _withdraw(ctx: Ctx) -> None:
    ctx.change.decided_at = timezone.now()


def _lock(change: EnterpriseChange) -> EnterpriseChange:
    """The request, then its enterprise, both locked: a confirmation checks and writes the profile."""
    locked = EnterpriseChange.objects.select_for_update(of=("self",)).select_related("authority").get(pk=change.pk)
    locked.enterprise = Enterprise.objects.select_for_update().get(pk=locked.enterprise_id)
    return locked


T = Transition
S = ChangeStatus
TABLE: dict[str, Transition] = {
    Act.CONFIRM: T(frozenset({S.PENDING}), confirms_changes, (ensure_confirming_authority, still_valid), _confirm,
                   S.CONFIRMED),
    Act.REJECT: T(frozenset({S.PENDING}), confirms_changes, (ensure_confirming_authority, refusal_reason_given),
                  _decided, S.REJECTED),
    Act.WITHDRAW: T(frozenset({S.PENDING}), is_its_enterprise_admin, (), _withdraw, S.WITHDRAWN),
}

MACHINE = Machine(
    name="enterprise_change", model=EnterpriseChange, table=TABLE, state_field="status",
    context=lambda change, actor, reason="": Ctx(change=change, actor=actor, reason=reason or ""),
    lock=_lock, audit=lambda change: {"status": change.status, **_snapshot(change.enterprise)},
    after=lambda ctx, action: {"requested": ctx.change.after, "change": str(ctx.change.id)},
    event_of=EVENTS.__getitem__, audit_obj=lambda ctx, action: ctx.change.enterprise,  # the enterprise's trail
    labels=lambda action: _(LABELS[action]), state_label=lambda state: str(ChangeStatus(state).label),
    refused=gettext_noop("该变更申请已处理（%(s)s），不能再%(a)s。"), reason_of=lambda ctx: ctx.reason.strip(),
)


def available(change: EnterpriseChange, user) -> list[Available]:
    """What ``user`` may do with the request now: confirm/reject (disabled, with the reason, for an
    authority that is not the confirming one or a request that no longer fits the profile), withdraw."""
    return available_actions(MACHINE, change, user)


def decide_enterprise_change(change: EnterpriseChange, *, actor: User, confirm: bool, reason: str = "") -> EnterpriseChange:
    """The confirming authority confirms or refuses a pending request, through the request's machine.

    Guards: the confirming authority (P71); on confirmation the checks are made again against the
    profile as it is now (P72, branch); refusal needs a reason (P4). Side effects, in order: request
    decided; on confirmation the enterprise's fields (and its province/city codes) change; audit event
    enterprise.change_confirmed or enterprise.change_rejected on the enterprise, with its profile
    before/after and the request.
    """
    return run(MACHINE, change, Act.CONFIRM if confirm else Act.REJECT, actor=actor, reason=reason)


def withdraw_enterprise_change(change: EnterpriseChange, *, actor: User) -> EnterpriseChange:
    """The enterprise admin withdraws a request still pending (e.g. to file a corrected one).
    Side effects: request withdrawn; audit event enterprise.change_withdrawn on the enterprise."""
    return run(MACHINE, change, Act.WITHDRAW, actor=actor)


def changes_since(enterprise_id, since) -> QuerySet[EnterpriseChange]:
    """Pending requests and decisions since ``since`` (an application's start): what every open
    application shows its reviewers."""
    return EnterpriseChange.objects.filter(enterprise_id=enterprise_id).filter(
        Q(status=ChangeStatus.PENDING) | Q(decided_at__gte=since)
    ).select_related("authority").order_by("-requested_at")
