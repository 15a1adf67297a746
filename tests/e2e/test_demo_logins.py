"""Every demo account signs in through the login form, lands on its desk, and signs out again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_ENTERPRISE_NAME, login_ok, logout

# username → (landing path, role label shown in the header)
ACCOUNTS = {
    "demo-enterprise": ("/portal/", "企业管理员"),
    "demo-district": ("/console/", "主管部门审核人员"),
    "demo-city": ("/console/", "主管部门负责人"),
    "demo-province": ("/console/", "主管部门负责人"),
    "demo-soe": ("/console/", "主管部门负责人"),
    "demo-ministry": ("/console/", "部委工作人员"),
    "demo-expert": ("/console/", "专家"),
    "demo-admin": ("/console/", "平台管理员"),
}
AUTHORITY_ACCOUNTS = {"demo-district", "demo-city", "demo-province", "demo-soe", "demo-ministry"}


def enterprise_count(page) -> int:
    text = page.get_by_test_id("enterprise-count").inner_text().strip()
    assert text.isdigit(), f"管辖范围内企业 is not a number: {text!r}"
    return int(text)


@pytest.mark.e2e
@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_demo_account_lands_on_its_desk_and_logs_out(page, username):
    landing, role_label = ACCOUNTS[username]
    login_ok(page, username, lands_on=landing)
    assert page.url.endswith(landing)
    expect(page.get_by_test_id("who")).to_contain_text(role_label)

    if username == "demo-enterprise":
        card = page.get_by_test_id("enterprise-card")
        expect(card).to_have_count(1)
        expect(card).to_contain_text(DEMO_ENTERPRISE_NAME)
    elif username in AUTHORITY_ACCOUNTS:
        counts = page.get_by_test_id("counts")
        expect(counts).to_be_visible()
        expect(counts).to_contain_text("管辖范围内企业")
        assert enterprise_count(page) > 0
    elif username == "demo-expert":
        desk = page.get_by_test_id("expert-desk")
        expect(desk).to_be_visible()
        expect(desk.get_by_role("heading", name="评审任务")).to_be_visible()
        expect(page.get_by_test_id("counts")).to_have_count(0)
    elif username == "demo-admin":
        with page.expect_response(lambda r: r.url.endswith("/admin/")) as info:
            page.get_by_role("link", name="系统管理").click()
        assert info.value.status == 200
        page.wait_for_url("**/admin/")
        expect(page.locator("#content")).to_be_visible()
        expect(page.locator("form#login-form")).to_have_count(0)  # the admin index, not the admin login
        page.goto("/console/")

    logout(page)
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_test_id("who")).to_have_count(0)
    page.goto("/console/")
    page.wait_for_url("**/accounts/login/?next=/console/")
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()


@pytest.mark.e2e
def test_jurisdiction_counts_nest_province_city_district(new_page):
    counts = {}
    for username in ("demo-district", "demo-city", "demo-province"):
        page = new_page()
        login_ok(page, username, lands_on="/console/")
        counts[username] = enterprise_count(page)
    assert counts["demo-province"] > counts["demo-city"] > counts["demo-district"] > 0, counts
