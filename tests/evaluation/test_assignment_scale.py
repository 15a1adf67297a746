"""Automatic assignment at the size of a national round (the issue's acceptance point): 300 applications
and 60 experts, with conflicts of every kind in the pool. Every application gets its experts, no expert
goes over their cap, no committed pair has a conflict — and a plan that breaks a rule is refused whole.
(How fast it runs is measured by benchmarks/assign_experts.py, not here.)"""

from __future__ import annotations

from collections import Counter

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.errors import NotEligible
from smartfactory.evaluation import assigning
from smartfactory.evaluation.conflicts import ConflictIndex, applicant_of, conflict_reasons
from smartfactory.evaluation.models import Assignment, Evaluation
from smartfactory.evaluation.rules import rules_for
from smartfactory.notifications.models import Notification

from .scale import TIER, build_round

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
KINDS = ("same_organisation", "same_soe_group", "same_province", "declared", "advised")


@pytest.fixture
def national_round():
    return build_round(applications=300, experts=60, seed=2025)


def _evaluations(campaign) -> list[Evaluation]:
    return list(Evaluation.objects.filter(campaign=campaign, tier=TIER).select_related(
        "campaign", "application__factory__enterprise", "application__factory__county").order_by("pk"))


def _conflicted_pairs(experts, evaluations, rules) -> dict[str, list[tuple]]:
    """Every (expert, evaluation) pair of the round with a conflict, by kind."""
    index = ConflictIndex(experts, rules)
    pairs: dict[str, list[tuple]] = {kind: [] for kind in KINDS}
    for evaluation in evaluations:
        applicant = applicant_of(evaluation)
        for expert in experts:
            for kind in index.reasons(expert, applicant):
                pairs[kind].append((expert, evaluation))
    return pairs


def test_automatic_assignment_of_a_national_round_respects_caps_and_conflicts(national_round):
    r = national_round
    campaign, staff, experts = r["campaign"], r["staff"], r["experts"]
    rules = rules_for(campaign)
    per_application = rules.experts_per_application
    evaluations = _evaluations(campaign)
    assert len(evaluations) == 300 and len(experts) == 60
    # the round really holds conflicts of every kind, and caps that bind (capacity 2.5 × N for a demand of 2 × N)
    conflicted = _conflicted_pairs(experts, evaluations, rules)
    assert {kind: len(p) for kind, p in conflicted.items() if not p} == {}, "every kind of conflict occurs"
    assert len(conflicted["same_province"]) > 300 * 5  # about a fifth of the pool per applicant
    capacity = sum(e.max_load for e in experts)
    assert 2 * 300 < capacity < 3 * 300

    preview = assigning.preview_assignment(campaign, TIER, actor=staff)
    assert preview["short"] == []
    assert len(preview["plan"]) == 300
    assert Assignment.objects.count() == 0  # a preview writes nothing

    created = assigning.commit_assignment(campaign, TIER, actor=staff, plan=preview["plan"])
    assert len(created) == 300 * per_application

    rows = list(Assignment.objects.filter(evaluation__campaign=campaign).select_related(
        "expert", "evaluation__campaign", "evaluation__application__factory__enterprise",
        "evaluation__application__factory__county"))
    assert {(str(a.evaluation_id), a.expert_id) for a in rows} == {
        (key, expert_id) for key, ids in preview["plan"].items() for expert_id in ids}
    # every application has its experts
    per_evaluation = Counter(a.evaluation_id for a in rows)
    assert set(per_evaluation) == {e.pk for e in evaluations}
    assert set(per_evaluation.values()) == {per_application}
    assert all(a.role == Assignment.Role.PANEL for a in rows)
    # no expert above the cap, and the caps mattered (some experts are full)
    loads = Counter(a.expert_id for a in rows)
    over = {e.name: (loads[e.pk], e.max_load) for e in experts if loads[e.pk] > e.max_load}
    assert over == {}
    assert any(loads[e.pk] == e.max_load for e in experts)
    # no committed pair has a conflict: every pair checked one by one with the guards' own function
    violations = [(a.expert.name, str(a.evaluation_id), reasons) for a in rows
                  if (reasons := conflict_reasons(a.expert, a.evaluation, rules))]
    assert violations == []
    # … and the index agrees: none of the conflicted pairs of the round was committed
    committed = {(a.expert_id, a.evaluation_id) for a in rows}
    assert [kind for kind, pairs in conflicted.items()
            if any((x.pk, e.pk) in committed for x, e in pairs)] == []
    assert AuditEvent.objects.filter(action="evaluation.assigned").count() == 300 * per_application
    assert Notification.objects.filter(kind="evaluation.assigned").count() == 300 * per_application


def test_a_plan_pairing_a_conflicted_expert_is_refused_whole(national_round):
    r = national_round
    campaign, staff, experts = r["campaign"], r["staff"], r["experts"]
    rules = rules_for(campaign)
    conflicted = _conflicted_pairs(experts, _evaluations(campaign), rules)
    plan = assigning.preview_assignment(campaign, TIER, actor=staff)["plan"]
    events, notifications = AuditEvent.objects.count(), Notification.objects.count()
    for kind in KINDS:
        # a pair whose only conflict is this kind, so the refusal is for this rule
        expert, evaluation = next((x, e) for x, e in conflicted[kind]
                                  if conflict_reasons(x, e, rules) == [kind])
        key = str(evaluation.pk)
        # some good pairs first (they are written, then must be rolled back), the bad one last
        bad = dict([(k, ids) for k, ids in plan.items() if k != key][:20])
        bad[key] = [*plan[key][:-1], expert.pk]
        with pytest.raises(NotEligible) as exc:
            assigning.commit_assignment(campaign, TIER, actor=staff, plan=bad)
        assert rules.conflicts[kind]["label"] in exc.value.message, kind
        assert Assignment.objects.count() == 0, kind
        assert (AuditEvent.objects.count(), Notification.objects.count()) == (events, notifications), kind
    # the unedited plan still goes through
    assert len(assigning.commit_assignment(campaign, TIER, actor=staff, plan=plan)) == 300 * rules.experts_per_application
