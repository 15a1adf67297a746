"""Final actions ask first, naming the object and what the action does; afterwards the page says what
happened to which application and what comes next (issue 14, 'Work pages say what to do')."""

from __future__ import annotations

import html
import re

import pytest
import time_machine

from smartfactory.applications.enums import Action
from tests.factories.applications import BEFORE_ALL, run

pytestmark = pytest.mark.django_db


def _confirm(page: str, action: str) -> str:
    found = re.search(rf'data-testid="action-{action}" data-confirm="([^"]*)"', page)
    assert found, action
    return html.unescape(found.group(1))


def test_the_district_is_asked_before_returning_and_told_what_happened(world, client_for):
    subject = f"{world['factory'].name} · 2041年度先进级"
    with time_machine.travel(BEFORE_ALL, tick=False):
        applicant = client_for(world["users"]["enterprise"])
        page = applicant.get(f"/portal/applications/{world['app'].pk}/").content.decode()
        assert _confirm(page, "submit") == f"确定对“{subject}”执行“提交”？提交后进入审核，审核期间不能修改。"
        run(world, Action.SUBMIT, "enterprise", cooperation=True)
        district = client_for(world["users"]["district"])
        page = district.get(f"/console/applications/{world['app'].pk}/").content.decode()
        assert _confirm(page, "return") == (f"确定对“{subject}”执行“退回修改”？"
                                            "退回后，企业可按意见修改，并在截止时间前重新提交。")
        assert "不能恢复" in _confirm(page, "reject") and "报送上级主管部门" in _confirm(page, "approve")
        done = district.post(f"/console/applications/{world['app'].pk}/return/", {"reason": "佐证不足"},
                             follow=True).content.decode()
    assert re.search(rf"已退回“{re.escape(subject)}”，企业可于\d{{4}}-\d{{2}}-\d{{2}} [0-9:]+前修改后重新提交。", done)


def test_approving_names_the_next_level(world, client_for):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise", cooperation=True)
        done = client_for(world["users"]["district"]).post(
            f"/console/applications/{world['app'].pk}/approve/", {"reason": "同意"}, follow=True).content.decode()
    assert f"已审核通过“{world['factory'].name} · 2041年度先进级”，现由{world['chengdu'].name}审核。" in done
