"""Each guard of the national evaluation's table and of the national decision on the application,
tried where it refuses: no proposal without a passed site visit (R19), no decision without 公示
(P10), deferral only for an acceptance (R20), and the application's national actions only on the
evaluation's own conclusion (P6, R19, R20)."""

from __future__ import annotations

import pytest

from smartfactory.applications.enums import Action
from smartfactory.applications.workflow import transition as app_transition
from smartfactory.errors import NotEligible, TransitionNotAllowed
from smartfactory.evaluation.models import Evaluation, EvaluationState
from smartfactory.evaluation.workflow import Act, transition
from smartfactory.organisations.models import TierAward
from tests.factories.evaluation import formal_pass, to_site_passed

pytestmark = pytest.mark.django_db


def _in_state(evaluation, state):
    Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
    evaluation.refresh_from_db()
    return evaluation


@pytest.mark.rule("R19")
def test_no_proposal_without_a_passed_site_visit(national):
    e = _in_state(formal_pass(national, national["evaluations"][0]), EvaluationState.SITE_VISIT)
    with pytest.raises(NotEligible) as exc:
        transition(e, Act.PROPOSE, actor=national["staff"])
    assert "现场核查尚未通过" in exc.value.message
    assert Evaluation.objects.get(pk=e.pk).state == EvaluationState.SITE_VISIT


@pytest.mark.rule("P10")
def test_no_decision_without_publicity(national):
    e = _in_state(national["evaluations"][0], EvaluationState.PROPOSED)
    with pytest.raises(TransitionNotAllowed) as exc:
        transition(e, Act.APPROVE, actor=national["staff"])
    assert "须通过公示" in exc.value.message
    assert Evaluation.objects.get(pk=e.pk).state == EvaluationState.PROPOSED


@pytest.mark.rule("R20")
def test_only_an_acceptance_can_be_deferred(national):
    e = _in_state(national["evaluations"][0], EvaluationState.EXPERT_REVIEW)
    with pytest.raises(TransitionNotAllowed) as exc:
        transition(e, Act.DEFER, actor=national["staff"], reason="延期")
    assert "只有领航级验收可以延期" in exc.value.message


@pytest.mark.rule("P6")
@pytest.mark.parametrize("action", [Action.NATIONAL_AWARD, Action.NATIONAL_DECLINE])
def test_national_award_or_decline_needs_the_evaluations_conclusion(national, action):
    e = _in_state(national["evaluations"][0], EvaluationState.PROPOSED)
    with pytest.raises(TransitionNotAllowed):
        app_transition(e.application, action, actor=national["staff"])
    assert not TierAward.objects.filter(factory=e.application.factory, tier="excellent").exists()
    e = _in_state(e, EvaluationState.APPROVED if action == Action.NATIONAL_DECLINE else EvaluationState.NOT_APPROVED)
    with pytest.raises(TransitionNotAllowed):  # the other conclusion does not do either
        app_transition(e.application, action, actor=national["staff"])


@pytest.mark.rule("R19")
def test_cultivation_needs_an_approved_leading_evaluation(national):
    e = _in_state(national["evaluations"][0], EvaluationState.APPROVED)  # an approved 卓越级 evaluation
    with pytest.raises(TransitionNotAllowed):
        app_transition(e.application, Action.NATIONAL_CULTIVATE, actor=national["staff"])
    assert not e.application.factory.cultivations.exists()


@pytest.mark.rule("R20")
def test_national_acceptance_needs_an_approved_acceptance_evaluation(national):
    from smartfactory.applications.models import TierApplication

    app = national["evaluations"][0].application
    TierApplication.objects.filter(pk=app.pk).update(state="cultivating", tier="leading")
    app.refresh_from_db()
    with pytest.raises(TransitionNotAllowed) as exc:
        app_transition(app, Action.NATIONAL_ACCEPT, actor=national["staff"])
    assert "领航级验收尚未审定通过" in exc.value.message
    assert not TierAward.objects.filter(factory=app.factory, tier="leading").exists()


@pytest.mark.rule("P10")
def test_the_publicity_is_finalised_only_after_its_whole_period(national, user_of):  # noqa: F811
    from datetime import timedelta

    from smartfactory.evaluation import notices


    e = to_site_passed(national, formal_pass(national, national["evaluations"][0]))
    publicity = notices.open_publicity(e.campaign, "excellent", actor=national["staff"], evaluations=[e])
    with pytest.raises(NotEligible) as exc:
        notices.finalise_publicity(publicity, actor=national["staff"], now=publicity.ends_at - timedelta(milliseconds=1))
    assert "结束后方可定稿" in exc.value.message
    assert notices.finalise_publicity(publicity, actor=national["staff"], now=publicity.ends_at).status == "final"
