"""To-do lists (待办): for the signed-in user, every object on which they have an action to take,
ordered by deadline. Each item says what to do, the deadline and the days left, with a link.

An item is listed when the object is in a state from which one of the user's actions leaves and the
user is who may take it: the same two columns of the workflow tables (``sources`` and ``who``) that
``smartfactory.workflow.available_actions`` checks first, evaluated here in SQL so that the query
count does not grow with the number of objects (one query per kind of object, deadlines memoised
per campaign, stage and authority). Whether a guard would still refuse (a deadline passed, the
quota full) is for the object's page to say; the to-do shows the deadline and "已逾期".
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.applications.deadlines import level_stages, resubmission_stages
from smartfactory.applications.enums import State
from smartfactory.applications.models import TierApplication
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.services import deadline_for
from smartfactory.evaluation.models import Assignment, Evaluation, EvaluationState
from smartfactory.organisations.enums import MembershipStatus, Role, Tier
from smartfactory.organisations.models import Membership
from smartfactory.organisations.rules import is_miit_staff
from smartfactory.recommendations.concurrence import concurrences_for
from smartfactory.recommendations.models import Batch
from smartfactory.recommendations.queries import co_departments, recommender_authority

from .follow_up import follow_up_for
from .item import Item, Recommenders

REVIEWER_ROLES = (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)


class _Deadlines:
    """``deadline_for`` memoised per (campaign, stage, tier, who): a list of many objects of the same
    campaign and level costs the queries of one."""

    def __init__(self) -> None:
        self._seen: dict = {}

    def __call__(self, campaign, stage: str, *, tier: str, **whose):
        key = (campaign.pk, stage, tier, *((k, getattr(v, "pk", v)) for k, v in sorted(whose.items())))
        if key not in self._seen:
            self._seen[key] = deadline_for(campaign, stage, tier=tier, **whose)
        return self._seen[key]

    def earliest(self, app, stages) -> datetime | None:
        found = [d for stage, whose in stages if (d := self(app.campaign, stage, tier=app.tier, **whose)) is not None]
        return min(found) if found else None


def _memberships(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).select_related("authority"))


def _what_app(app) -> str:
    return _("%(f)s · %(y)s年度%(t)s") % {"f": app.factory.name, "y": app.campaign.year, "t": Tier(app.tier).label}


def _applications(user, memberships, deadlines: _Deadlines) -> list[Item]:
    enterprises = [m.enterprise_id for m in memberships
                   if m.enterprise_id and m.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER)]
    authorities = [m.authority_id for m in memberships if m.authority_id and m.role in REVIEWER_ROLES]
    q = Q(pk__in=[])
    if enterprises:
        q |= Q(factory__enterprise_id__in=enterprises, state__in=[State.DRAFT, State.RETURNED])
    if authorities:
        q |= Q(current_authority_id__in=authorities, state=State.IN_REVIEW)
    items = []
    apps = TierApplication.objects.filter(q).select_related(
        "factory", "factory__enterprise", "factory__county", "campaign", "current_authority")
    for app in apps:
        if app.state == State.DRAFT:
            deadline = deadlines(app.campaign, Stage.ENTERPRISE_SUBMISSION, tier=app.tier, enterprise=app.factory.enterprise)
            items.append(Item("application", _("填写并提交申报"), _what_app(app), f"/portal/applications/{app.pk}/", deadline))
        elif app.state == State.RETURNED:
            items.append(Item("application", _("按退回意见修改后重新提交"), _what_app(app), f"/portal/applications/{app.pk}/",
                              deadlines.earliest(app, resubmission_stages(app))))
        else:
            last = app.current_step == len(app.chain) - 1
            what = (_("认定或退回") if app.tier == Tier.ADVANCED else _("推荐或退回")) if last else _("审核并报送上级或退回")
            items.append(Item("application", what, f"{app.factory.enterprise.name} · {_what_app(app)}",
                              f"/console/applications/{app.pk}/", deadlines.earliest(app, level_stages(app))))
    return items


def _assignments(user) -> list[Item]:
    rows = Assignment.objects.filter(expert__user=user, expert__active=True, submitted_at__isnull=True,
                                     evaluation__state=EvaluationState.EXPERT_REVIEW).select_related(
        "evaluation__application__factory")
    return [Item("assignment", _("评分并提交评审意见"), a.evaluation.application.factory.name,
                 f"/console/evaluation/{a.evaluation_id}/", a.due_at) for a in rows]


def _evaluations(user, memberships, miit: bool) -> list[Item]:
    items = []
    if miit:
        for e in Evaluation.objects.filter(state=EvaluationState.AWAITING_CHECK).select_related("application__factory"):
            items.append(Item("evaluation", _("形式审查"), e.application.factory.name, f"/console/evaluation/{e.pk}/"))
    authorities = {m.authority_id for m in memberships if m.authority_id and m.role in REVIEWER_ROLES}
    if authorities:
        returned = Evaluation.objects.filter(state=EvaluationState.RETURNED, application__quota__isnull=False).select_related(
            "application__factory", "application__quota", "application__quota__soe_group")
        recommenders = Recommenders()  # one lookup per quota, not per evaluation
        for e in returned:
            if recommenders.recommends(e.application.quota, authorities):
                items.append(Item("evaluation", _("按形式审查意见补正后重新报送"), e.application.factory.name,
                                  f"/console/evaluation/{e.pk}/"))
    return items


def _batches(user, memberships, deadlines: _Deadlines) -> list[Item]:
    """The recommender's leader finalises and submits; a co-department concurs with the order."""
    from smartfactory.recommendations.services import quotas_for_user

    items = []
    mine = {m.authority_id: m for m in memberships if m.authority_id and m.role in REVIEWER_ROLES}
    if not mine:
        return items
    batches = Batch.objects.filter(quota__in=quotas_for_user(user), status__in=[Batch.Status.OPEN, Batch.Status.FINALISED],
                                   quota__applications__state=State.RECOMMENDED).distinct().select_related(
        "quota", "quota__campaign", "quota__soe_group")
    for batch in batches:
        quota = batch.quota
        recommender = recommender_authority(quota)
        deadline = deadlines(quota.campaign, Stage.RECOMMENDER_ONLINE_REVIEW, tier=quota.tier, authority=recommender)
        subject = _("%(y)s年度%(t)s推荐批次 · %(n)s") % {"y": quota.campaign.year, "t": Tier(quota.tier).label, "n": quota.name}
        link = f"/console/recommendations/{quota.pk}/"
        leader = recommender is not None and recommender.pk in mine and mine[recommender.pk].role == Role.AUTHORITY_LEADER
        if leader:
            what = _("排序、定稿") if batch.status == Batch.Status.OPEN else _("上传盖章扫描件并报送工业和信息化部")
            items.append(Item("batch", what, subject, link, deadline))
        elif batch.status == Batch.Status.OPEN:
            given = {c.authority_id for c in concurrences_for(batch)}
            if any(a.pk in mine and a.pk not in given for a in co_departments(quota)):
                items.append(Item("batch", _("对推荐顺序会签"), subject, link, deadline))
    return items


def todo_for_user(user) -> list[Item]:
    """Everything waiting for this user, the nearest deadline first (items without one last)."""
    if not user.is_authenticated:
        return []
    memberships = _memberships(user)
    deadlines = _Deadlines()
    miit = is_miit_staff(user)
    items = [*_applications(user, memberships, deadlines), *_assignments(user), *_evaluations(user, memberships, miit),
             *_batches(user, memberships, deadlines), *follow_up_for(user, memberships, miit=miit)]
    far = datetime.max.replace(tzinfo=timezone.get_current_timezone())
    return sorted(items, key=lambda i: (i.deadline or far, i.subject))
