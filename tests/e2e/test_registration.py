"""Enterprise self-registration in the browser: USCC validation, the region cascade, join requests."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import (
    DEMO_ENTERPRISE_NAME,
    DEMO_ENTERPRISE_USCC,
    DEMO_PASSWORD,
    choose_location,
    fill_account,
    fresh_uscc,
    login,
    login_ok,
    submit_registration,
    unique,
    wrong_check_digit,
)

PASSWORD = "Gongchang-Zhineng-2026!"


@pytest.mark.e2e
def test_new_enterprise_registers_after_fixing_a_wrong_check_digit(page, api):
    username = unique("e2e-reg")
    uscc = fresh_uscc("510107")
    bad_uscc = wrong_check_digit(uscc)
    name = f"测试智能制造有限公司{username[-6:]}"

    page.goto("/portal/register/")
    expect(page.get_by_role("heading", name="企业注册")).to_be_visible()
    page.locator("#id_uscc").fill(bad_uscc)
    page.locator("#id_name").fill(name)
    choose_location(page)
    page.locator("#id_industry").select_option(value="35")
    fill_account(page, username=username, password=PASSWORD)
    response = submit_registration(page)

    # refused: the form comes back with the service's message on the USCC field
    assert response.status == 200
    expect(page.locator("#id_uscc_error")).to_contain_text("统一社会信用代码校验位错误")
    assert page.url.endswith("/portal/register/")
    expect(page.locator("#id_uscc")).to_have_value(bad_uscc)
    # … and nothing was saved: no account, no enterprise
    status, _body = api.call("POST", "/auth/token", body={"username": username, "password": PASSWORD})
    assert status == 401
    admin = api.token("demo-admin", DEMO_PASSWORD)
    assert api.get(f"/enterprises/{uscc}", admin)[0] == 404
    status, listing = api.get("/enterprises", admin, q=name)
    assert status == 200 and listing["count"] == 0, listing

    # corrected: choose the location again through the cascade and resubmit (passwords are not kept)
    page.locator("#id_uscc").fill(uscc)
    choose_location(page, "四川省", "成都市", "武侯区")
    expect(page.locator("#id_county")).to_have_value("510107")
    page.locator("#id_industry").select_option(value="35")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    submit_registration(page)

    page.wait_for_url("**/portal/")
    card = page.get_by_test_id("enterprise-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(name)
    expect(card).to_contain_text(uscc)
    expect(page.get_by_test_id("who")).to_contain_text("企业管理员")

    token = api.token(username, PASSWORD)
    status, me = api.get("/me", token)
    assert status == 200, me
    assert me["username"] == username
    assert "enterprise_admin" in {r["role"] for r in me["roles"]}, me
    status, enterprise = api.get(f"/enterprises/{uscc}", token)
    assert status == 200, enterprise
    assert enterprise["uscc"] == uscc
    assert enterprise["name"] == name
    assert enterprise["county"]["code"] == "510107"
    assert enterprise["industry_code"] == "35"


@pytest.mark.e2e
def test_registering_an_existing_uscc_becomes_a_join_request_the_admin_approves(new_page, api):
    username = unique("e2e-join")
    applicant = new_page()
    applicant.goto("/portal/register/")
    applicant.locator("#id_uscc").fill(DEMO_ENTERPRISE_USCC)
    fill_account(applicant, username=username, password=PASSWORD)
    submit_registration(applicant)

    applicant.wait_for_url("**/portal/")
    expect(applicant.locator("main")).to_contain_text("已向其管理员提交加入申请")
    expect(applicant.locator(".msg-warning")).to_contain_text(f"您加入“{DEMO_ENTERPRISE_NAME}”的申请正在等待企业管理员审批")
    expect(applicant.get_by_test_id("enterprise-card")).to_have_count(0)
    token = api.token(username, PASSWORD)
    assert api.get(f"/enterprises/{DEMO_ENTERPRISE_USCC}", token)[0] == 404  # not a member yet

    admin = new_page()
    login_ok(admin, "demo-enterprise", lands_on="/portal/")
    admin.goto(f"/portal/enterprises/{DEMO_ENTERPRISE_USCC}/members/")
    row = admin.get_by_test_id("members").locator("tbody tr", has_text=username)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("待审批")
    row.get_by_role("button", name="批准").click()
    admin.wait_for_url(f"**/portal/enterprises/{DEMO_ENTERPRISE_USCC}/members/")
    expect(admin.locator(".msg-success")).to_contain_text("已处理")
    row = admin.get_by_test_id("members").locator("tbody tr", has_text=username)
    expect(row).to_contain_text("有效")
    expect(row).to_contain_text("企业填报人员")

    again = new_page()
    response = login(again, username, PASSWORD)
    assert response.status == 302
    again.wait_for_url("**/portal/")
    card = again.get_by_test_id("enterprise-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(DEMO_ENTERPRISE_NAME)
    expect(again.locator(".msg-warning")).to_have_count(0)
    assert api.get(f"/enterprises/{DEMO_ENTERPRISE_USCC}", token)[0] == 200
