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

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.accounts.models import User
from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.regions.models import Division
from smartfactory.uploads import MB, PDF_OR_IMAGE, check_upload

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


@guard("P71")
def ensure_confirming_authority(actor: User, change: EnterpriseChange) -> None:
    """Only a reviewer or leader of the authority named on the request confirms it: not the
    enterprise, not another district, not a platform admin."""
    if not any(m.authority_id == change.authority_id and m.role in CONFIRMING_ROLES for m in active_memberships(actor)):
        raise NotPermitted(_("只有%(a)s可以确认该企业的信息变更。") % {"a": change.authority.name})


@transaction.atomic
def decide_enterprise_change(change: EnterpriseChange, *, actor: User, confirm: bool, reason: str = "") -> EnterpriseChange:
    """The confirming authority confirms or refuses a pending request.

    On confirmation the checks are made again against the profile as it is now (P72, branch);
    refusal needs a reason. Side effects, in order: request decided; on confirmation the enterprise's
    fields (and its province/city codes) change; audit event enterprise.change_confirmed (with
    before/after) or enterprise.change_rejected.
    """
    change = EnterpriseChange.objects.select_for_update().select_related("authority").get(pk=change.pk)
    ensure_confirming_authority(actor, change)
    if change.status != ChangeStatus.PENDING:
        raise TransitionNotAllowed(_("该变更申请已处理。"))
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise InvalidInput(_("不予确认时请填写理由，企业将看到该理由。"), field="reason")
    enterprise = Enterprise.objects.select_for_update().get(pk=change.enterprise_id)
    change.status = ChangeStatus.CONFIRMED if confirm else ChangeStatus.REJECTED
    change.decided_by, change.decided_at, change.decision_reason = actor, timezone.now(), reason[:2000]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if not confirm:
        record_event("enterprise.change_rejected", actor=actor, obj=enterprise, after=change.after, reason=reason)
        return change
    before = _snapshot(enterprise)
    fields = _clean_enterprise_fields(change.after)
    if "county" in fields:
        county = fields.pop("county")
        ensure_uscc_matches_province(enterprise.uscc, county.province_code)
        _apply_location(enterprise, county)
        enterprise.is_xpcc = county.is_xpcc
    for key, value in fields.items():
        setattr(enterprise, key, value)
    _check_branch(enterprise.legal_status, enterprise.parent_uscc, enterprise.uscc)
    enterprise.save()
    record_event("enterprise.change_confirmed", actor=actor, obj=enterprise, before=before,
                 after={**_snapshot(enterprise), "change": str(change.id)}, reason=reason)
    return change


@transaction.atomic
def withdraw_enterprise_change(change: EnterpriseChange, *, actor: User) -> EnterpriseChange:
    """The enterprise admin withdraws a request still pending (e.g. to file a corrected one).
    Side effects: request withdrawn; audit event enterprise.change_withdrawn."""
    change = EnterpriseChange.objects.select_for_update().select_related("enterprise").get(pk=change.pk)
    if not is_enterprise_admin_of(actor, change.enterprise):
        raise NotPermitted(_("只有企业管理员可以撤回变更申请。"))
    if change.status != ChangeStatus.PENDING:
        raise TransitionNotAllowed(_("该变更申请已处理。"))
    change.status, change.decided_at = ChangeStatus.WITHDRAWN, timezone.now()
    change.save(update_fields=["status", "decided_at"])
    record_event("enterprise.change_withdrawn", actor=actor, obj=change.enterprise, after=change.after)
    return change


def changes_since(enterprise_id, since) -> QuerySet[EnterpriseChange]:
    """Pending requests and decisions since ``since`` (an application's start): what every open
    application shows its reviewers."""
    return EnterpriseChange.objects.filter(enterprise_id=enterprise_id).filter(
        Q(status=ChangeStatus.PENDING) | Q(decided_at__gte=since)
    ).select_related("authority").order_by("-requested_at")
