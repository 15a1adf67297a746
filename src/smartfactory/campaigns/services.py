"""Campaigns and their calendar: the one place that answers "what is the deadline for this actor
and stage", the deadline guard every workflow uses, and the audited ways to change deadlines."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import DeadlinePassed, InvalidInput, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel
from smartfactory.organisations.models import Authority, Enterprise
from smartfactory.organisations.rules import (
    authorities_managed_by,
    is_ministry_staff_or_platform_admin,
)

from .enums import CampaignStatus, Stage
from .models import Campaign, DeadlineExtension, DeadlineOverride, RuleThreshold, StageDeadline
from .validators import campaign_setup_valid, stages_in_order


def _jurisdictions_over(enterprise: Enterprise) -> list[dict]:
    """The authorities whose jurisdiction contains the enterprise, as field values one of which an
    authority matches (all departments, all levels)."""
    found = [{"kind": AuthorityKind.GOVERNMENT, "level": AuthorityLevel.COUNTY, "division_id": enterprise.county_id},
             {"kind": AuthorityKind.GOVERNMENT, "level": AuthorityLevel.CITY, "division_id": enterprise.city_code}]
    if enterprise.is_xpcc:
        found.append({"kind": AuthorityKind.XPCC})
    else:
        found.append({"kind": AuthorityKind.GOVERNMENT, "level": AuthorityLevel.PROVINCE, "division_id": enterprise.province_code})
    if enterprise.soe_group_id:
        found.append({"pk": enterprise.soe_group_id})
    return found


def authorities_above_enterprises(enterprises) -> dict:
    """For each enterprise (by pk), every authority whose jurisdiction contains it, in one query."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    wanted = {e.pk: _jurisdictions_over(e) for e in enterprises}
    if not wanted:
        return {}
    found = list(Authority.objects.filter(reduce(or_, (Q(**c) for conditions in wanted.values() for c in conditions))))
    return {pk: [a for a in found if any(all(getattr(a, k) == v for k, v in c.items()) for c in conditions)]
            for pk, conditions in wanted.items()}


def authorities_above_enterprise(enterprise: Enterprise) -> list[Authority]:
    """Every authority whose jurisdiction contains the enterprise (all departments, all levels)."""
    return authorities_above_enterprises([enterprise])[enterprise.pk]


def authorities_above_authority(authority: Authority) -> list[Authority]:
    chain = []
    node = authority.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def deadline_for(
    campaign: Campaign,
    stage: str,
    *,
    tier: str = "",
    enterprise: Enterprise | None = None,
    authority: Authority | None = None,
) -> datetime | None:
    """The deadline that binds this actor for this stage: the earliest of the ministry's default
    (tier-specific if set; extended for the actor's province if the ministry extended it there)
    and every override set by an authority above the actor. An authority's
    own override binds the level below it, not itself. None: the stage has no deadline."""
    defaults = {d.tier: d.deadline for d in StageDeadline.objects.filter(campaign=campaign, stage=stage, tier__in=["", tier])}
    candidates = [defaults[tier]] if tier and tier in defaults else ([defaults[""]] if "" in defaults else [])
    if enterprise is not None:
        setters = authorities_above_enterprise(enterprise)
    elif authority is not None:
        setters = authorities_above_authority(authority)
    else:
        setters = []
    if candidates:  # the ministry may have extended the default for the actor's province only
        provinces = [*setters, authority] if authority is not None else setters
        extended = DeadlineExtension.objects.filter(
            campaign=campaign, stage=stage, tier__in=["", tier], authority__in=provinces
        ).values_list("deadline", flat=True) if provinces else []
        candidates = [max([candidates[0], *extended])]
    if setters:
        overrides = DeadlineOverride.objects.filter(
            campaign=campaign, stage=stage, tier__in=["", tier], authority__in=setters
        ).values_list("deadline", flat=True)
        candidates.extend(overrides)
    return min(candidates) if candidates else None


def binding_bound(campaign: Campaign, stage: str, *, tier: str = "", authority: Authority) -> datetime | None:
    """The latest deadline an authority may set for a stage: no later than what binds the authority
    itself for that stage or any later one (a district cannot be given longer than its city has)."""
    stages = list(Stage.values)
    later = stages[stages.index(stage):]
    bounds = [d for s in later if (d := deadline_for(campaign, s, tier=tier, authority=authority)) is not None]
    return min(bounds) if bounds else None


def _iso(value: datetime) -> str:
    """Deadlines in audit records are written in Beijing time, whatever the database returns."""
    return timezone.localtime(value).isoformat()


def end_of_day(day: date) -> datetime:
    """The deadline of the notice's "X月X日前": the whole of that day in Beijing time is included, so
    the deadline instant is 00:00 of the next day (actions are allowed strictly before it)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def format_deadline(value: datetime) -> str:
    """A deadline as officials write it: an end-of-day deadline reads "2025-07-18 24:00"."""
    local = timezone.localtime(value)
    if local.time() == time.min:
        return f"{date_format(local - timedelta(days=1), 'Y-m-d')} 24:00"
    return date_format(local, "Y-m-d H:i:s")


def ensure_before_deadline(
    campaign: Campaign,
    stage: str,
    *,
    tier: str = "",
    enterprise: Enterprise | None = None,
    authority: Authority | None = None,
    now: datetime | None = None,
) -> None:
    """The deadline guard: allowed strictly before the deadline instant; at it and after, refused."""
    deadline = deadline_for(campaign, stage, tier=tier, enterprise=enterprise, authority=authority)
    now = now or timezone.now()
    if deadline is not None and now >= deadline:
        raise DeadlinePassed(
            _("“%(stage)s”已于%(deadline)s截止。如确需延期，请联系上级主管部门。")
            % {"stage": Stage(stage).label, "deadline": format_deadline(deadline)},
            stage=stage,
            deadline=deadline.isoformat(),
        )


@transaction.atomic
def create_campaign(
    *, actor, year: int, name: str, framework_version: str, tiers_open: list[str], notice_number: str = "",
    status: str = CampaignStatus.PLANNED,
) -> Campaign:
    """Creates a campaign. Side effects: audit event campaign.create."""
    if not is_ministry_staff_or_platform_admin(actor):
        raise NotPermitted()
    campaign_setup_valid(year=year, framework_version=framework_version, tiers_open=tiers_open, status=status)
    campaign = Campaign.objects.create(
        year=year, name=name, framework_version=framework_version, tiers_open=list(tiers_open),
        notice_number=notice_number, status=status,
    )
    record_event("campaign.create", actor=actor, obj=campaign, after={"year": year, "name": name, "tiers_open": tiers_open})
    return campaign


@transaction.atomic
def set_stage_deadline(
    campaign: Campaign, *, stage: str, deadline: datetime, actor, tier: str = "", reason: str = ""
) -> StageDeadline:
    """The ministry sets or moves a national default deadline (an extension when later).
    Side effects: audit event campaign.deadline_set with before/after."""
    if not is_ministry_staff_or_platform_admin(actor):
        raise NotPermitted()
    if stage not in Stage.values:
        raise InvalidInput(_("未知的环节：%(stage)s") % {"stage": stage}, field="stage")
    if timezone.is_naive(deadline):
        raise InvalidInput(_("截止时间必须带时区。"), field="deadline")
    existing = StageDeadline.objects.select_for_update().filter(campaign=campaign, stage=stage, tier=tier).first()
    before = {"deadline": _iso(existing.deadline)} if existing else None
    if existing and existing.deadline < deadline and not reason:
        raise InvalidInput(_("延长截止时间必须说明理由。"), field="reason")
    stages_in_order(campaign, stage=stage, tier=tier, deadline=deadline)
    obj, _created = StageDeadline.objects.update_or_create(
        campaign=campaign, stage=stage, tier=tier, defaults={"deadline": deadline}
    )
    record_event(
        "campaign.deadline_set", actor=actor, object_type="campaigns.stagedeadline",
        object_id=f"{campaign.year}:{stage}:{tier or '*'}", before=before,
        after={"deadline": _iso(deadline)}, reason=reason,
    )
    return obj


def _can_set_override(user, authority: Authority) -> bool:
    """Leaders (and ministry staff) of the authority or of any authority above it."""
    return authorities_managed_by(user).filter(pk=authority.pk).exists()


@transaction.atomic
def set_deadline_override(
    campaign: Campaign, *, authority: Authority, stage: str, deadline: datetime, actor, tier: str = "",
    reason: str = "",
) -> DeadlineOverride:
    """An authority sets its own deadline for the level below it.

    Refused when later than the deadline the authority itself is bound by (its parent's).
    Side effects: audit event campaign.deadline_override_set with before/after.
    """
    if not _can_set_override(actor, authority):
        raise NotPermitted()
    if stage not in Stage.values:
        raise InvalidInput(_("未知的环节：%(stage)s") % {"stage": stage}, field="stage")
    if timezone.is_naive(deadline):
        raise InvalidInput(_("截止时间必须带时区。"), field="deadline")
    bound = binding_bound(campaign, stage, tier=tier, authority=authority)
    if bound is not None and deadline > bound:
        raise InvalidInput(
            _("本级设定的截止时间（%(mine)s）不能晚于上级规定的截止时间（%(bound)s）。")
            % {"mine": format_deadline(deadline), "bound": format_deadline(bound)},
            field="deadline",
        )
    existing = DeadlineOverride.objects.select_for_update().filter(
        campaign=campaign, authority=authority, stage=stage, tier=tier
    ).first()
    before = {"deadline": _iso(existing.deadline)} if existing else None
    obj, _created = DeadlineOverride.objects.update_or_create(
        campaign=campaign, authority=authority, stage=stage, tier=tier,
        defaults={"deadline": deadline, "reason": reason, "set_by": actor},
    )
    record_event(
        "campaign.deadline_override_set", actor=actor, object_type="campaigns.deadlineoverride",
        object_id=f"{campaign.year}:{authority.id}:{stage}:{tier or '*'}", before=before,
        after={"deadline": _iso(deadline), "authority": authority.name}, reason=reason,
    )
    return obj


def current_campaign() -> Campaign | None:
    return Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("-year").first()


def require_open_campaign() -> Campaign:
    """The campaign enterprises work in now; refused when none is open."""
    campaign = current_campaign()
    if campaign is None:
        raise TransitionNotAllowed(_("当前没有开放的年度行动。"))
    return campaign


def calendar_for(campaign: Campaign, *, enterprise: Enterprise | None = None, authority: Authority | None = None):
    """Every stage with the deadline that binds this actor (for calendars on pages and the API)."""
    actor = enterprise if enterprise is not None else authority
    return calendars_for([campaign], [actor])[(campaign.pk, actor)]


def calendars_for(campaigns, actors) -> dict:
    """``calendar_for`` of every campaign for every actor (an enterprise, an authority or None), keyed
    by (campaign pk, actor), in a number of queries that does not grow with the campaigns or the
    enterprises: the deadlines are those ``deadline_for`` gives (for no particular tier)."""
    campaigns, actors = list(campaigns), list(dict.fromkeys(actors))
    enterprises = [a for a in actors if isinstance(a, Enterprise)]
    above = authorities_above_enterprises(enterprises)
    setters = {a: above[a.pk] if isinstance(a, Enterprise) else authorities_above_authority(a) if a is not None else []
               for a in actors}
    defaults = {(d.campaign_id, d.stage): d.deadline
                for d in StageDeadline.objects.filter(campaign__in=campaigns, tier="")}
    everyone = {x.pk for found in setters.values() for x in found} | {a.pk for a in actors if isinstance(a, Authority)}
    extensions, overrides = {}, {}
    for model, into in ((DeadlineExtension, extensions), (DeadlineOverride, overrides)):
        for campaign_id, stage, authority_id, deadline in model.objects.filter(
                campaign__in=campaigns, tier="", authority_id__in=everyone).values_list(
                    "campaign_id", "stage", "authority_id", "deadline"):
            into.setdefault((campaign_id, stage), []).append((authority_id, deadline))
    out = {}
    for campaign in campaigns:
        for actor in actors:
            above_actor = {x.pk for x in setters[actor]}
            provinces = above_actor | {actor.pk} if isinstance(actor, Authority) else above_actor
            rows = []
            for stage in Stage:
                key = (campaign.pk, stage.value)
                candidates = []
                if key in defaults:  # the ministry may have extended the default for the actor's province only
                    candidates = [max([defaults[key], *(d for a, d in extensions.get(key, []) if a in provinces)])]
                candidates += [d for a, d in overrides.get(key, []) if a in above_actor]
                if candidates:
                    rows.append({"stage": stage.value, "label": stage.label, "deadline": min(candidates)})
            out[(campaign.pk, actor)] = rows
    return out


def framework_spec_for(campaign: Campaign):
    """The framework version the campaign pins, with the campaign's thresholds applied."""
    from smartfactory.frameworks.services import spec_for

    overrides = dict(campaign.rule_thresholds.values_list("rule_id", "threshold"))
    return spec_for(campaign.framework_version, overrides)


@transaction.atomic
def set_rule_threshold(campaign: Campaign, *, rule_id: str, threshold, actor, reason: str) -> RuleThreshold:
    """Ministry staff set a campaign's threshold for one rule. The value is checked by building the
    spec with it (a threshold the engine cannot use is refused). Side effects: audit event with
    before/after; assessments of the campaign should then be re-scored (see assessments.tasks)."""
    from smartfactory.frameworks.services import spec_for
    from smartfactory.frameworks.spec import FrameworkDataError

    if not is_ministry_staff_or_platform_admin(actor):
        raise NotPermitted()
    if not reason:
        raise InvalidInput(_("调整阈值必须说明依据。"), field="reason")
    spec = spec_for(campaign.framework_version)
    rule = next((r for r in spec.rules if r.id == rule_id), None)
    if rule is None or rule.kind == "expert_judgement":
        raise InvalidInput(_("该规则不存在或由专家评审判断，不能设定阈值。"), field="rule_id")
    _validate_threshold(rule, threshold, spec)
    overrides = dict(campaign.rule_thresholds.exclude(rule_id=rule_id).values_list("rule_id", "threshold"))
    try:
        spec_for(campaign.framework_version, {**overrides, rule_id: threshold})
    except FrameworkDataError as error:
        raise InvalidInput(str(error), field="threshold") from None
    existing = RuleThreshold.objects.select_for_update().filter(campaign=campaign, rule_id=rule_id).first()
    before = {"threshold": existing.threshold if existing else rule.threshold}
    obj, _created = RuleThreshold.objects.update_or_create(
        campaign=campaign, rule_id=rule_id, defaults={"threshold": threshold, "reason": reason, "set_by": actor}
    )
    record_event("campaign.rule_threshold_set", actor=actor, object_type="campaigns.rulethreshold",
                 object_id=f"{campaign.year}:{rule_id}", before=before, after={"threshold": threshold}, reason=reason)
    return obj


def _is_count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _validate_threshold(rule, threshold, spec) -> None:
    checks = {
        "cmmm_level": lambda t: _is_count(t) and 1 <= t <= 5,
        "ai_share": lambda t: isinstance(t, int | float) and not isinstance(t, bool) and 0 <= t <= 1,
        "kpi_benchmark": lambda t: t in spec.kpi_levels,
        "dimension_coverage": lambda t: isinstance(t, list) and set(t) <= set(spec.dimensions),
        "scenario_count": lambda t: isinstance(t, dict) and not set(t) - set(spec.tier_ids)
        and all(v is None or _is_count(v) for v in t.values()),
    }
    if not checks[rule.kind](threshold):
        raise InvalidInput(_("阈值格式不符合该规则。"), field="threshold")
