"""To-do lists: every object on which the user has an action, nearest deadline first, with what to
do, the deadline and the days left; the same on the page, the API, the landing page and the
navigation's count; a constant number of queries whatever the number of objects."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartfactory.applications import services
from smartfactory.applications.enums import Action
from smartfactory.applications.workflow import transition
from smartfactory.organisations.enums import Role
from smartfactory.todo.items import todo_for_user
from tests import factories as f
from tests.factories.applications import (
    BEFORE_ALL,
    CONTENT,
    COUNTY_DEADLINE,
    ENTERPRISE_DEADLINE,
)

pytestmark = pytest.mark.django_db


def _submitted(world, n: int) -> list:
    apps = []
    for i in range(n):
        enterprise = f.enterprise("510107")
        factory = f.factory(enterprise)
        f.award(factory, "basic", year=2040)
        user = f.user(f"todo-ent-{i}", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
        f.self_assessment(factory, world["campaign"], "advanced")
        app = services.create_application(factory, world["campaign"], tier="advanced", actor=user)
        services.update_content(app, actor=user, data=CONTENT)
        with time_machine.travel(BEFORE_ALL, tick=False):
            apps.append(transition(app, Action.SUBMIT, actor=user))
    return apps


def test_the_enterprise_sees_its_draft_then_the_district_sees_the_submission(world, client_for):
    u = world["users"]
    with time_machine.travel(BEFORE_ALL, tick=False):
        [item] = todo_for_user(u["enterprise"])
        assert item.what == "填写并提交申报" and item.deadline == ENTERPRISE_DEADLINE and item.days_left == 8
        assert item.link == f"/portal/applications/{world['app'].pk}/"
        assert todo_for_user(u["district"]) == []
        transition(world["app"], Action.SUBMIT, actor=u["enterprise"])
        assert todo_for_user(u["enterprise"]) == []
        [review] = todo_for_user(u["district"])
        assert review.what == "审核并报送上级或退回" and review.deadline == COUNTY_DEADLINE
        assert todo_for_user(u["other_district"]) == [] and todo_for_user(u["city"]) == []
        page = client_for(u["district"]).get("/todo/").content.decode()
        assert world["factory"].name in page and "2041-07-22 17:00" in page and f"/console/applications/{world['app'].pk}/" in page
        assert 'hx-get="/todo/count/"' in page  # the navigation's badge, fetched after the page loads
        assert client_for(u["district"]).get("/todo/count/").content.decode() == (
            '<strong class="badge" data-testid="todo-count">1</strong>')
        assert client_for(u["other_district"]).get("/todo/count/").content.decode() == ""
        home = client_for(u["district"]).get("/console/").content.decode()
        assert 'data-testid="home-todo"' in home and world["factory"].name in home
        api = client_for(u["district"]).get("/api/v1/todo").json()
        assert [(i["what"], i["days_left"], i["overdue"]) for i in api] == [("审核并报送上级或退回", 12, False)]
    with time_machine.travel(COUNTY_DEADLINE + timedelta(seconds=1), tick=False):
        [late] = todo_for_user(u["district"])
        assert late.overdue
        assert "已逾期" in client_for(u["district"]).get("/todo/").content.decode()


def test_a_returned_application_is_the_enterprise_s_with_the_resubmission_deadline(world):
    u = world["users"]
    with time_machine.travel(BEFORE_ALL, tick=False):
        transition(world["app"], Action.SUBMIT, actor=u["enterprise"])
        transition(world["app"], Action.RETURN, actor=u["district"], reason="补充材料")
        [item] = todo_for_user(u["enterprise"])
    assert item.what == "按退回意见修改后重新提交" and item.deadline == COUNTY_DEADLINE


@pytest.mark.parametrize("n", [1, 3, 50])
def test_the_query_count_does_not_grow_with_the_objects(world, n):
    _submitted(world, n)
    with time_machine.travel(BEFORE_ALL, tick=False), CaptureQueriesContext(connection) as ctx:
        items = todo_for_user(world["users"]["district"])
    assert len(items) == n
    assert len(ctx.captured_queries) == 15, "\n".join(q["sql"][:300] for q in ctx.captured_queries)
