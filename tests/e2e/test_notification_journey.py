"""Notifications and to-dos in the browser, on the demo world's demo-applicant-2 (a 2026 先进级
application waiting at 武侯区; no other browser test touches it).

demo-district finds the application in its to-dos (with the county's deadline), opens it from there
and returns it with a reason. demo-applicant-2 sees the unread notification with the reason and the
to-do "按退回意见修改后重新提交" with the resubmission deadline, follows it and resubmits. demo-district
finds the application in its to-dos again and is told of the resubmission.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import login_ok

APPLICANT = "demo-applicant-2"
REASON = "投资额与佐证材料不一致，请核对（e2e 通知）"
DEADLINE = re.compile(r"\d{4}-\d{2}-\d{2} (24:00|\d{2}:\d{2}:\d{2})")


def _factory_of_applicant(page) -> str:
    login_ok(page, APPLICANT, lands_on="/portal/")
    link = page.get_by_test_id("enterprise-card").locator("header a")
    link.click()
    factory = page.get_by_test_id("factory").locator("header a").inner_text().strip()
    return factory


@pytest.mark.e2e
def test_a_return_reaches_the_enterprise_and_the_resubmission_the_district(new_page):
    applicant = new_page()
    factory = _factory_of_applicant(applicant)
    expect(applicant.get_by_test_id("todo-link")).not_to_contain_text(re.compile(r"\d"))  # nothing waits for it

    district = new_page()
    login_ok(district, "demo-district", lands_on="/console/")
    expect(district.get_by_test_id("home-todo")).to_contain_text(factory)  # the landing page starts with the to-dos
    district.get_by_test_id("todo-link").click()
    row = district.get_by_test_id("todo").locator("tbody tr", has_text=factory)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("审核并报送上级或退回")
    expect(row.locator("td").nth(2)).to_have_text(DEADLINE)
    expect(row.locator("td").nth(3)).to_contain_text("天")
    with district.expect_navigation():
        row.get_by_role("link").click()
    form = district.get_by_test_id("review-form")
    form.locator("textarea[name=reason]").fill(REASON)
    with district.expect_navigation():
        form.get_by_test_id("action-return").click()
    expect(district.get_by_test_id("state")).to_contain_text("退回修改")
    district.goto("/todo/")
    expect(district.get_by_test_id("todo").locator("tbody tr", has_text=factory)).to_have_count(0)

    applicant.goto("/portal/")
    expect(applicant.get_by_test_id("notifications-link").locator(".badge")).to_be_visible()
    applicant.get_by_test_id("notifications-link").click()
    note = applicant.get_by_test_id("notifications").locator("tr", has_text="退回").first
    expect(note).to_contain_text(factory)
    expect(note).to_contain_text(REASON)
    expect(note).to_contain_text("前重新提交")
    applicant.get_by_test_id("todo-link").click()
    todo = applicant.get_by_test_id("todo").locator("tbody tr", has_text=factory)
    expect(todo).to_contain_text("按退回意见修改后重新提交")
    expect(todo.locator("td").nth(2)).to_have_text(DEADLINE)
    with applicant.expect_navigation():
        todo.get_by_role("link").click()
    with applicant.expect_navigation():
        applicant.get_by_test_id("action-resubmit").click()
    expect(applicant.locator(".messages .msg-error")).to_have_count(0)
    expect(applicant.get_by_test_id("state")).to_contain_text("审核中")

    district.goto("/todo/")
    expect(district.get_by_test_id("todo").locator("tbody tr", has_text=factory)).to_have_count(1)
    district.get_by_test_id("notifications-link").click()
    expect(district.get_by_test_id("notifications").locator("tr", has_text="重新提交").first).to_contain_text(factory)
