"""The cultivation object's own machine (``cultivation.workflow``): its status moves only with an
acceptance decided on that object, at the period's end when no acceptance is pending (the
scheduler, no one by hand), and when it loses the 卓越级 it stands on (tests/supervision); every
refusal leaves it cultivating and writes nothing. The audit events keep their names."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.cultivation import acceptance as flow
from smartfactory.cultivation import workflow
from smartfactory.cultivation.models import AcceptanceApplication, AcceptanceState, CultivationObject
from smartfactory.errors import NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.evaluation import opening
from smartfactory.evaluation.models import Evaluation
from smartfactory.evaluation.workflow import Act as EvaluationAct
from smartfactory.evaluation.workflow import transition as move_evaluation
from smartfactory.notifications.models import Notification
from smartfactory.organisations.enums import Role
from tests import factories as f
from tests.factories.cultivation import SUMMARY, CultivationObjectFactory, acceptance_results

pytestmark = pytest.mark.django_db
END = date(2027, 11, 1)  # CultivationObjectFactory: published 2025-11-01, two years


@pytest.fixture
def obj():
    enterprise = f.enterprise("510107", name="蜀都智造有限公司")
    return {"cultivation": CultivationObjectFactory(factory=f.factory(enterprise, name="蜀都一号工厂")),
            "owner": f.user("sd-owner", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise),
            "staff": f.user("miit-staff", role=Role.MINISTRY_STAFF, authority=f.ministry())}


def _acceptance(cultivation, state: str) -> AcceptanceApplication:
    return AcceptanceApplication.objects.create(cultivation=cultivation, state=state)


def _status(cultivation) -> str:
    cultivation.refresh_from_db()
    return cultivation.status


@pytest.mark.rule("R20")
def test_the_status_follows_only_an_acceptance_decided_on_that_object(obj):
    c, staff = obj["cultivation"], obj["staff"]
    forwarded = _acceptance(c, AcceptanceState.FORWARDED)
    with pytest.raises(TransitionNotAllowed) as exc:  # still in the national acceptance
        workflow.transition(c, workflow.Act.ACCEPT, actor=staff, acceptance=forwarded)
    assert "尚未作出“通过验收”的结论" in exc.value.message
    elsewhere = _acceptance(CultivationObjectFactory(), AcceptanceState.ACCEPTED)
    with pytest.raises(TransitionNotAllowed):  # another object's acceptance
        workflow.transition(c, workflow.Act.ACCEPT, actor=staff, acceptance=elsewhere)
    with pytest.raises(TransitionNotAllowed):  # no acceptance at all
        workflow.transition(c, workflow.Act.NOT_ACCEPT, actor=staff, reason="目标未达成")
    assert _status(c) == CultivationObject.Status.CULTIVATING
    assert not AuditEvent.objects.filter(action__startswith="cultivation.").exists()

    accepted = _acceptance(c, AcceptanceState.ACCEPTED)
    with pytest.raises(NotPermitted):  # the six ministries' decision, recorded by MIIT
        workflow.transition(c, workflow.Act.ACCEPT, actor=obj["owner"], acceptance=accepted)
    c = workflow.transition(c, workflow.Act.ACCEPT, actor=staff, reason="工信部联通装〔2027〕9号", acceptance=accepted)
    assert c.status == CultivationObject.Status.ACCEPTED
    event = AuditEvent.objects.get(action="cultivation.accepted", object_id=str(c.pk))
    assert event.before == {"status": "cultivating"} and event.reason == "工信部联通装〔2027〕9号"
    assert event.after == {"status": "accepted", "ends_on": END.isoformat(), "acceptance": str(accepted.pk)}
    with pytest.raises(TransitionNotAllowed):  # once decided, never again
        workflow.transition(c, workflow.Act.NOT_ACCEPT, actor=staff, reason="x", acceptance=accepted)


@pytest.mark.rule("R20")
def test_the_period_closes_after_its_last_day_and_only_without_a_pending_acceptance(obj):
    c = obj["cultivation"]
    with pytest.raises(NotEligible):  # the last day still belongs to the period
        workflow.transition(c, workflow.Act.CLOSE_EXPIRED, actor=None, today=END)
    pending = _acceptance(c, AcceptanceState.SUBMITTED)
    with pytest.raises(NotEligible):  # applied for in time: open until decided
        workflow.transition(c, workflow.Act.CLOSE_EXPIRED, actor=None, today=END + timedelta(days=1))
    with pytest.raises(NotPermitted):  # the scheduler's action, no one's by hand
        workflow.transition(c, workflow.Act.CLOSE_EXPIRED, actor=obj["staff"], today=END + timedelta(days=1))
    assert _status(c) == CultivationObject.Status.CULTIVATING
    assert not Notification.objects.filter(kind="cultivation.closed").exists()

    AcceptanceApplication.objects.filter(pk=pending.pk).update(state=AcceptanceState.REJECTED)
    c = workflow.transition(c, workflow.Act.CLOSE_EXPIRED, actor=None, today=END + timedelta(days=1))
    assert c.status == CultivationObject.Status.CLOSED and c.closed_reason == "培育期2027-11-01届满，未通过验收。"
    event = AuditEvent.objects.get(action="cultivation.closed")
    assert (event.before, event.after, event.reason, event.actor_id) == (
        {"status": "cultivating"}, {"status": "closed"}, c.closed_reason, "")
    notice = Notification.objects.get(kind="cultivation.closed")
    assert (notice.user, notice.body, notice.dedupe_key, notice.link) == (
        obj["owner"], c.closed_reason, f"closed:{c.pk}", f"/cultivation/{c.pk}/")


def test_an_object_ended_meanwhile_keeps_its_end_when_its_acceptance_is_not_accepted(leading):
    """Its 卓越级 revoked while the national acceptance ran: rejecting the acceptance is not blocked
    and does not turn the terminated object into a not-accepted one."""
    x = leading
    c = x["cultivation"]
    a = flow.save_draft(c, actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    a = flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    a = flow.transition(a, flow.Act.APPROVE, actor=x["leader"], reason="同意报送")
    CultivationObject.objects.filter(pk=c.pk).update(status=CultivationObject.Status.TERMINATED, closed_reason="卓越级已撤销")
    e = opening.formal_check(Evaluation.objects.get(acceptance=a), actor=x["staff"], passed=True)
    move_evaluation(e, EvaluationAct.REJECT, actor=x["staff"], reason="目标2未达成")
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.state == AcceptanceState.NOT_ACCEPTED
    assert (c.status, c.closed_reason) == (CultivationObject.Status.TERMINATED, "卓越级已撤销")
    assert not AuditEvent.objects.filter(action="cultivation.not_accepted").exists()
