"""Reminders before each deadline that binds a user: 7 days, 1 day and on the day (from
scheduling/data/reminders.yaml), each once per user, object and offset; nothing 8 days before or
once the deadline has passed. Deadlines are in Beijing time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from smartfactory.applications.enums import Action
from smartfactory.applications.workflow import transition
from smartfactory.evaluation.assigning import assign_expert
from smartfactory.evaluation.opening import formal_check
from smartfactory.notifications.models import Notification
from smartfactory.scheduling.reminders import due_day, offsets_for, reached_offset, send_reminders
from tests.factories.applications import BEFORE_ALL, COUNTY_DEADLINE, ENTERPRISE_DEADLINE

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")


def _at(day_offset: int, deadline: datetime, minute: int = 30) -> datetime:
    """00:30 Beijing time ``day_offset`` days from the deadline's day (negative = before): early enough
    to be before a deadline on that day."""
    day = due_day(deadline) + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, 0, minute, tzinfo=BJ)


def _run(when: datetime, kind: str) -> int:
    with time_machine.travel(when, tick=False):
        return send_reminders().get(kind, 0)


def _timeline(kind: str, deadline: datetime, user) -> None:
    """−8 d: nothing; −7 d, −1 d, 0 d: one each (a second run adds nothing); after the deadline: nothing."""
    assert _run(_at(-8, deadline), kind) == 0
    for offset in (7, 1, 0):
        assert _run(_at(-offset, deadline), kind) == 1, offset
        assert _run(_at(-offset, deadline, minute=45), kind) == 0, offset  # running twice sends nothing more
        if offset == 7:
            assert _run(_at(-4, deadline), kind) == 0  # between offsets: already reminded
    assert _run(deadline + timedelta(seconds=1), kind) == 0
    assert _run(_at(1, deadline), kind) == 0
    notes = list(Notification.objects.filter(kind=kind).order_by("created_at"))
    assert len(notes) == 3 and {n.user for n in notes} == {user}
    assert len({n.dedupe_key for n in notes}) == 3
    assert notes[0].title.startswith("还有7天截止") and notes[1].title.startswith("还有1天截止")
    assert notes[2].title.startswith("今天截止")


def test_offsets_come_from_the_data_file():
    assert offsets_for("reminder.enterprise_submission") == (7, 1, 0)
    assert offsets_for("some.other.kind") == (7, 1, 0)


def test_reached_offset_in_beijing_time():
    deadline = datetime(2041, 7, 19, 0, 0, tzinfo=BJ)  # "7月18日前": the day is the 18th
    assert due_day(deadline).isoformat() == "2041-07-18"
    kind = "reminder.enterprise_submission"
    assert reached_offset(deadline, kind, datetime(2041, 7, 10, 23, 0, tzinfo=BJ)) is None  # −8 d
    assert reached_offset(deadline, kind, datetime(2041, 7, 11, 0, 30, tzinfo=BJ)) == 7  # 16:30 UTC the day before
    assert reached_offset(deadline, kind, datetime(2041, 7, 18, 23, 59, tzinfo=BJ)) == 0
    assert reached_offset(deadline, kind, deadline) is None


def test_enterprise_submission(world):  # noqa: F811
    user = world["users"]["enterprise"]
    _timeline("reminder.enterprise_submission", ENTERPRISE_DEADLINE, user)
    note = Notification.objects.filter(kind="reminder.enterprise_submission").first()
    assert note.link == f"/portal/applications/{world['app'].pk}/"
    assert "请于2041-07-18 23:59:59前提交" in note.title and world["factory"].name in note.title
    assert "截止时间：2041-07-18 23:59:59" in note.body


def test_no_submission_reminder_once_submitted(world):  # noqa: F811
    with time_machine.travel(BEFORE_ALL, tick=False):
        transition(world["app"], Action.SUBMIT, actor=world["users"]["enterprise"])
    assert _run(_at(-1, ENTERPRISE_DEADLINE), "reminder.enterprise_submission") == 0


def test_review_level(world):  # noqa: F811
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = transition(world["app"], Action.SUBMIT, actor=world["users"]["enterprise"])
    assert app.current_authority == world["wuhou"]
    _timeline("reminder.review_level", COUNTY_DEADLINE, world["users"]["district"])
    note = Notification.objects.filter(kind="reminder.review_level").last()
    assert note.link == f"/console/applications/{app.pk}/" and "2041-07-22 17:00:00" in note.title


def test_review_level_moves_with_the_application(world):  # noqa: F811
    """Once the district forwarded it, the city is reminded of its own deadline, not the district."""
    with time_machine.travel(BEFORE_ALL, tick=False):
        transition(world["app"], Action.SUBMIT, actor=world["users"]["enterprise"])
        transition(world["app"], Action.APPROVE, actor=world["users"]["district"])
    assert _run(_at(-1, COUNTY_DEADLINE), "reminder.review_level") == 1
    assert set(Notification.objects.filter(kind="reminder.review_level").values_list("user__username", flat=True)) == {"city"}


def test_expert_score(national):  # noqa: F811
    n = national
    e = formal_check(n["evaluations"][0], actor=n["staff"], passed=True)
    a = assign_expert(e, n["experts"][0], actor=n["staff"])
    _timeline("reminder.expert_score", a.due_at, n["experts"][0].user)
    assert Notification.objects.filter(kind="reminder.expert_score").first().link == f"/console/evaluation/{e.pk}/"


def test_send_reminders_command(world):  # noqa: F811
    with time_machine.travel(_at(-1, ENTERPRISE_DEADLINE), tick=False):
        call_command("send_reminders")
        call_command("send_reminders")
    assert Notification.objects.filter(kind="reminder.enterprise_submission").count() == 1


def test_site_visit_confirmation(national):  # noqa: F811
    """The enterprise confirms the visit's date before the visit day; once confirmed, no more reminders."""
    from smartfactory.evaluation.models import Evaluation, EvaluationState, SiteVisit
    from smartfactory.notifications.services import enterprise_users

    n = national
    e = n["evaluations"][0]
    Evaluation.objects.filter(pk=e.pk).update(state=EvaluationState.SITE_VISIT)  # the steps before are tested elsewhere
    visit = SiteVisit.objects.create(evaluation=e, scheduled_for=datetime(2042, 9, 10).date())
    deadline = datetime(2042, 9, 10, 0, 0, tzinfo=BJ)  # confirmed by the end of the day before
    user = enterprise_users(e.application.factory.enterprise)[0]
    _timeline("reminder.site_visit", deadline, user)
    assert Notification.objects.filter(kind="reminder.site_visit").first().link == f"/site-visits/{visit.pk}/"
    SiteVisit.objects.filter(pk=visit.pk).update(agreed_at=deadline - timedelta(days=3))
    Notification.objects.all().delete()
    assert _run(_at(0, deadline), "reminder.site_visit") == 0


def test_objection_handling(national):  # noqa: F811
    """An open 公示 objection: MIIT staff handle it by the end of the 公示."""
    from smartfactory.evaluation.models import Objection, Publicity

    n = national
    e = n["evaluations"][0]
    ends = datetime(2042, 11, 15, 0, 0, tzinfo=BJ)
    publicity = Publicity.objects.create(campaign=e.campaign, tier=e.tier, title="2042年度卓越级智能工厂公示",
                                         starts_at=ends - timedelta(days=10), ends_at=ends)
    objection = Objection.objects.create(publicity=publicity, evaluation=e, submitter_name="张三",
                                         contact_encrypted="x", content="数据不实")
    _timeline("reminder.objection", ends, n["staff"])
    assert Notification.objects.filter(kind="reminder.objection").first().link == f"/console/publicity/{publicity.pk}/"
    Objection.objects.filter(pk=objection.pk).update(status=Objection.Status.DISMISSED)
    Notification.objects.all().delete()
    assert _run(_at(0, ends), "reminder.objection") == 0
