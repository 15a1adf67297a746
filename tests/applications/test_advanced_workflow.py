"""The advanced-tier workflow: district → city → province certification with the co-departments'
concurrence, returns with resubmission and a diff, per-level deadlines, prerequisites, permissions."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from smartfactory.applications import services
from smartfactory.applications.concurrence import give_concurrence, record_concurrence_letter
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import Review
from smartfactory.applications.workflow import allowed_actions, transition
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import ReviewChain
from smartfactory.errors import DeadlinePassed, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.organisations.models import TierAward
from tests import factories as f
from tests.factories.applications import (
    BEFORE_ALL,
    CITY_DEADLINE,
    CONTENT,
    COUNTY_DEADLINE,
    ENTERPRISE_DEADLINE,
    run,
)

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")


@pytest.mark.rule("P5", "R3")
def test_district_city_province_certification_writes_tier_history(world):
    u = world["users"]
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = run(world, Action.SUBMIT, "enterprise")
        assert [s["level"] for s in app.chain] == ["county", "city", "province"]
        assert app.current_authority == world["wuhou"]
        assert allowed_actions(app, u["district"]) == [Action.APPROVE, Action.RETURN, Action.REJECT]
        assert allowed_actions(app, u["city"]) == []
        app = run(world, Action.APPROVE, "district")
        assert app.current_authority == world["chengdu"]
        app = run(world, Action.APPROVE, "city")
        assert app.current_authority == world["sichuan"]
        with pytest.raises(TransitionNotAllowed):
            run(world, Action.APPROVE, "province")  # the last level decides by certifying
        with pytest.raises(NotPermitted):
            run(world, Action.CERTIFY, "province_reviewer")
        ndrc_staff = f.user(role=Role.AUTHORITY_REVIEWER, authority=world["co"][0])
        give_concurrence(app, actor=ndrc_staff)  # by its own account
        with pytest.raises(NotEligible) as exc:
            run(world, Action.CERTIFY, "province")
        assert "四川省财政厅" in exc.value.message
        record_concurrence_letter(app, actor=u["province"], authority=world["co"][1], letter_number="川财函〔2041〕1号")
        app = run(world, Action.CERTIFY, "province")
    assert app.state == State.AWARDED
    assert app.certificate_no.endswith("〔2041〕0001号")
    award = TierAward.objects.get(factory=world["factory"], year=2041, tier="advanced")
    assert award.authority == world["sichuan"] and award.certificate_no == app.certificate_no
    reviews = list(Review.objects.filter(application=app).values_list("level", "decision"))
    assert reviews == [("county", "approve"), ("city", "approve"), ("province", "certify")]
    assert set(Review.objects.get(decision="certify").concurrence) == {str(a.id) for a in world["co"]}
    actions = list(AuditEvent.objects.filter(object_id=str(app.id)).values_list("action", flat=True))
    assert actions[-6:] == ["application.submit", "application.approve", "application.approve",
                            "application.concurrence", "application.concurrence", "application.certify"]


@pytest.mark.rule("P4")
def test_return_resubmit_and_the_reviewer_sees_the_diff(world):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        run(world, Action.APPROVE, "district")
        with pytest.raises(InvalidInput):
            run(world, Action.RETURN, "city", reason="  ")
        app = run(world, Action.RETURN, "city", reason="请补充投入明细")
        assert app.state == State.RETURNED
        services.update_content(app, actor=world["users"]["enterprise"], data={"investment": "1350", "highlights": "效率提升25%"})
        app = run(world, Action.RESUBMIT, "enterprise")
    assert app.state == State.IN_REVIEW and app.current_authority == world["chengdu"] and app.version == 2
    changes = {c["field"]: (c["old"], c["new"]) for c in services.changes_since_return(app)}
    assert changes == {"highlights": ("效率提升20%", "效率提升25%"), "investment": ("1200", "1350")}


@pytest.mark.rule("R22")
@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (0, False), (1, False)])
def test_county_review_deadline_boundary(world, offset, allowed):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
    with time_machine.travel(COUNTY_DEADLINE + timedelta(seconds=offset), tick=False):
        if allowed:
            assert run(world, Action.APPROVE, "district").current_authority == world["chengdu"]
        else:
            with pytest.raises(DeadlinePassed):
                run(world, Action.APPROVE, "district")


@pytest.mark.rule("P3", "R22")
@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (0, False), (1, False)])
def test_resubmission_before_the_returning_levels_deadline(world, offset, allowed):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        run(world, Action.APPROVE, "district")
        run(world, Action.RETURN, "city", reason="补充")
    with time_machine.travel(CITY_DEADLINE + timedelta(seconds=offset), tick=False):
        if allowed:
            run(world, Action.RESUBMIT, "enterprise")
        else:
            with pytest.raises(DeadlinePassed):
                run(world, Action.RESUBMIT, "enterprise")


@pytest.mark.rule("R7")
@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (0, False), (1, False)])
def test_enterprise_submission_deadline(world, offset, allowed):
    with time_machine.travel(ENTERPRISE_DEADLINE + timedelta(seconds=offset), tick=False):
        if allowed:
            run(world, Action.SUBMIT, "enterprise")
        else:
            with pytest.raises(DeadlinePassed):
                run(world, Action.SUBMIT, "enterprise")


@pytest.mark.rule("R3")
def test_without_basic_tier_cannot_submit(world):
    TierAward.objects.filter(factory=world["factory"]).delete()
    with time_machine.travel(BEFORE_ALL, tick=False), pytest.raises(NotEligible) as exc:
        run(world, Action.SUBMIT, "enterprise")
    assert "基础级" in exc.value.message


@pytest.mark.rule("P2")
def test_incomplete_cannot_submit_and_submitted_cannot_be_edited(world):
    services.update_content(world["app"], actor=world["users"]["enterprise"], data={"summary": ""})
    with time_machine.travel(BEFORE_ALL, tick=False):
        with pytest.raises(NotEligible):
            run(world, Action.SUBMIT, "enterprise")
        services.update_content(world["app"], actor=world["users"]["enterprise"], data={"summary": "补全"})
        run(world, Action.SUBMIT, "enterprise")
    with pytest.raises(TransitionNotAllowed):
        services.update_content(world["app"], actor=world["users"]["enterprise"], data={"summary": "偷改"})


def test_wrong_level_or_outsider_cannot_act(world):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        for who in ("city", "province", "other_district", "enterprise"):
            with pytest.raises(NotPermitted):
                run(world, Action.APPROVE, who)
        with pytest.raises(TransitionNotAllowed):
            run(world, Action.SUBMIT, "enterprise")  # submit twice


@pytest.mark.rule("P7")
def test_withdraw_only_before_the_first_review(world):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        run(world, Action.APPROVE, "district")
        with pytest.raises(TransitionNotAllowed):
            run(world, Action.WITHDRAW, "enterprise")


def test_configured_chain_city_then_province_and_soe_channel(world):
    ReviewChain.objects.create(campaign=world["campaign"], province_code="510000", tier="advanced",
                               levels=["city", "province"])
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = run(world, Action.SUBMIT, "enterprise")
    assert [s["level"] for s in app.chain] == ["city", "province"]
    group = f.authority(None, level=AuthorityLevel.NATIONAL, kind=AuthorityKind.CENTRAL_SOE, name="集团X",
                        department=Department.HEADQUARTERS)
    member = f.enterprise("330212", soe=group)
    factory = f.factory(member)
    f.award(factory, "basic", year=2040)
    leader = f.user("soe-leader", role=Role.AUTHORITY_LEADER, authority=group)
    ent_user = f.user("soe-ent", role=Role.ENTERPRISE_ADMIN, enterprise=member)
    f.self_assessment(factory, world["campaign"], "advanced")
    soe_app = services.create_application(factory, world["campaign"], tier="advanced", actor=ent_user)
    services.update_content(soe_app, actor=ent_user, data=CONTENT)
    with time_machine.travel(BEFORE_ALL, tick=False):
        soe_app = transition(soe_app, Action.SUBMIT, actor=ent_user)
        assert soe_app.chain == [{"level": "soe_hq", "authority": str(group.id)}]
        soe_app = transition(soe_app, Action.CERTIFY, actor=leader)  # no co-departments for a group
    assert soe_app.state == State.AWARDED
    assert TierAward.objects.get(factory=factory, tier="advanced").authority == group
