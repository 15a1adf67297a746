"""The site visit on the engine: the enterprise confirms the date; the outcome is recorded from the
visit day, once the date is agreed and every checklist item has a finding, with a valid outcome and,
for a failure, its reason (R19, P4); nothing is written when refused; the audit events keep their
names and their object (the evaluation)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from smartfactory.audit.models import AuditEvent
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.evaluation import assigning, scoring, site_visits
from smartfactory.evaluation import site_visit_workflow as flow
from smartfactory.evaluation.workflow import Act, transition
from tests.factories.evaluation import ALL, formal_pass, on_visit_day, scores_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(national):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    a = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    b = assigning.assign_expert(e, n["experts"][1], actor=n["staff"])
    scoring.submit_scores(a, actor=n["experts"][0].user, scores=ALL)
    scoring.submit_scores(b, actor=n["experts"][1].user, scores=scores_for(85))
    e = transition(e, Act.TO_SITE_VISIT, actor=n["staff"])
    return site_visits.plan_site_visit(e, actor=n["staff"], team=[n["experts"][2]],
                                       scheduled_for=timezone.localdate() + timedelta(days=7))


def _find_all(visit, who):
    for item in visit.checklist:
        site_visits.record_finding(visit, actor=who, item=item["key"], result="met", note="现场查看系统")


@pytest.mark.rule("R19")
def test_the_outcome_waits_for_the_agreed_date(national, user_of, visit):
    member = national["experts"][2].user
    _find_all(visit, member)
    with time_machine.travel(on_visit_day(visit), tick=False), pytest.raises(NotEligible, match="企业尚未确认核查日期"):
        site_visits.record_site_outcome(visit, actor=member, outcome="pass")
    assert visit.__class__.objects.get(pk=visit.pk).stage == flow.PROPOSED
    with pytest.raises(NotPermitted):
        site_visits.agree_site_visit(visit, actor=member)  # only the enterprise confirms
    site_visits.agree_site_visit(visit, actor=user_of(visit.evaluation))
    with time_machine.travel(on_visit_day(visit), tick=False):
        visit = site_visits.record_site_outcome(visit, actor=member, outcome="pass")
    assert visit.stage == flow.RECORDED
    events = list(AuditEvent.objects.filter(object_id=str(visit.evaluation_id), action__startswith="evaluation.site")
                  .order_by("seq").values_list("action", flat=True))
    assert events[-2:] == ["evaluation.site_visit_agreed", "evaluation.site_outcome"]


@pytest.mark.rule("R19")
def test_every_item_needs_a_finding(national, user_of, visit):
    member = national["experts"][2].user
    site_visits.agree_site_visit(visit, actor=user_of(visit.evaluation))
    first, *rest = visit.checklist
    site_visits.record_finding(visit, actor=member, item=first["key"], result="met")
    with time_machine.travel(on_visit_day(visit), tick=False), pytest.raises(NotEligible, match="以下核查项尚无结果"):
        site_visits.record_site_outcome(visit, actor=member, outcome="pass")
    visit.refresh_from_db()
    assert visit.outcome == "" and visit.stage == flow.AGREED


@pytest.mark.rule("R19", "P4")
def test_the_outcome_is_valid_and_a_failure_gives_its_reason(national, user_of, visit):
    member = national["experts"][2].user
    site_visits.agree_site_visit(visit, actor=user_of(visit.evaluation))
    _find_all(visit, member)
    with time_machine.travel(on_visit_day(visit), tick=False):
        with pytest.raises(InvalidInput) as error:
            site_visits.record_site_outcome(visit, actor=member, outcome="maybe")
        assert error.value.field == "outcome"
        with pytest.raises(InvalidInput) as error:
            site_visits.record_site_outcome(visit, actor=member, outcome="fail", note="  ")
        assert error.value.field == "note"
        visit.refresh_from_db()
        assert visit.outcome == ""
        visit = site_visits.record_site_outcome(visit, actor=member, outcome="fail", note="产线未按申报内容建成")
        assert visit.outcome == "fail" and visit.outcome_note == "产线未按申报内容建成"
        with pytest.raises(TransitionNotAllowed):  # recorded once
            site_visits.record_site_outcome(visit, actor=member, outcome="pass")
