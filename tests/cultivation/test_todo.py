"""The acceptance application in the to-do lists: the enterprise drafts it, its recommender's
reviewers review it once submitted, the enterprise revises it when returned."""

from __future__ import annotations

import pytest

from smartfactory.cultivation import acceptance as flow
from smartfactory.organisations.enums import AuthorityLevel, Role
from smartfactory.todo.items import todo_for_user
from tests import factories as f
from tests.factories.cultivation import SUMMARY, acceptance_results

pytestmark = pytest.mark.django_db


def _acceptance(user) -> list[tuple[str, str]]:
    return [(i.what, i.link) for i in todo_for_user(user) if i.kind == "acceptance"]


def test_draft_review_and_return_each_reach_the_one_who_acts(leading):
    x = leading
    page = f"/cultivation/{x['cultivation'].pk}/acceptance/"
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    assert _acceptance(x["enterprise_user"]) == [("填写并提交验收申请", page)]
    assert _acceptance(x["leader"]) == []
    a = flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    assert _acceptance(x["enterprise_user"]) == []
    assert _acceptance(x["leader"]) == [("验收申请初审", page)]
    zhejiang = f.user("zj-leader", role=Role.AUTHORITY_LEADER,
                      authority=f.authority("330000", level=AuthorityLevel.PROVINCE))
    assert _acceptance(zhejiang) == [] and _acceptance(x["staff"]) == []
    flow.transition(a, flow.Act.RETURN, actor=x["leader"], reason="目标2佐证不足")
    assert _acceptance(x["leader"]) == []
    assert _acceptance(x["enterprise_user"]) == [("按初审意见修改后重新提交验收申请", page)]
