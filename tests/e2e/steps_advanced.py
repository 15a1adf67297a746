"""Steps and data of test_advanced_journey.py that other browser journeys reuse."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import login_ok

DISTRICT = "成都市武侯区经济和信息化局"


CITY = "成都市经济和信息化局"


PROVINCE = "四川省经济和信息化厅"


CO_DEPARTMENTS = [
    "四川省发展和改革委员会",
    "四川省财政厅",
    "四川省人民政府国有资产监督管理委员会",
    "四川省市场监督管理局",
    "四川省数据局",
]


CERTIFICATE = re.compile(r"四川先进〔2026〕\d{4}号")


def applicant_factory(page, username: str) -> tuple[str, str, str]:
    """Sign in as a demo applicant and open its (only) factory: (enterprise, factory, factory path)."""
    login_ok(page, username, lands_on="/portal/")
    cards = page.get_by_test_id("enterprise-card")
    expect(cards).to_have_count(1)
    link = cards.locator("header a")
    enterprise = link.inner_text().strip()
    link.click()
    factory_link = page.get_by_test_id("factory").locator("header a")
    expect(factory_link).to_have_count(1)
    factory = factory_link.inner_text().strip()
    factory_link.click()
    page.wait_for_url("**/portal/factories/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text(factory)
    return enterprise, factory, page.url


def open_from_queue(page, factory: str) -> None:
    """From /console/applications/, the application of ``factory`` waiting for me."""
    page.goto("/console/applications/")
    row = page.get_by_test_id("queue").locator("tbody tr", has_text=factory)
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/console/applications/[0-9a-f-]{36}/$"))


def act(page, action: str, reason: str = ""):
    form = page.get_by_test_id("review-form")
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    with page.expect_navigation():
        form.get_by_test_id(f"action-{action}").click()
