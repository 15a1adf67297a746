"""The application shell in the browser, for every demo role: every link of the sidebar opens
(HTTP 200) and no page scrolls sideways at 390, 1024, 1366 or 1920 px (``scrollWidth ≤
clientWidth``); below 1024 px the menu sits behind a button that opens and closes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login_ok

WIDTHS = (390, 1024, 1366, 1920)
ROLES = [("demo-enterprise", "/portal/"), ("demo-district", "/console/"), ("demo-city", "/console/"),
         ("demo-province", "/console/"), ("demo-province-ndrc", "/console/"), ("demo-soe", "/console/"),
         ("demo-ministry", "/console/"), ("demo-expert", "/console/"), ("demo-admin", "/console/")]
OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def _overflowing(page) -> list[str]:
    wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll, client = page.evaluate(OVERFLOW)
        if scroll > client:
            wide.append(f"{width}px: {scroll} > {client}")
    page.set_viewport_size({"width": 1366, "height": 800})
    return wide


@pytest.mark.e2e
@pytest.mark.parametrize(("username", "lands_on"), ROLES)
def test_every_menu_link_opens_without_sideways_scroll(page, username, lands_on):
    login_ok(page, username, lands_on=lands_on)
    links = page.get_by_test_id("sidebar").get_by_test_id("menu-link")
    targets = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())]
    assert targets, username
    problems = []
    for label, href in targets:
        response = page.goto(href)
        if response is None or response.status != 200:
            problems.append(f"{label} {href}: HTTP {response.status if response else '—'}")
            continue
        page.wait_for_load_state("networkidle")
        problems += [f"{label} {href}: {w}" for w in _overflowing(page)]
    assert not problems, "\n".join(problems)


@pytest.mark.e2e
def test_the_menu_button_opens_the_menu_on_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    login_ok(page, "demo-district", lands_on="/console/")
    sidebar, toggle = page.get_by_test_id("sidebar"), page.get_by_test_id("menu-toggle")
    expect(sidebar).to_be_hidden()
    expect(page.get_by_test_id("logout")).to_be_visible()  # 退出 stays in the top bar
    toggle.click()
    expect(sidebar).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    toggle.click()
    sidebar.get_by_role("link", name="层级申报审核").click()
    page.wait_for_url("**/console/applications/")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("层级申报审核")
