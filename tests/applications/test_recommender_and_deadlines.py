"""One recommending authority for the chain, the quota and the statistics (issue 12 point 3), and the
deadlines that close what the notice closes (point 5: R7, R13, resubmission)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from smartfactory.applications import services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import TierApplication
from smartfactory.applications.recommender import quota_of, recommender_for
from smartfactory.applications.workflow import transition
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import StageDeadline
from smartfactory.campaigns.quotas import compute_quotas
from smartfactory.campaigns.services import end_of_day, format_deadline
from smartfactory.errors import DeadlinePassed
from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f
from tests.factories.applications import (
    BEFORE_ALL,
    CITY_DEADLINE,
    CONTENT,
    ENTERPRISE_DEADLINE,
    ready_excellent,
    run,
    submitted_excellent,
)

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
MS = timedelta(milliseconds=1)


# ------------------------------------------------------------------ who recommends
def _ningbo_enterprise_with_a_chengdu_factory(campaign):
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE, name="浙江省经济和信息化厅")
    ningbo = f.authority("330200", level=AuthorityLevel.CITY, parent=zhejiang, name="宁波市经济和信息化局")
    enterprise = f.enterprise("330203")  # registered in 宁波 (计划单列市)
    factory = f.factory(enterprise)
    factory.county = f.division("510107")  # the factory is in 成都
    factory.save()
    f.award(factory, "basic", year=2040)
    f.self_assessment(factory, campaign, "advanced")
    user = f.user("nb-applicant", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    return {"zhejiang": zhejiang, "ningbo": ningbo, "enterprise": enterprise, "factory": factory, "user": user}


@pytest.mark.rule("R12")
def test_the_registered_province_reviews_recommends_and_counts_the_application(world, client_for):
    nb = _ningbo_enterprise_with_a_chengdu_factory(world["campaign"])
    app = services.create_application(nb["factory"], world["campaign"], tier="advanced", actor=nb["user"])
    services.update_content(app, actor=nb["user"], data=CONTENT)
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = transition(app, Action.SUBMIT, actor=nb["user"])
    assert [s["authority"] for s in app.chain] == [str(nb["ningbo"].id), str(nb["zhejiang"].id)]
    assert app.province_code == "330000"  # the statistics and the paper copies follow the recommender
    reviewer = f.user("nb-city", role=Role.AUTHORITY_REVIEWER, authority=nb["ningbo"])
    page = client_for(reviewer).get(f"/console/applications/{app.id}/").content.decode()
    assert "申报工厂位于四川省" in page and "本申报由浙江省审核推荐并占用其名额" in page
    # Chengdu, where the factory lies, neither reviews it nor sees it
    assert client_for(world["users"]["city"]).get(f"/console/applications/{app.id}/").status_code == 404


@pytest.mark.rule("R12", "R21")
def test_campaign_rule_by_factory_location_sends_it_to_the_factorys_province(world, client_for):
    world["campaign"].recommender_basis = "factory"
    world["campaign"].save()
    nb = _ningbo_enterprise_with_a_chengdu_factory(world["campaign"])
    app = services.create_application(nb["factory"], world["campaign"], tier="advanced", actor=nb["user"])
    services.update_content(app, actor=nb["user"], data=CONTENT)
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = transition(app, Action.SUBMIT, actor=nb["user"])
    assert app.chain[0]["authority"] == str(world["wuhou"].id) and app.province_code == "510000"
    page = client_for(world["users"]["district"]).get(f"/console/applications/{app.id}/")
    assert page.status_code == 200 and "申报工厂位于" not in page.content.decode()


@pytest.mark.rule("R10", "R11", "R12", "R18")
def test_quota_follows_the_recommender_for_each_channel(setup):
    campaign = setup["campaign"]
    compute_quotas(campaign)
    group = f.soe_group("中国示例装备集团")
    compute_quotas(campaign)

    def quota(county, tier, **kw):
        enterprise = f.enterprise(county, **kw)
        factory = f.factory(enterprise)
        app = TierApplication(factory=factory, campaign=campaign, tier=tier)
        return recommender_for(enterprise, factory, campaign, tier), quota_of(app)

    rec, q = quota("330203", "excellent")  # 宁波, 计划单列市 → 浙江's quota (R12)
    assert (rec.kind, rec.province_code, q.province_code) == ("province", "330000", "330000")
    rec, q = quota("330212", "excellent", soe=group)  # a central-SOE member → its group's own (R11)
    assert rec.kind == "central_soe" and q.recommender == "central_soe" and q.soe_group_id == group.id
    rec, q = quota("330212", "leading", soe=group)  # leading: through the province (R18)
    assert rec.kind == "province" and q.recommender == "province" and q.province_code == "330000"
    rec, q = quota("659001", "excellent")  # XPCC's own (R11)
    assert rec.kind == "xpcc" and q.recommender == "xpcc"


# ------------------------------------------------------------------ R13: the recommender's online review
@pytest.mark.rule("R13")
@pytest.mark.parametrize("action", [Action.RECOMMEND, Action.RETURN, Action.REJECT])
@pytest.mark.parametrize(("offset", "allowed"), [(-MS, True), (timedelta(0), False), (MS, False)])
def test_province_actions_close_at_the_online_review_deadline(setup, action, offset, allowed):
    deadline = end_of_day(date(2042, 8, 1))
    StageDeadline.objects.create(campaign=setup["campaign"], stage=Stage.RECOMMENDER_ONLINE_REVIEW, deadline=deadline)
    compute_quotas(setup["campaign"])
    (app,) = submitted_excellent(setup, 1)
    leader = f.user("sc-leader", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    with time_machine.travel(deadline + offset, tick=False):
        if allowed:
            assert transition(app, action, actor=leader, reason="理由").state != State.IN_REVIEW
        else:
            with pytest.raises(DeadlinePassed) as exc:
                transition(app, action, actor=leader, reason="理由")
            assert "2042-08-01 24:00" in exc.value.message


# ------------------------------------------------------------------ R7: "7月18日前" includes the whole day
@pytest.mark.rule("R7")
@pytest.mark.parametrize(("instant", "allowed"), [
    (datetime(2042, 7, 18, 23, 59, 59, 999000, tzinfo=BJ), True),
    (datetime(2042, 7, 19, 0, 0, 0, 0, tzinfo=BJ), False),
])
def test_the_deadline_day_is_included_to_its_last_millisecond(setup, instant, allowed):
    StageDeadline.objects.filter(campaign=setup["campaign"]).update(deadline=end_of_day(date(2042, 7, 18)))
    app = ready_excellent(setup)
    with time_machine.travel(instant, tick=False):
        if allowed:
            assert transition(app, Action.SUBMIT, actor=setup["user"], cooperation=True).state == State.IN_REVIEW
        else:
            with pytest.raises(DeadlinePassed):
                transition(app, Action.SUBMIT, actor=setup["user"], cooperation=True)


def test_end_of_day_reads_as_24_00_and_the_demo_calendar_uses_it():
    deadline = end_of_day(date(2025, 7, 18))
    assert deadline == datetime(2025, 7, 19, tzinfo=BJ) and format_deadline(deadline) == "2025-07-18 24:00"


# ------------------------------------------------------------------ P3: resubmission after a return
def _returned_by_the_city(world):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        run(world, Action.APPROVE, "district")
        run(world, Action.RETURN, "city", reason="请补充投入明细")


@pytest.mark.rule("P3")
@pytest.mark.parametrize(("after_enterprise_deadline", "allowed"), [(True, True), (False, False)])
def test_resubmission_after_the_enterprise_deadline_is_campaign_data(world, after_enterprise_deadline, allowed):
    world["campaign"].resubmit_after_enterprise_deadline = after_enterprise_deadline
    world["campaign"].save()
    _returned_by_the_city(world)
    between = ENTERPRISE_DEADLINE + timedelta(days=1)
    assert between < CITY_DEADLINE
    with time_machine.travel(between, tick=False):
        if allowed:
            assert run(world, Action.RESUBMIT, "enterprise").state == State.IN_REVIEW
        else:
            with pytest.raises(DeadlinePassed):
                run(world, Action.RESUBMIT, "enterprise")


@pytest.mark.parametrize(("after_enterprise_deadline", "deadline", "rule"), [
    (True, "2041-07-25 23:59:59", "不受企业申报截止时间限制"),
    (False, "2041-07-18 23:59:59", "须在退回层级的审核截止时间和企业申报截止时间前"),
])
def test_the_return_notice_says_until_when(world, client_for, after_enterprise_deadline, deadline, rule):
    world["campaign"].resubmit_after_enterprise_deadline = after_enterprise_deadline
    world["campaign"].save()
    _returned_by_the_city(world)
    page = client_for(world["users"]["enterprise"]).get(f"/portal/applications/{world['app'].id}/")
    notice = page.content.decode()
    assert "请补充投入明细" in notice and f"请于 {deadline} 前修改后重新提交" in notice and rule in notice
