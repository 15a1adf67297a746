"""To-dos after the selection, per kind of object: what to do, the subject, the link and the
deadline; only the user who may act sees it; the query count does not grow with the objects."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartfactory.cultivation.models import AcceptanceApplication, AcceptanceState, ProgressReport
from smartfactory.evaluation.models import EvaluationState, Objection, Publicity, SiteVisit
from smartfactory.organisations.enums import AuthorityLevel, Role, Tier
from smartfactory.supervision.models import RecheckItem, RecheckRound
from smartfactory.todo.items import todo_for_user
from tests import factories as f
from tests.factories.cultivation import CultivationObjectFactory
from tests.factories.evaluation import EvaluationFactory

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=BJ)


def _enterprise_world(n: int) -> dict:
    """One enterprise with ``n`` factories, each with a site visit to confirm, a 领航级 object with
    its first report unsubmitted (the second later), an acceptance draft and a re-check to confirm."""
    enterprise = f.enterprise("510107", name="蜀都智造有限公司")
    admin = f.user("sd-admin", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    campaign = f.CampaignFactory(year=2026)
    round_ = RecheckRound.objects.create(campaign=campaign, opened_at=NOW, due_on=date(2026, 3, 31))
    for i in range(n):
        factory = f.factory(enterprise, name=f"蜀都{i + 1}号工厂")
        evaluation = EvaluationFactory(application__factory=factory, application__campaign=campaign,
                                       state=EvaluationState.SITE_VISIT)
        SiteVisit.objects.create(evaluation=evaluation, scheduled_for=date(2026, 3, 20))
        cultivation = CultivationObjectFactory(factory=factory, campaign=campaign)
        ProgressReport.objects.create(cultivation=cultivation, sequence=1, due_on=date(2026, 5, 1))
        ProgressReport.objects.create(cultivation=cultivation, sequence=2, due_on=date(2026, 11, 1))
        ProgressReport.objects.create(cultivation=cultivation, sequence=0, due_on=date(2025, 11, 1),
                                      submitted_at=NOW - timedelta(days=90))  # filed: not a to-do
        AcceptanceApplication.objects.create(cultivation=cultivation, state=AcceptanceState.DRAFT)
        RecheckItem.objects.create(round=round_, award=f.award(factory, Tier.ADVANCED, year=2024))
    return {"enterprise": enterprise, "admin": admin, "campaign": campaign}


def _counted(user):
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        items = todo_for_user(user)
    return items, len(ctx.captured_queries)


def test_the_enterprise_sees_each_follow_up_with_its_deadline():
    w = _enterprise_world(1)
    items, _queries = _counted(w["admin"])
    got = {i.kind: (i.what, i.subject, i.deadline_text) for i in items}
    assert got == {
        "site_visit": ("确认现场核查日期（2026-03-20）", "蜀都1号工厂", "2026-03-19 24:00"),
        "progress_report": ("提交第1期培育进展报告", "蜀都1号工厂", "2026-05-01 24:00"),
        "acceptance": ("填写并提交验收申请", "蜀都1号工厂", "2027-11-01 24:00"),
        "recheck": ("确认仍满足基本要求（年度复核）", "蜀都1号工厂", "2026-03-31 24:00"),
    }
    assert [i.kind for i in items] == ["site_visit", "recheck", "progress_report", "acceptance"]  # by deadline
    member = f.user("sd-member", role=Role.ENTERPRISE_MEMBER, enterprise=w["enterprise"])
    assert {i.kind for i in _counted(member)[0]} == {"site_visit", "progress_report", "acceptance"}  # admins confirm
    stranger = f.user("xh-admin", role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("330106"))
    assert _counted(stranger)[0] == []


def test_a_confirmed_visit_a_filed_report_and_a_submitted_acceptance_leave_the_list():
    w = _enterprise_world(1)
    SiteVisit.objects.update(agreed_at=NOW)
    ProgressReport.objects.filter(sequence=1).update(submitted_at=NOW)
    AcceptanceApplication.objects.update(state=AcceptanceState.SUBMITTED)
    RecheckItem.objects.update(confirmed_at=NOW)
    items, _queries = _counted(w["admin"])
    assert [(i.kind, i.what) for i in items] == [("progress_report", "提交第2期培育进展报告")]


@pytest.mark.parametrize("n", [1, 3])
def test_the_enterprise_s_query_count_does_not_grow(n):
    w = _enterprise_world(n)
    items, queries = _counted(w["admin"])
    assert len(items) == 4 * n
    assert queries == 12


def _objections(n: int) -> dict:
    campaign = f.CampaignFactory(year=2026)
    publicity = Publicity.objects.create(campaign=campaign, tier=Tier.EXCELLENT, title="2026年度卓越级智能工厂拟入选名单公示",
                                         starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=4))
    for i in range(n):
        evaluation = EvaluationFactory(application__campaign=campaign, application__factory__name=f"异议{i}号工厂",
                                       state=EvaluationState.PROPOSED, publicity=publicity)
        Objection.objects.create(publicity=publicity, evaluation=evaluation, submitter_name="张三",
                                 contact_encrypted="x", content="该工厂申报数据不实。")
    return {"publicity": publicity, "staff": f.user("miit-staff", role=Role.MINISTRY_STAFF, authority=f.ministry())}


@pytest.mark.parametrize("n", [1, 3])
def test_miit_handles_each_open_objection_before_the_notice_ends(n):
    w = _objections(n)
    items, queries = _counted(w["staff"])
    objections = [i for i in items if i.kind == "objection"]
    assert len(objections) == n and queries == 8
    assert {(i.what, i.link, i.deadline) for i in objections} == {
        ("处理公示异议", f"/console/publicity/{w['publicity'].pk}/", w["publicity"].ends_at)}
    Objection.objects.update(status=Objection.Status.DISMISSED)
    assert [i for i in _counted(w["staff"])[0] if i.kind == "objection"] == []


def test_nobody_but_miit_sees_the_objections():
    _objections(1)
    province = f.user("sc-leader", role=Role.AUTHORITY_LEADER, authority=f.authority("510000", level=AuthorityLevel.PROVINCE))
    assert [i for i in _counted(province)[0] if i.kind == "objection"] == []
