"""The due process of a supervision case: notice with the response deadline, the enterprise's
response, a decision with reasons that sets the award's status; who may open and decide; the
guards (deadline at −1 s / 0 / +1 s, reasons, never harsher than notified, lifting only a
suspension); audit events and notifications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.errors import Conflict, DeadlinePassed, InvalidInput, NotPermitted, TransitionNotAllowed
from smartfactory.notifications.models import Notification
from smartfactory.notifications.outbox import send_outbox
from smartfactory.organisations.enums import AwardStatus
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.services import attained_tiers
from smartfactory.supervision import workflow
from smartfactory.supervision.enums import Action, CaseState
from smartfactory.supervision.models import SupervisionCase

from .conftest import DEADLINE, OPENED, RESPONSE_DUE, at, open_case

pytestmark = pytest.mark.django_db
RESPONSE = "事故系外包单位违规作业所致，企业已整改并追责，恳请从轻处理，不予撤销先进级认定。"
REASON = "经调查，事故为较大生产安全事故，企业负有主体责任，依照动态管理要求撤销其先进级智能工厂认定。"


@pytest.mark.rule("P4", "P16")
def test_due_process_revocation(world, django_capture_on_commit_callbacks, mailoutbox):
    with at(OPENED), django_capture_on_commit_callbacks(execute=True):
        case = open_case(world)
    assert case.state == CaseState.NOTIFIED and case.response_due == RESPONSE_DUE
    assert case.opened_by_authority == world["sichuan"] and case.opened_by == world["sc_reviewer"]
    assert case.response_deadline == DEADLINE
    notices = Notification.objects.filter(kind="supervision.notice")
    assert {n.user for n in notices} == {world["admin"], world["member"]}
    notice = notices.get(user=world["admin"])
    assert "拟撤销层级" in notice.title and "川经信先进〔2041〕0001号" in notice.title
    assert "2042-08-16（含当日）" in notice.body and "较大生产安全事故" in notice.body
    assert notice.link == f"/portal/supervision/cases/{case.pk}/"
    send_outbox()  # the e-mail goes through the outbox
    [mail] = mailoutbox
    assert mail.to == ["admin@shudu.cn"] and "有权在上述期限内陈述和申辩" in mail.body and notice.link in mail.body

    with at(OPENED + timedelta(days=1)):
        with pytest.raises(TransitionNotAllowed, match="企业尚未陈述申辩"):
            workflow.transition(case, Action.REVOKE, actor=world["sc_leader"], reason=REASON)
        with pytest.raises(NotPermitted):  # a member, not the administrator
            workflow.transition(case, Action.RESPOND, actor=world["member"], response=RESPONSE)
        with pytest.raises(InvalidInput) as exc:
            workflow.transition(case, Action.RESPOND, actor=world["admin"], response="不同意")
        assert exc.value.field == "response"
        with django_capture_on_commit_callbacks(execute=True):
            case = workflow.transition(case, Action.RESPOND, actor=world["admin"], response=RESPONSE)
        assert case.state == CaseState.RESPONDED and case.response == RESPONSE and case.responded_by == world["admin"]
        assert Notification.objects.filter(kind="supervision.response", user=world["sc_reviewer"]).exists()
        with pytest.raises(TransitionNotAllowed):  # once only
            workflow.transition(case, Action.RESPOND, actor=world["admin"], response=RESPONSE)

        with pytest.raises(InvalidInput) as exc:  # a reason for every decision
            workflow.transition(case, Action.REVOKE, actor=world["sc_leader"], reason="  ")
        assert exc.value.field == "reason"
        with pytest.raises(NotPermitted):  # Chengdu oversees the factory but did not certify it
            workflow.transition(case, Action.REVOKE, actor=world["cd_leader"], reason=REASON)
        with pytest.raises(NotPermitted):
            workflow.transition(case, Action.REVOKE, actor=world["admin"], reason=REASON)
        assert workflow.allowed_actions(case, world["sc_leader"]) == [Action.SUSPEND, Action.REVOKE, Action.DISMISS]
        assert workflow.allowed_actions(case, world["cd_leader"]) == []
        with django_capture_on_commit_callbacks(execute=True):
            case = workflow.transition(case, Action.REVOKE, actor=world["sc_leader"], reason=REASON)

    assert case.state == CaseState.DECIDED_REVOKE and case.decided_by == world["sc_leader"]
    award = TierAward.objects.get(pk=world["advanced"].pk)
    assert award.status == AwardStatus.REVOKED and award.status_reason == REASON
    assert award.status_changed_at == OPENED + timedelta(days=1)
    assert attained_tiers(world["factory"]) == {"basic"}
    decision = Notification.objects.get(kind="supervision.decision", user=world["admin"])
    assert "撤销" in decision.title and decision.body == REASON
    send_outbox()
    assert "决定理由" in mailoutbox[-1].body and REASON in mailoutbox[-1].body
    events = list(AuditEvent.objects.filter(action__startswith="supervision.").order_by("seq"))
    assert [e.action for e in events] == ["supervision.open", "supervision.respond", "supervision.revoke"]
    assert events[0].object_id == str(case.pk) and events[0].after["state"] == "notified"
    assert events[2].before == {"state": "responded", "award_status": "active"}
    assert events[2].after["award_status"] == "revoked" and events[2].reason == REASON
    assert events[2].actor_name == "sc-leader"


@pytest.mark.rule("P16")
@pytest.mark.parametrize(("offset", "still_open"), [(-1, True), (0, False), (1, False)])
def test_response_deadline_boundary(world, offset, still_open):
    """The response is accepted strictly before the end of the due day (Beijing time); a decision
    without a response is possible from that instant on."""
    with at(OPENED):
        case = open_case(world)
    with at(DEADLINE + timedelta(seconds=offset)):
        if still_open:
            with pytest.raises(TransitionNotAllowed, match="2042-08-16"):
                workflow.transition(case, Action.REVOKE, actor=world["sc_leader"], reason=REASON)
            case = workflow.transition(case, Action.RESPOND, actor=world["admin"], response=RESPONSE)
            assert case.state == CaseState.RESPONDED
        else:
            with pytest.raises(DeadlinePassed):
                workflow.transition(case, Action.RESPOND, actor=world["admin"], response=RESPONSE)
            case = workflow.transition(case, Action.REVOKE, actor=world["sc_leader"], reason=REASON)
            assert case.state == CaseState.DECIDED_REVOKE and case.response == ""
    assert SupervisionCase.objects.get(pk=case.pk).state == case.state


def test_only_miit_decides_on_an_excellent_award(world):
    with at(OPENED):
        case = open_case(world, "excellent", actor_key="sc_reviewer")  # Sichuan may open: its jurisdiction
    assert case.opened_by_authority == world["sichuan"]
    with at(DEADLINE):
        for who in ("sc_leader", "sc_reviewer", "cd_leader"):
            with pytest.raises(NotPermitted):
                workflow.transition(case, Action.REVOKE, actor=world[who], reason=REASON)
        assert workflow.allowed_actions(case, world["sc_leader"]) == []
        case = workflow.transition(case, Action.REVOKE, actor=world["staff"], reason=REASON)
    assert TierAward.objects.get(pk=world["excellent"].pk).status == AwardStatus.REVOKED


def test_who_may_open(world):
    with at(OPENED):
        for who in ("zj_reviewer", "admin", "other_admin"):
            with pytest.raises(NotPermitted):
                open_case(world, actor_key=who)
        case = open_case(world, actor_key="wh_reviewer")  # the county covers the enterprise
        assert case.opened_by_authority == world["wuhou"]
        case2 = open_case(world, "other_award", actor_key="staff")  # MIIT: anywhere
        assert case2.opened_by_authority == world["miit"]
    assert list(SupervisionCase.objects.order_by("opened_at", "award_id").values_list("award_id", flat=True)) == [
        world["advanced"].pk, world["other_award"].pk]


@pytest.mark.rule("P13", "P14")
def test_opening_checks_the_details_and_one_open_case_per_award(world):
    with at(OPENED):
        with pytest.raises(InvalidInput) as exc:
            open_case(world, kind="fire")
        assert exc.value.field == "kind"
        with pytest.raises(InvalidInput) as exc:
            open_case(world, occurred_on=date(2042, 8, 2))  # tomorrow
        assert exc.value.field == "occurred_on"
        with pytest.raises(InvalidInput) as exc:
            workflow.open_case(world["advanced"], actor=world["sc_reviewer"], kind="violation", occurred_on="7月",
                               description="x" * 20, measure="revoke")
        assert exc.value.field == "occurred_on"
        with pytest.raises(InvalidInput) as exc:
            workflow.open_case(world["advanced"], actor=world["sc_reviewer"], kind="violation", occurred_on="2042-07-01",
                               description="违规", measure="revoke")
        assert exc.value.field == "description"
        with pytest.raises(InvalidInput) as exc:
            open_case(world, measure="warn")
        assert exc.value.field == "measure"
        open_case(world)
        with pytest.raises(Conflict):
            open_case(world, actor_key="staff")
    assert SupervisionCase.objects.count() == 1
    assert AuditEvent.objects.filter(action="supervision.open").count() == 1


@pytest.mark.rule("P4", "P14", "P16")
def test_suspension_lift_and_later_revocation(world, django_capture_on_commit_callbacks):
    with at(OPENED):
        case = open_case(world, measure="suspend")
        assert workflow.allowed_actions(case, world["sc_leader"]) == [Action.SUSPEND, Action.DISMISS]
    with at(DEADLINE):
        with pytest.raises(TransitionNotAllowed, match="暂停层级，不能直接决定撤销"):  # never harsher than notified
            workflow.transition(case, Action.REVOKE, actor=world["sc_leader"], reason=REASON)
        case = workflow.transition(case, Action.SUSPEND, actor=world["sc_leader"], reason="暂停一年，限期整改。")
        award = TierAward.objects.get(pk=world["advanced"].pk)
        assert award.status == AwardStatus.SUSPENDED and award.status_reason == "暂停一年，限期整改。"
        assert "advanced" not in attained_tiers(world["factory"])
        with pytest.raises(InvalidInput):
            workflow.transition(case, Action.LIFT, actor=world["sc_leader"], reason="")
        with pytest.raises(NotPermitted):
            workflow.transition(case, Action.LIFT, actor=world["cd_leader"], reason="整改到位")
        with django_capture_on_commit_callbacks(execute=True):
            case = workflow.transition(case, Action.LIFT, actor=world["sc_leader"], reason="整改已验收合格，恢复认定。")
        assert case.state == CaseState.LIFTED and case.lift_reason == "整改已验收合格，恢复认定。"
        assert case.decision_reason == "暂停一年，限期整改。"  # the decision stays on record
        assert TierAward.objects.get(pk=award.pk).status == AwardStatus.ACTIVE
        assert "advanced" in attained_tiers(world["factory"])
        assert Notification.objects.filter(kind="supervision.decision", user=world["admin"],
                                           title__contains="解除暂停").exists()
        with pytest.raises(TransitionNotAllowed):
            workflow.transition(case, Action.LIFT, actor=world["sc_leader"], reason="再次解除")

        # suspended again, then revoked by a second case: the first can no longer be lifted
        second = open_case(world, measure="suspend", occurred_on=date(2042, 8, 10))
    with at(DEADLINE + timedelta(days=16)):
        second = workflow.transition(second, Action.SUSPEND, actor=world["sc_leader"], reason="再次发生事故，暂停。")
        third = open_case(world, measure="revoke", occurred_on=date(2042, 8, 20))
        with pytest.raises(TransitionNotAllowed):  # revoking needs the revoke notice's process too
            workflow.transition(third, Action.REVOKE, actor=world["sc_leader"], reason=REASON)
    with at(DEADLINE + timedelta(days=32)):
        third = workflow.transition(third, Action.REVOKE, actor=world["sc_leader"], reason=REASON)
        assert TierAward.objects.get(pk=award.pk).status == AwardStatus.REVOKED
        with pytest.raises(TransitionNotAllowed, match="没有可以解除的暂停"):
            workflow.transition(second, Action.LIFT, actor=world["sc_leader"], reason="整改到位")
        with pytest.raises(TransitionNotAllowed, match="撤销"):  # nothing more to do with a revoked award
            open_case(world, measure="suspend")
    actions = list(AuditEvent.objects.filter(action__startswith="supervision.").values_list("action", flat=True))
    assert actions.count("supervision.suspend") == 2 and actions.count("supervision.lift") == 1
    assert actions.count("supervision.revoke") == 1


def test_dismissal_leaves_the_award_active(world, django_capture_on_commit_callbacks):
    with at(OPENED):
        case = open_case(world)
        case = workflow.transition(case, Action.RESPOND, actor=world["admin"], response=RESPONSE)
        with django_capture_on_commit_callbacks(execute=True):
            case = workflow.transition(case, Action.DISMISS, actor=world["sc_leader"], reason="经复核，事故责任不在企业。")
    assert case.state == CaseState.DISMISSED
    award = TierAward.objects.get(pk=world["advanced"].pk)
    assert award.status == AwardStatus.ACTIVE and award.status_reason == "" and award.status_changed_at is None
    note = Notification.objects.get(kind="supervision.decision", user=world["admin"])
    assert "不予处理" in note.title
    with at(OPENED), pytest.raises(TransitionNotAllowed):
        workflow.transition(case, Action.SUSPEND, actor=world["sc_leader"], reason=REASON)


def test_a_self_declared_basic_award_is_decided_by_the_province(world):
    with at(OPENED):
        case = open_case(world, "basic", actor_key="wh_reviewer")
    with at(DEADLINE):
        with pytest.raises(NotPermitted):
            workflow.transition(case, Action.REVOKE, actor=world["cd_leader"], reason=REASON)
        workflow.transition(case, Action.REVOKE, actor=world["sc_leader"], reason=REASON)
    assert TierAward.objects.get(pk=world["basic"].pk).status == AwardStatus.REVOKED


def test_unknown_action_is_refused(world):
    with at(OPENED):
        case = open_case(world)
        with pytest.raises(InvalidInput):
            workflow.transition(case, "approve", actor=world["sc_leader"])


@pytest.mark.rule("P14")
@pytest.mark.parametrize(("measure", "action", "status_meanwhile"), [
    ("suspend", Action.SUSPEND, AwardStatus.SUSPENDED),
    ("revoke", Action.REVOKE, AwardStatus.REVOKED),
])
def test_a_decision_needs_the_award_in_a_state_it_can_change(world, measure, action, status_meanwhile):
    """Another case decided the award in the meantime: this one cannot suspend or revoke it again."""
    with at(OPENED):
        case = open_case(world, measure=measure)
    TierAward.objects.filter(pk=world["advanced"].pk).update(status=status_meanwhile, status_reason="另案决定")
    with at(DEADLINE), pytest.raises(TransitionNotAllowed) as exc:
        workflow.transition(case, action, actor=world["sc_leader"], reason=REASON)
    assert f"该认定当前为“{AwardStatus(status_meanwhile).label}”" in exc.value.message
    assert TierAward.objects.get(pk=world["advanced"].pk).status_reason == "另案决定"
