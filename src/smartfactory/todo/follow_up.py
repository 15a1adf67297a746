"""To-dos after the selection: the enterprise confirms a site visit's date, answers a supervision
notice, confirms the yearly re-check, files its progress reports and its acceptance application;
the recommender reviews an acceptance application; the deciding authority decides a supervision
case once heard; MIIT handles the objections to a 公示.

As in ``items``: the state and who-may columns of each workflow table, evaluated in SQL, one query
per kind of object whatever the number of objects (who-may that needs a lookup per recommender is
memoised per quota)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.campaigns.services import end_of_day
from smartfactory.cultivation.models import (
    AcceptanceApplication,
    AcceptanceState,
    CultivationObject,
    ProgressReport,
)
from smartfactory.evaluation.models import EvaluationState, Objection, Publicity, SiteVisit
from smartfactory.organisations.enums import AwardStatus, Role
from smartfactory.supervision.enums import OPEN_STATES, CaseState, RoundState
from smartfactory.supervision.models import RecheckItem
from smartfactory.supervision.policy import policy
from smartfactory.supervision.queries import cases_for_user
from smartfactory.supervision.rules import SUPERVISOR_ROLES, is_provincial

from .item import Item, Recommenders

REVIEWER_ROLES = (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)


def _admin_of(memberships) -> list:
    return [m.enterprise_id for m in memberships if m.enterprise_id and m.role == Role.ENTERPRISE_ADMIN]


def _enterprise_of(memberships) -> list:
    return [m.enterprise_id for m in memberships
            if m.enterprise_id and m.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER)]


def site_visits(user, memberships) -> list[Item]:
    """A proposed site-visit date the enterprise has not confirmed: by the day before the visit."""
    mine = _enterprise_of(memberships)
    if not mine:
        return []
    rows = SiteVisit.objects.filter(agreed_at__isnull=True, outcome="", evaluation__state=EvaluationState.SITE_VISIT,
                                    evaluation__application__factory__enterprise_id__in=mine
                                    ).select_related("evaluation__application__factory")
    return [Item("site_visit", _("确认现场核查日期（%(d)s）") % {"d": v.scheduled_for.isoformat()},
                 v.evaluation.application.factory.name, f"/site-visits/{v.pk}/",
                 end_of_day(v.scheduled_for - timedelta(days=1))) for v in rows]


def objections(miit: bool) -> list[Item]:
    """Open objections to a running 公示: MIIT handles each before the list can be finalised."""
    if not miit:
        return []
    rows = Objection.objects.filter(status=Objection.Status.OPEN, publicity__status=Publicity.Status.OPEN
                                    ).select_related("publicity", "evaluation__application__factory")
    return [Item("objection", _("处理公示异议"), o.evaluation.application.factory.name,
                 f"/console/publicity/{o.publicity_id}/", o.publicity.ends_at) for o in rows]


def progress_reports(user, memberships) -> list[Item]:
    """The next unsubmitted progress report of each 领航级 object under cultivation (late ones too)."""
    mine = _enterprise_of(memberships)
    if not mine:
        return []
    cultivations = CultivationObject.objects.filter(
        status=CultivationObject.Status.CULTIVATING, factory__enterprise_id__in=mine,
        reports__submitted_at__isnull=True).annotate(next_due=Min("reports__due_on", filter=Q(
            reports__submitted_at__isnull=True))).select_related("factory")
    reports = {(r.cultivation_id, r.due_on): r for r in ProgressReport.objects.filter(
        submitted_at__isnull=True, cultivation__in=[c.pk for c in cultivations])}
    items = []
    for c in cultivations:
        report = reports.get((c.pk, c.next_due))
        if report is not None:
            items.append(Item("progress_report", _("提交第%(n)d期培育进展报告") % {"n": report.sequence},
                              c.factory.name, f"/cultivation/{c.pk}/", end_of_day(report.due_on)))
    return items


def acceptances(user, memberships) -> list[Item]:
    """The enterprise drafts (until its period ends) or revises its acceptance application; the
    recommender's reviewers review a submitted one."""
    items = []
    mine = _enterprise_of(memberships)
    if mine:
        for a in AcceptanceApplication.objects.filter(
                state__in=[AcceptanceState.DRAFT, AcceptanceState.RETURNED], cultivation__factory__enterprise_id__in=mine,
                cultivation__status=CultivationObject.Status.CULTIVATING).select_related("cultivation__factory"):
            what = _("填写并提交验收申请") if a.state == AcceptanceState.DRAFT else _("按初审意见修改后重新提交验收申请")
            items.append(Item("acceptance", what, a.cultivation.factory.name,
                              f"/cultivation/{a.cultivation_id}/acceptance/", end_of_day(a.cultivation.ends_on)))
    authorities = {m.authority_id for m in memberships if m.authority_id and m.role in REVIEWER_ROLES}
    if authorities:
        recommenders = Recommenders()
        for a in AcceptanceApplication.objects.filter(
                state=AcceptanceState.SUBMITTED, cultivation__application__quota__isnull=False).select_related(
                "cultivation__factory", "cultivation__application__quota",
                "cultivation__application__quota__soe_group"):
            if recommenders.recommends(a.cultivation.application.quota, authorities):
                items.append(Item("acceptance", _("验收申请初审"), a.cultivation.factory.name,
                                  f"/cultivation/{a.cultivation_id}/acceptance/"))
    return items


def supervision(user, memberships, miit: bool) -> list[Item]:
    """The enterprise's administrators answer a notice (陈述申辩) by its deadline and confirm the
    yearly re-check; the deciding authority decides a case once heard (answered, or its deadline
    passed)."""
    items = []
    admin_of = _admin_of(memberships)
    now = timezone.now()
    if admin_of:
        for case in cases_for_user(user).filter(state=CaseState.NOTIFIED, award__factory__enterprise_id__in=admin_of):
            if now < case.response_deadline:
                items.append(Item("supervision", _("陈述申辩"), case.award.factory.name,
                                  f"/portal/supervision/cases/{case.pk}/", case.response_deadline))
        for item in RecheckItem.objects.filter(
                confirmed_at__isnull=True, round__state=RoundState.OPEN, award__status=AwardStatus.ACTIVE,
                award__factory__enterprise_id__in=admin_of).select_related("round", "award__factory"):
            items.append(Item("recheck", _("确认仍满足基本要求（年度复核）"), item.award.factory.name,
                              f"/portal/supervision/recheck/{item.pk}/", item.round.deadline))
    supervising = [m for m in memberships if m.role in SUPERVISOR_ROLES and m.authority_id]
    if supervising or miit:
        ministry_tiers = policy().ministry_decides_tiers
        for case in cases_for_user(user).filter(state__in=sorted(OPEN_STATES)):
            if case.state == CaseState.NOTIFIED and now < case.response_deadline:
                continue  # not heard yet
            if _decides(case.award, supervising, miit, ministry_tiers):
                items.append(Item("supervision", _("作出监督决定"), case.award.factory.name,
                                  f"/console/supervision/{case.pk}/"))
    return items


def _decides(award, supervising, miit: bool, ministry_tiers) -> bool:
    """``supervision.rules.can_decide_case`` without a query per case: the case is already in the
    user's scope, so a provincial supervisor of that scope covers it."""
    if award.tier in ministry_tiers:
        return miit
    if award.authority_id:
        return any(m.authority_id == award.authority_id for m in supervising)
    return any(is_provincial(m.authority) for m in supervising)


def follow_up_for(user, memberships, *, miit: bool) -> list[Item]:
    """``miit``: ``is_miit_staff(user)``, asked once per list."""
    return [*site_visits(user, memberships), *objections(miit), *progress_reports(user, memberships),
            *acceptances(user, memberships), *supervision(user, memberships, miit)]

