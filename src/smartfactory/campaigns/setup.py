"""Setting a campaign up on the platform (R24): the ministry's year (framework version, tiers open,
status) and its extensions for one province; a province's own settings (channel rule, review chain).
Deadlines themselves — national defaults and each authority's deadline for the level below — are
set through ``services.set_stage_deadline`` and ``services.set_deadline_override``.

Every write is ministry staff's or the province's leader's, in one transaction, with an audit event.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import (
    active_memberships,
    authorities_managed_by,
    is_ministry_staff_or_platform_admin,
)

from . import workflow
from .enums import CampaignStatus, Stage
from .models import Campaign, ChannelRule, DeadlineExtension, ReviewChain, StageDeadline
from .services import _iso, deadline_for, format_deadline
from .validators import campaign_setup_valid, valid_review_chain

STATUS_ORDER = [CampaignStatus.PLANNED, CampaignStatus.OPEN, CampaignStatus.CLOSED]


# ------------------------------------------------------------------ the ministry
@transaction.atomic
def update_campaign(
    campaign: Campaign, *, actor, name: str, notice_number: str, framework_version: str, tiers_open: list[str],
    status: str,
) -> Campaign:
    """Ministry staff change a campaign's name, notice, tiers open and status (planned → open →
    closed, never back: a new status is the campaign machine's ``open`` or ``close``, see
    ``workflow``); the framework version only while planned (assessments are scored against it once
    the year opens). Side effects, in order: on a new status the transition (audit event
    campaign.open or campaign.close); the other fields; audit event campaign.update with before/after
    of all of them, the status included."""
    if not is_ministry_staff_or_platform_admin(actor):
        raise NotPermitted()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_setup_valid(year=campaign.year, framework_version=framework_version, tiers_open=tiers_open,
                         status=status, campaign=campaign)
    if framework_version != campaign.framework_version and campaign.status != CampaignStatus.PLANNED:
        raise TransitionNotAllowed(_("年度行动开始后不能更换要素条件版本。"), field="framework_version")
    if STATUS_ORDER.index(status) < STATUS_ORDER.index(campaign.status):
        raise TransitionNotAllowed(
            _("年度行动状态不能从“%(a)s”改回“%(b)s”。")
            % {"a": CampaignStatus(campaign.status).label, "b": CampaignStatus(status).label}, field="status",
        )
    fields = ["name", "notice_number", "framework_version", "tiers_open", "status"]
    before = {f: getattr(campaign, f) for f in fields}
    if status != campaign.status:
        campaign = workflow.transition(campaign, workflow.TO_STATUS[status], actor=actor)
    campaign.name, campaign.notice_number = name.strip() or campaign.name, notice_number.strip()
    campaign.framework_version, campaign.tiers_open = framework_version, list(tiers_open)
    campaign.save(update_fields=["name", "notice_number", "framework_version", "tiers_open"])
    record_event("campaign.update", actor=actor, obj=campaign, before=before, after={f: getattr(campaign, f) for f in fields})
    return campaign


def province_authorities() -> QuerySet[Authority]:
    """The provinces' lead industry departments: whom the ministry may extend a deadline for."""
    return Authority.objects.filter(kind=AuthorityKind.GOVERNMENT, level=AuthorityLevel.PROVINCE,
                                    department=Department.INDUSTRY).order_by("division_id")


@guard("R24", "P62")
def extension_valid(campaign: Campaign, *, authority: Authority, stage: str, tier: str, deadline: datetime,
                    reason: str) -> None:
    """An extension for one province is later than the national default it extends, gives its
    reason, and does not pass the deadlines that bind that province for any later stage."""
    if not reason.strip():
        raise InvalidInput(_("延长截止时间必须说明理由。"), field="reason")
    national = StageDeadline.objects.filter(campaign=campaign, stage=stage, tier__in=["", tier]).order_by("-tier").first()
    if national is None:
        raise InvalidInput(_("该环节尚未设定全国截止时间，无法单独延期。"), field="stage")
    if deadline <= national.deadline:
        raise InvalidInput(
            _("延期后的截止时间须晚于全国截止时间（%(d)s）。") % {"d": format_deadline(national.deadline)}, field="deadline"
        )
    stages = list(Stage.values)
    for later in stages[stages.index(stage) + 1:]:
        bound = deadline_for(campaign, later, tier=tier, authority=authority)
        if bound is not None and deadline > bound:
            raise InvalidInput(
                _("延期后的截止时间不能晚于该省“%(s)s”的截止时间（%(d)s）。")
                % {"s": Stage(later).label, "d": format_deadline(bound)}, field="deadline",
            )


@transaction.atomic
def extend_deadline_for_province(
    campaign: Campaign, *, authority: Authority, stage: str, deadline: datetime, actor, reason: str, tier: str = "",
) -> DeadlineExtension:
    """Ministry staff extend a national deadline for one province only (for everyone: move the
    national default with ``services.set_stage_deadline``). Side effects: audit event
    campaign.deadline_extended with before/after."""
    if not is_ministry_staff_or_platform_admin(actor):
        raise NotPermitted()
    if stage not in Stage.values:
        raise InvalidInput(_("未知的环节：%(stage)s") % {"stage": stage}, field="stage")
    if timezone.is_naive(deadline):
        raise InvalidInput(_("截止时间必须带时区。"), field="deadline")
    if not province_authorities().filter(pk=authority.pk).exists():
        raise InvalidInput(_("只能为省级工业和信息化主管部门所在省份单独延期。"), field="authority")
    existing = DeadlineExtension.objects.select_for_update().filter(
        campaign=campaign, authority=authority, stage=stage, tier=tier).first()
    extension_valid(campaign, authority=authority, stage=stage, tier=tier, deadline=deadline, reason=reason)
    obj, _created = DeadlineExtension.objects.update_or_create(
        campaign=campaign, authority=authority, stage=stage, tier=tier,
        defaults={"deadline": deadline, "reason": reason.strip(), "set_by": actor},
    )
    record_event(
        "campaign.deadline_extended", actor=actor, object_type="campaigns.deadlineextension",
        object_id=f"{campaign.year}:{authority.id}:{stage}:{tier or '*'}",
        before={"deadline": _iso(existing.deadline)} if existing else None,
        after={"deadline": _iso(deadline), "authority": authority.name}, reason=reason.strip(),
    )
    return obj


# ------------------------------------------------------------------ a province
def provinces_led_by(user) -> QuerySet[Authority]:
    """The provinces whose settings this user sets: the lead industry department of a province
    where the user is a leader. Ministry staff and other departments set none (a province sets
    only its own)."""
    ids = [m.authority_id for m in active_memberships(user) if m.role == Role.AUTHORITY_LEADER and m.authority_id]
    return province_authorities().filter(pk__in=ids).select_related("division")


def own_managed_authorities(user) -> QuerySet[Authority]:
    """The user's own authorities where they lead: whose deadline for the level below they set
    (``services.set_deadline_override`` checks it again)."""
    own = [m.authority_id for m in active_memberships(user) if m.authority_id]
    return authorities_managed_by(user).filter(pk__in=own)


@guard("R24", "P64")
def leads_province(actor, authority: Authority) -> None:
    if not provinces_led_by(actor).filter(pk=authority.pk).exists():
        raise NotPermitted(_("只有本省工业和信息化主管部门负责人可以设定本省的规则。"))


def _open_for_settings(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.CLOSED:
        raise TransitionNotAllowed(_("年度行动已结束，不能再修改设置。"))


@transaction.atomic
def set_channel_rule(
    campaign: Campaign, *, authority: Authority, registered_in_province_only: bool, basis: str, actor,
) -> ChannelRule:
    """A province sets who may apply through its channel (四川: registered in Sichuan only); checked
    by the eligibility rules when an application is opened and submitted. Side effects: audit
    event campaign.channel_rule_set with before/after."""
    leads_province(actor, authority)
    _open_for_settings(campaign)
    if registered_in_province_only and not basis.strip():
        raise InvalidInput(_("请填写依据（如转发通知的文号）。"), field="basis")
    existing = ChannelRule.objects.select_for_update().filter(campaign=campaign, province_code=authority.division_id).first()
    before = {"registered_in_province_only": existing.registered_in_province_only, "basis": existing.basis} if existing else None
    obj, _created = ChannelRule.objects.update_or_create(
        campaign=campaign, province_code=authority.division_id,
        defaults={"province_name": authority.division.name, "registered_in_province_only": registered_in_province_only,
                  "basis": basis.strip()},
    )
    record_event("campaign.channel_rule_set", actor=actor, object_type="campaigns.channelrule",
                 object_id=f"{campaign.year}:{authority.division_id}", before=before,
                 after={"registered_in_province_only": registered_in_province_only, "basis": basis.strip()})
    return obj


@transaction.atomic
def set_review_chain(
    campaign: Campaign, *, authority: Authority, tier: str, levels: list[str], actor, reason: str = "",
) -> ReviewChain:
    """A province sets which of its levels review an application of a tier, in order. The chain is
    fixed on each application when it is submitted: a change applies to later submissions only.
    Side effects: audit event campaign.review_chain_set with before/after."""
    leads_province(actor, authority)
    _open_for_settings(campaign)
    valid_review_chain(tier=tier, levels=levels)
    existing = ReviewChain.objects.select_for_update().filter(
        campaign=campaign, province_code=authority.division_id, tier=tier).first()
    obj, _created = ReviewChain.objects.update_or_create(
        campaign=campaign, province_code=authority.division_id, tier=tier, defaults={"levels": list(levels)},
    )
    record_event("campaign.review_chain_set", actor=actor, object_type="campaigns.reviewchain",
                 object_id=f"{campaign.year}:{authority.division_id}:{tier}",
                 before={"levels": existing.levels} if existing else None, after={"levels": list(levels)}, reason=reason)
    return obj
