"""The 公示 and its objections on the engine: each guard of the two machines tried where it refuses
(every ministry's concurrence and the decision number before the decision, P6; the handling of an
objection on record, P4), the audit event names kept, and the publicity page offering its actions
through ``available_actions``: a refused action shown disabled with the guard's reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from smartfactory import decisions
from smartfactory.audit.models import AuditEvent
from smartfactory.errors import InvalidInput, NotEligible
from smartfactory.evaluation import notices, objection_workflow
from smartfactory.evaluation.models import Evaluation, EvaluationState, Objection, Publicity
from smartfactory.organisations.enums import Role
from tests import factories as f
from tests.factories.evaluation import formal_pass, to_site_passed

pytestmark = pytest.mark.django_db


def _open(n) -> tuple[Publicity, Evaluation]:
    e = to_site_passed(n, formal_pass(n, n["evaluations"][0]))
    return notices.open_publicity(e.campaign, "excellent", actor=n["staff"], evaluations=[e]), e


def _object(publicity: Publicity, e: Evaluation) -> Objection:
    return notices.submit_objection(publicity, evaluation_id=e.pk, name="张三", contact="13800138000",
                                    content="该企业申报的产值数据与年报不符，请核实。")


def _final(n) -> tuple[Publicity, Evaluation]:
    publicity, e = _open(n)
    return notices.finalise_publicity(publicity, actor=n["staff"], now=publicity.ends_at), e


def _offered(publicity: Publicity, user) -> dict:
    return {a.action: (a.enabled, a.reason) for a in decisions.available(publicity, user)}


@pytest.mark.rule("P6")
def test_the_decision_needs_every_ministrys_concurrence(national, user_of):
    n = national
    publicity, e = _final(n)
    *concurring, last = n["ministries"]
    for ministry in concurring:
        notices.record_concurrence(publicity, actor=n["staff"], authority=ministry, document=f"{ministry.name}会签函")
    with pytest.raises(NotEligible) as refused:
        decisions.decide(publicity, actor=n["staff"], decision_number="工信部联通装〔2042〕1号")
    assert refused.value.message == f"尚缺以下部门会签：{last.name}" and refused.value.field == "concurrence"
    assert Publicity.objects.get(pk=publicity.pk).status == Publicity.Status.FINAL
    assert Evaluation.objects.get(pk=e.pk).state == EvaluationState.PROPOSED
    assert not AuditEvent.objects.filter(action="publicity.decided").exists()
    notices.record_concurrence(publicity, actor=n["staff"], authority=last, document=f"{last.name}会签函")
    publicity = decisions.decide(publicity, actor=n["staff"], decision_number=" 工信部联通装〔2042〕1号 ")
    assert publicity.status == Publicity.Status.DECIDED and publicity.decision_number == "工信部联通装〔2042〕1号"
    assert Evaluation.objects.get(pk=e.pk).state == EvaluationState.APPROVED
    decided = AuditEvent.objects.get(action="publicity.decided")
    assert decided.object_id == str(publicity.pk) and decided.before == {"status": "final"}
    assert decided.after == {"status": "decided", "decision_number": "工信部联通装〔2042〕1号", "approved": 1}
    # the audit event of the publicity comes first, then those of the evaluations and applications it moves
    assert AuditEvent.objects.filter(action="evaluation.approve", seq__gt=decided.seq).count() == 1


@pytest.mark.rule("P6")
def test_the_decision_needs_its_decision_number(national, user_of):
    n = national
    publicity, e = _final(n)
    for ministry in n["ministries"]:
        notices.record_concurrence(publicity, actor=n["staff"], authority=ministry, document=f"{ministry.name}会签函")
    publicity.refresh_from_db()
    assert _offered(publicity, n["staff"]) == {"decide": (True, "")}  # the number is judged when taken
    with pytest.raises(InvalidInput) as refused:
        decisions.decide(publicity, actor=n["staff"], decision_number="  ")
    assert refused.value.field == "decision_number"
    assert Publicity.objects.get(pk=publicity.pk).status == Publicity.Status.FINAL
    assert Evaluation.objects.get(pk=e.pk).state == EvaluationState.PROPOSED


@pytest.mark.rule("P4")
@pytest.mark.parametrize("upheld", [True, False])
def test_an_objection_is_handled_only_with_its_handling_on_record(national, user_of, upheld):
    n = national
    publicity, e = _open(n)
    objection = _object(publicity, e)
    with pytest.raises(InvalidInput) as refused:
        notices.handle_objection(objection, actor=n["staff"], upheld=upheld, handling=" \n ")
    assert refused.value.field == "handling"
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN
    assert Evaluation.objects.get(pk=e.pk).state == EvaluationState.PROPOSED
    assert not AuditEvent.objects.filter(action="publicity.objection_handled").exists()
    handled = notices.handle_objection(objection, actor=n["staff"], upheld=upheld, handling=" 经核实，情况属实。 ")
    assert handled.status == ("upheld" if upheld else "dismissed") and handled.handling == "经核实，情况属实。"
    assert handled.handled_by == n["staff"] and handled.handled_at is not None
    event = AuditEvent.objects.get(action="publicity.objection_handled")
    assert event.reason == "经核实，情况属实。" and event.after["objection"] == str(objection.pk)
    assert event.after["status"] == handled.status and event.after["publicity"] == str(publicity.pk)
    e.refresh_from_db()
    assert e.state == (EvaluationState.NOT_APPROVED if upheld else EvaluationState.PROPOSED)
    if upheld:
        assert e.outcome_reason == "公示异议成立：经核实，情况属实。"


def test_a_handled_objection_is_not_handled_again_and_only_miit_handles(national, user_of):
    n = national
    publicity, e = _open(n)
    objection = _object(publicity, e)
    ndrc_staff = f.user("ndrc-staff", role=Role.MINISTRY_STAFF, authority=n["ministries"][1])
    assert objection_workflow.available(objection, ndrc_staff) == []
    assert [(a.action, a.enabled) for a in objection_workflow.available(objection, n["staff"])] == [
        ("dismiss", True), ("uphold", True)]
    notices.handle_objection(objection, actor=n["staff"], upheld=False, handling="异议不成立。")
    assert objection_workflow.available(Objection.objects.get(pk=objection.pk), n["staff"]) == []
    from smartfactory.errors import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        notices.handle_objection(objection, actor=n["staff"], upheld=True, handling="再次处理。")
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.DISMISSED


@pytest.mark.rule("P10", "P24")
def test_finalise_is_offered_disabled_with_its_reason_until_the_period_ends_and_objections_are_handled(
        national, user_of, client_for):
    n = national
    publicity, e = _open(n)
    objection = _object(publicity, e)
    offered = _offered(publicity, n["staff"])
    assert list(offered) == ["finalise"] and offered["finalise"][0] is False
    assert "结束后方可定稿" in offered["finalise"][1]
    ndrc_staff = f.user("ndrc-staff", role=Role.MINISTRY_STAFF, authority=n["ministries"][1])
    assert _offered(publicity, ndrc_staff) == {}  # the other ministries concur; MIIT finalises and decides
    page = client_for(n["staff"]).get(f"/console/publicity/{publicity.pk}/").content.decode()
    assert 'data-testid="finalise-publicity" disabled aria-describedby="why-finalise"' in page
    assert 'class="why small" id="why-finalise"' in page and "结束后方可定稿" in page
    assert 'data-testid="objection-dismiss"' in page and 'data-testid="objection-uphold"' in page
    events = AuditEvent.objects.count()
    with time_machine.travel(publicity.ends_at + timedelta(seconds=1), tick=False):
        offered = _offered(publicity, n["staff"])
        assert offered == {"finalise": (False, "尚有1件异议未处理，处理后方可定稿。")}
        notices.handle_objection(objection, actor=n["staff"], upheld=False, handling="经核实，异议不成立。")
        assert _offered(publicity, n["staff"]) == {"finalise": (True, "")}
        assert AuditEvent.objects.count() == events + 1  # offering writes nothing; the handling is audited
        publicity = notices.finalise_publicity(publicity, actor=n["staff"])
    finalised = AuditEvent.objects.get(action="publicity.finalised")
    assert finalised.before == {"status": "open"} and finalised.after == {"status": "final"}
    assert publicity.finalised_at == publicity.ends_at + timedelta(seconds=1)
    offered = _offered(publicity, n["staff"])
    assert list(offered) == ["decide"] and offered["decide"][0] is False
    assert offered["decide"][1].startswith("尚缺以下部门会签：") and n["ministries"][0].name in offered["decide"][1]
    page = client_for(n["staff"]).get(f"/console/publicity/{publicity.pk}/").content.decode()
    assert 'data-testid="finalise-publicity"' not in page
    assert 'data-testid="decide-publicity" disabled aria-describedby="why-decide"' in page and "尚缺以下部门会签" in page


def test_a_forced_post_of_a_disabled_action_is_refused_the_same_way(national, user_of, client_for):
    n = national
    publicity, _e = _open(n)
    staff = client_for(n["staff"])
    response = staff.post(f"/console/publicity/{publicity.pk}/", {"action": "finalise"}, follow=True)
    assert "结束后方可定稿" in response.content.decode()
    assert Publicity.objects.get(pk=publicity.pk).status == Publicity.Status.OPEN
