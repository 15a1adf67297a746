"""Supervision in the to-do lists: the enterprise's administrators answer a notice by its deadline;
the deciding authority (the certifying province for a 先进级, MIIT for a 卓越级) decides once the
case is heard (answered, or its deadline passed); nobody else sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smartfactory.supervision import workflow
from smartfactory.supervision.enums import Action
from smartfactory.todo.items import todo_for_user

from .conftest import DEADLINE, OPENED, at, open_case

pytestmark = pytest.mark.django_db
RESPONSE = "事故系外包单位违规作业所致，企业已整改并追责，恳请从轻处理。"


def _supervision(items):
    return [(i.what, i.subject, i.link) for i in items if i.kind == "supervision"]


def test_the_enterprise_answers_then_the_province_decides(world):
    with at(OPENED):
        case = open_case(world)
        [(what, subject, link)] = _supervision(todo_for_user(world["admin"]))
        assert (what, subject, link) == ("陈述申辩", "蜀都一号工厂", f"/portal/supervision/cases/{case.pk}/")
        [item] = [i for i in todo_for_user(world["admin"]) if i.kind == "supervision"]
        assert item.deadline == DEADLINE and item.deadline_text == "2042-08-16 24:00"
        assert _supervision(todo_for_user(world["member"])) == []  # only an administrator answers
        assert _supervision(todo_for_user(world["sc_leader"])) == []  # not heard yet
        workflow.transition(case, Action.RESPOND, actor=world["admin"], response=RESPONSE)
        assert _supervision(todo_for_user(world["admin"])) == []
        assert _supervision(todo_for_user(world["sc_leader"])) == [
            ("作出监督决定", "蜀都一号工厂", f"/console/supervision/{case.pk}/")]
        for other in ("zj_reviewer", "wh_reviewer", "other_admin", "staff"):
            assert _supervision(todo_for_user(world[other])) == [], other


def test_an_unanswered_case_waits_for_the_decision_from_its_deadline(world):
    with at(OPENED):
        case = open_case(world)
    with at(DEADLINE - timedelta(microseconds=1)):
        assert len(_supervision(todo_for_user(world["admin"]))) == 1
        assert _supervision(todo_for_user(world["sc_leader"])) == []
    with at(DEADLINE):
        assert _supervision(todo_for_user(world["admin"])) == []  # the period is over
        assert _supervision(todo_for_user(world["sc_leader"])) == [
            ("作出监督决定", "蜀都一号工厂", f"/console/supervision/{case.pk}/")]


def test_miit_decides_on_an_excellent_award(world):
    with at(OPENED):
        case = open_case(world, "excellent", actor_key="staff")
        workflow.transition(case, Action.RESPOND, actor=world["admin"], response=RESPONSE)
        assert [s for s, *_ in _supervision(todo_for_user(world["staff"]))] == ["作出监督决定"]
        assert _supervision(todo_for_user(world["sc_leader"])) == []
