"""The application machine on the one engine: every transition that concerns someone notifies them
(in the same transaction as the change), and the actions a user is offered come from the same
guards that refuse them, with the guard's reason when disabled. A refused action writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from smartfactory.applications import services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.workflow import available, transition
from smartfactory.audit.models import AuditEvent
from smartfactory.errors import InvalidInput, NotEligible
from smartfactory.notifications.models import Notification
from tests.factories.applications import BEFORE_ALL, COUNTY_DEADLINE, run

pytestmark = pytest.mark.django_db


def _notes(user):
    return list(Notification.objects.filter(user=user).order_by("created_at", "pk"))


def test_submit_approve_return_resubmit_reject_notify_who_they_concern(world):
    u = world["users"]
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        arrived = _notes(u["district"])
        assert [n.kind for n in arrived] == ["application.arrived"]
        assert world["factory"].name in arrived[0].title and arrived[0].link == f"/console/applications/{world['app'].pk}/"
        assert "2041-07-22 17:00:00" in arrived[0].body  # what to do and by when: the county's deadline
        assert _notes(u["other_district"]) == []  # another district is told nothing

        run(world, Action.APPROVE, "district", reason="同意")
        told = _notes(u["enterprise"])
        assert [n.kind for n in told] == ["application.approved"]
        assert "武侯区经济和信息化局" in told[0].title and "成都市经济和信息化局" in told[0].body
        assert told[0].link == f"/portal/applications/{world['app'].pk}/"
        assert [n.kind for n in _notes(u["city"])] == ["application.arrived"]

        run(world, Action.RETURN, "city", reason="投资额与附件不一致")
        returned = _notes(u["enterprise"])[-1]
        assert returned.kind == "application.returned" and "投资额与附件不一致" in returned.body
        assert "2041-07-25 23:59:59" in returned.body  # resubmit before the returning level's deadline

        run(world, Action.RESUBMIT, "enterprise")
        assert [n.kind for n in _notes(u["city"])] == ["application.arrived", "application.resubmitted"]

        run(world, Action.REJECT, "city", reason="不符合条件")
        rejected = _notes(u["enterprise"])[-1]
        assert rejected.kind == "application.rejected" and "不符合条件" in rejected.body


def test_a_refused_transition_writes_no_event_and_no_notification(world):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        events, notes = AuditEvent.objects.count(), Notification.objects.count()
        with pytest.raises(InvalidInput):  # the reason is required
            run(world, Action.RETURN, "district", reason=" ")
    assert (AuditEvent.objects.count(), Notification.objects.count()) == (events, notes)
    world["app"].refresh_from_db()
    assert world["app"].state == State.IN_REVIEW


def test_available_actions_show_what_would_succeed_or_why_not(world):
    u = world["users"]
    services.update_content(world["app"], actor=u["enterprise"], data={"summary": ""})
    world["app"].refresh_from_db()
    with time_machine.travel(BEFORE_ALL, tick=False):
        [submit] = [a for a in available(world["app"], u["enterprise"]) if a.action == Action.SUBMIT]
        assert not submit.enabled and "申报内容未填写完整" in submit.reason
        with pytest.raises(NotEligible) as refused:
            transition(world["app"], Action.SUBMIT, actor=u["enterprise"])
        assert refused.value.message == submit.reason  # the same guard, the same words
        assert available(world["app"], u["district"]) == []  # not the district's to take
        services.update_content(world["app"], actor=u["enterprise"], data={"summary": "建设了MES和APS"})
        world["app"].refresh_from_db()
        assert [(a.action, a.enabled) for a in available(world["app"], u["enterprise"])] == [(Action.SUBMIT, True)]
        world["app"] = run(world, Action.SUBMIT, "enterprise")
        offered = [(a.action, a.enabled) for a in available(world["app"], u["district"])]
        # certify is for the last level only: left out, not shown disabled
        assert offered == [(Action.APPROVE, True), (Action.RETURN, True), (Action.REJECT, True)]
        events = AuditEvent.objects.count()
    with time_machine.travel(COUNTY_DEADLINE + timedelta(seconds=1), tick=False):
        late = available(world["app"], u["district"])
        assert [a.enabled for a in late] == [False, False, False] and "截止" in late[0].reason
    assert AuditEvent.objects.count() == events  # offering writes nothing


def test_pages_and_api_show_disabled_actions_with_the_reason(world, client_for):
    u = world["users"]
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
    with time_machine.travel(COUNTY_DEADLINE + timedelta(seconds=1), tick=False):
        page = client_for(u["district"]).get(f"/console/applications/{world['app'].pk}/").content.decode()
        assert 'data-testid="action-approve" disabled' in page and 'data-testid="why-approve"' in page
        body = client_for(u["district"]).get(f"/api/v1/applications/{world['app'].pk}").json()
        assert body["actions"] == [] and [b["action"] for b in body["blocked"]] == ["approve", "return", "reject"]
        assert all("截止" in b["reason"] for b in body["blocked"])
