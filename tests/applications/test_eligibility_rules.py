"""Eligibility checks every rule of the target tier (issue 12 point 2): the CMMM level, independent
legal person, the tier's own element conditions, a tier already held; at open, at submit and in
MIIT's formal check."""

from __future__ import annotations

import pytest
import time_machine

from smartfactory.applications import services
from smartfactory.applications.eligibility import reasons_not_eligible
from smartfactory.applications.enums import Action
from smartfactory.applications.models import TierApplication
from smartfactory.applications.workflow import transition
from smartfactory.errors import NotEligible
from smartfactory.organisations.models import Enterprise
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
    BEFORE_ALL,
    ready_excellent,
    run,
)

pytestmark = pytest.mark.django_db


def refused_at_open(setup, tier="excellent") -> str:
    with pytest.raises(NotEligible) as exc:
        services.create_application(setup["factory"], setup["campaign"], tier=tier, actor=setup["user"])
    assert not TierApplication.objects.exists()
    return exc.value.message


# ------------------------------------------------------------------ the tier's element conditions
@pytest.mark.rule("R6")
def test_excellent_needs_cmmm_level_three(setup):
    f.self_assessment(setup["factory"], setup["campaign"], facts=f.facts_for("excellent", cmmm_level=2))
    assert "智能制造能力成熟度应达到三级及以上（当前2级）" in refused_at_open(setup)


@pytest.mark.rule("R16")
def test_leading_needs_cmmm_level_four(setup):
    f.award(setup["factory"], "excellent", year=2041, by=f.ministry())
    f.self_assessment(setup["factory"], setup["campaign"], facts=f.facts_for("leading", cmmm_level=3))
    assert "智能制造能力成熟度应达到四级及以上（当前3级）" in refused_at_open(setup, "leading")
    f.self_assessment(setup["factory"], setup["campaign"], "leading")
    assert services.create_application(setup["factory"], setup["campaign"], tier="leading", actor=setup["user"])


@pytest.mark.rule("R5")
def test_excellent_needs_an_independent_legal_person_in_the_self_assessment(setup):
    facts = f.facts_for("excellent")
    facts["basic_requirements"]["BR1b"] = False
    f.self_assessment(setup["factory"], setup["campaign"], facts=facts)
    assert "在中华人民共和国境内注册，具有独立法人资格" in refused_at_open(setup)


@pytest.mark.rule("R5")
def test_an_invalid_credit_code_is_refused(setup):
    Enterprise.objects.filter(pk=setup["enterprise"].pk).update(uscc="91510107MA00000000")
    setup["factory"].refresh_from_db()
    assert "统一社会信用代码" in refused_at_open(setup)


@pytest.mark.rule("R6")
def test_self_assessment_attaining_only_advanced_cannot_submit_excellent(setup):
    """Open while eligible, then the self-assessment changes: submit checks again."""
    app = ready_excellent(setup)
    f.self_assessment(setup["factory"], setup["campaign"], "advanced")
    with time_machine.travel(BEFORE, tick=False), pytest.raises(NotEligible) as exc:
        transition(app, Action.SUBMIT, actor=setup["user"], cooperation=True)
    assert "自评估未达到卓越级要素条件" in exc.value.message
    assert "人工智能典型应用场景占比应不低于20%" in exc.value.message
    app.refresh_from_db()
    assert app.state == "draft"


@pytest.mark.rule("R1")
def test_self_assessment_of_another_framework_version_is_refused(setup):
    from smartfactory.assessments.models import SelfAssessment

    SelfAssessment.objects.filter(factory=setup["factory"]).update(framework_version="2024")
    assert "要素条件版本（2024）与本年度行动（2025）不一致" in refused_at_open(setup)


@pytest.mark.rule("P1")
def test_a_tier_the_campaign_did_not_open_is_refused(setup):
    setup["campaign"].tiers_open = ["basic", "advanced"]
    setup["campaign"].save()
    assert "本年度行动未开放卓越级申报" in refused_at_open(setup)


@pytest.mark.rule("R6")
def test_formal_check_eligibility_uses_the_same_rules(setup):
    from smartfactory.evaluation.formal_checks import auto_checks

    app = ready_excellent(setup)
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=setup["user"], cooperation=True)
    checks = {c["key"]: c for c in auto_checks(app)}
    assert checks["eligibility"]["ok"]
    f.self_assessment(setup["factory"], setup["campaign"], "advanced")
    checks = {c["key"]: c for c in auto_checks(app)}
    assert not checks["eligibility"]["ok"] and "自评估未达到卓越级要素条件" in checks["eligibility"]["detail"]


# ------------------------------------------------------------------ the advanced tier
@pytest.mark.rule("R3")
def test_advanced_needs_a_self_assessment_attaining_advanced(world):
    from smartfactory.assessments.models import SelfAssessment

    SelfAssessment.objects.filter(factory=world["factory"]).delete()
    with time_machine.travel(BEFORE_ALL, tick=False), pytest.raises(NotEligible) as exc:
        run(world, Action.SUBMIT, "enterprise")
    assert "请先完成本年度自评估" in exc.value.message
    f.self_assessment(world["factory"], world["campaign"], "basic")
    with time_machine.travel(BEFORE_ALL, tick=False), pytest.raises(NotEligible) as exc:
        run(world, Action.SUBMIT, "enterprise")
    assert "自评估未达到先进级要素条件" in exc.value.message
    f.self_assessment(world["factory"], world["campaign"], "advanced")
    with time_machine.travel(BEFORE_ALL, tick=False):
        assert run(world, Action.SUBMIT, "enterprise").state == "in_review"


@pytest.mark.rule("P19")
def test_a_factory_holding_advanced_cannot_open_a_new_advanced_application(world):
    f.award(world["factory"], "advanced", year=2040, by=world["sichuan"])
    with pytest.raises(NotEligible) as exc:
        services.create_application(world["factory"], world["campaign"], tier="advanced",
                                    actor=world["users"]["enterprise"])
    assert "该工厂已获评先进级，不能再申报先进级" in exc.value.message
    with time_machine.travel(BEFORE_ALL, tick=False), pytest.raises(NotEligible):
        run(world, Action.SUBMIT, "enterprise")  # the draft opened before the award


@pytest.mark.rule("P19")
def test_a_factory_holding_excellent_cannot_apply_for_excellent_again(setup):
    f.award(setup["factory"], "excellent", year=2041, by=f.ministry())
    assert "该工厂已获评卓越级，不能再申报卓越级" in refused_at_open(setup)


@pytest.mark.rule("P19")
def test_a_cultivation_object_cannot_apply_for_leading_again(setup):
    from smartfactory.cultivation.models import CultivationObject

    f.award(setup["factory"], "excellent", year=2041, by=f.ministry())
    f.self_assessment(setup["factory"], setup["campaign"], "leading")
    app = TierApplication.objects.create(factory=setup["factory"], campaign=setup["campaign"], tier="leading",
                                         state="cultivating", province_code="510000")
    CultivationObject.objects.create(factory=setup["factory"], application=app, campaign=setup["campaign"],
                                     published_on="2042-01-01", ends_on="2043-12-31")
    reasons = reasons_not_eligible(setup["factory"], setup["campaign"], "leading")
    assert any("已是领航级智能工厂培育对象" in r for r in reasons)


def test_every_reason_is_listed(setup):
    setup["factory"].tier_awards.filter(tier="advanced").delete()
    f.self_assessment(setup["factory"], setup["campaign"], facts=f.facts_for("excellent", cmmm_level=2))
    reasons = reasons_not_eligible(setup["factory"], setup["campaign"], "excellent")
    assert len(reasons) == 2 and "须已获评先进级" in reasons[0] and "三级" in reasons[1]
