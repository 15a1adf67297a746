"""The expert's assignment on the engine: a conflicted expert cannot score even with an assignment
(P21); a score is submitted once (P22, 409); MIIT withdraws an unscored assignment only with a reason
(P4), the expert is told and the assignment is gone; a scored one is not withdrawn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartfactory.audit.models import AuditEvent
from smartfactory.errors import Conflict, InvalidInput, NotPermitted, TransitionNotAllowed
from smartfactory.evaluation import assigning, assignment_workflow, scoring
from smartfactory.evaluation.models import Assignment
from smartfactory.notifications.models import Notification
from tests.factories.evaluation import ALL, expert, formal_pass

pytestmark = pytest.mark.django_db


@pytest.mark.rule("P21")
def test_a_conflicted_expert_cannot_score_even_with_an_assignment(national):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    enterprise = e.application.factory.enterprise
    same_org = expert("同单位", actor=n["staff"], organisation=enterprise.name, uscc=enterprise.uscc)
    a = Assignment.objects.create(evaluation=e, expert=same_org, due_at=timezone.now() + timedelta(days=3))
    with pytest.raises(NotPermitted):
        scoring.submit_scores(a, actor=same_org.user, scores=ALL)
    a.refresh_from_db()
    assert a.submitted_at is None and a.total is None


@pytest.mark.rule("P22")
def test_a_score_is_submitted_once(national):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    a = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    first = scoring.submit_scores(a, actor=n["experts"][0].user, scores=ALL)
    with pytest.raises(Conflict, match="评分已提交"):
        scoring.submit_scores(a, actor=n["experts"][0].user, scores=dict.fromkeys(ALL, 10))
    a.refresh_from_db()
    assert a.total == first.total and AuditEvent.objects.filter(action="evaluation.scored").count() == 1


@pytest.mark.rule("P4")
def test_miit_withdraws_an_unscored_assignment_with_a_reason(national):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    a = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    with pytest.raises(InvalidInput) as error:
        assignment_workflow.withdraw(a, actor=n["staff"], reason="  ")
    assert error.value.field == "reason" and Assignment.objects.filter(pk=a.pk).exists()
    with pytest.raises(NotPermitted):
        assignment_workflow.withdraw(a, actor=n["experts"][0].user, reason="不想评")
    assignment_workflow.withdraw(a, actor=n["staff"], reason="专家临时回避")
    assert not Assignment.objects.filter(pk=a.pk).exists()
    event = AuditEvent.objects.get(action="evaluation.unassigned")
    assert event.object_id == str(e.pk) and event.reason == "专家临时回避"
    assert "专家临时回避" in Notification.objects.get(kind="evaluation.unassigned", user=n["experts"][0].user).body
    b = assigning.assign_expert(e, n["experts"][1], actor=n["staff"])
    scoring.submit_scores(b, actor=n["experts"][1].user, scores=ALL)
    with pytest.raises(TransitionNotAllowed):
        assignment_workflow.withdraw(b, actor=n["staff"], reason="已评分")
