"""The review chain's own rules, each tried where it refuses: only the last level decides (R3, R13),
the province certifies 先进级 only (R3) and recommends 卓越级/领航级 only, within quota (R10, R17),
and recommends only what the recommending rule sends it (P20)."""

from __future__ import annotations

import pytest
import time_machine

from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import TierApplication
from smartfactory.applications.workflow import transition
from smartfactory.campaigns.quotas import compute_quotas
from smartfactory.errors import TransitionNotAllowed
from smartfactory.organisations.enums import Role
from smartfactory.organisations.models import Authority, TierAward
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
    BEFORE_ALL,
    run,
    submitted_excellent,
)

pytestmark = pytest.mark.django_db


@pytest.mark.rule("R3")
def test_only_the_last_level_certifies(world):
    leader = f.user("wuhou-leader", role=Role.AUTHORITY_LEADER, authority=world["wuhou"])
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = run(world, Action.SUBMIT, "enterprise")
        with pytest.raises(TransitionNotAllowed) as exc:
            transition(app, Action.CERTIFY, actor=leader, reason="认定")
    assert "只有最终审核层级可以认定" in exc.value.message
    assert not TierAward.objects.filter(factory=world["factory"], tier="advanced").exists()


@pytest.mark.rule("R3")
def test_the_province_does_not_certify_an_excellent_application(setup):
    compute_quotas(setup["campaign"])
    (app,) = submitted_excellent(setup, 1)
    leader = f.user("sc-leader", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    with time_machine.travel(BEFORE, tick=False), pytest.raises(TransitionNotAllowed) as exc:
        transition(app, Action.CERTIFY, actor=leader, reason="认定")
    assert "由六部门认定" in exc.value.message
    assert TierApplication.objects.get(pk=app.pk).state == State.IN_REVIEW


@pytest.mark.rule("R10", "R17")
def test_an_advanced_application_is_certified_not_recommended(world):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        run(world, Action.APPROVE, "district")
        app = run(world, Action.APPROVE, "city")
        with pytest.raises(TransitionNotAllowed) as exc:
            run(world, Action.RECOMMEND, "province")
    assert "无需占用推荐名额" in exc.value.message
    assert TierApplication.objects.get(pk=app.pk).state == State.IN_REVIEW


@pytest.mark.rule("R13")
def test_a_middle_level_forwards_and_does_not_recommend(setup):
    compute_quotas(setup["campaign"])
    (app,) = submitted_excellent(setup, 1)
    city = Authority.objects.get(division_id="510100", department="industry")
    TierApplication.objects.filter(pk=app.pk).update(
        chain=[{"level": "city", "authority": str(city.id)}, {"level": "province", "authority": str(setup["sichuan"].id)}],
        current_authority=city, current_step=0)
    leader = f.user("cd-leader", role=Role.AUTHORITY_LEADER, authority=city)
    with time_machine.travel(BEFORE, tick=False), pytest.raises(TransitionNotAllowed):
        transition(app, Action.RECOMMEND, actor=leader, reason="推荐")
    assert TierApplication.objects.get(pk=app.pk).quota_id is None


@pytest.mark.rule("P20", "R12", "R18")
def test_only_the_decided_recommender_recommends(setup):
    """The applicant is (now) registered in 宁波: 浙江 recommends it, not 四川 where its chain ended."""
    from smartfactory.organisations.models import Enterprise

    compute_quotas(setup["campaign"])
    (app,) = submitted_excellent(setup, 1)
    Enterprise.objects.filter(pk=app.factory.enterprise_id).update(county_id="330203", province_code="330000",
                                                                   city_code="330200")
    app = TierApplication.objects.get(pk=app.pk)
    leader = f.user("sc-leader", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    with time_machine.travel(BEFORE, tick=False), pytest.raises(TransitionNotAllowed) as exc:
        transition(app, Action.RECOMMEND, actor=leader, reason="推荐")
    assert "按本年度推荐规则，本申报不由" in exc.value.message
    assert TierApplication.objects.get(pk=app.pk).state == State.IN_REVIEW
