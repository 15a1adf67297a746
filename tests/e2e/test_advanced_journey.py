"""先进级 applications of the demo world through the review chain in the browser.

Each test works on its own demo application (demo-applicant-1: waiting at the district;
demo-applicant-5: returned by the city), so they do not depend on each other's order.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import login_ok
from .steps_advanced import (
    CERTIFICATE,
    CITY,
    CO_DEPARTMENTS,
    DISTRICT,
    PROVINCE,
    act,
    applicant_factory,
    open_from_queue,
)


@pytest.mark.e2e
def test_district_city_province_certify_an_advanced_application(new_page):
    applicant = new_page()
    enterprise, factory, factory_url = applicant_factory(applicant, "demo-applicant-1")
    applicant.get_by_role("link", name=re.compile(r"2026 先进级")).click()
    expect(applicant.get_by_test_id("state")).to_contain_text(f"审核中 · 当前审核单位：{DISTRICT}")

    district = new_page()
    login_ok(district, "demo-district", lands_on="/console/")
    open_from_queue(district, factory)
    expect(district.get_by_role("heading", level=1)).to_contain_text(enterprise)
    act(district, "approve", "材料齐全，同意上报（e2e）")
    expect(district.locator(".msg-success")).to_contain_text("已审核通过“")
    assert "审核通过后报送上级主管部门" in district.confirmed[-1], district.confirmed  # asked first
    expect(district.get_by_test_id("state")).to_contain_text(f"当前审核单位：{CITY}")
    expect(district.get_by_test_id("reviews")).to_contain_text("材料齐全，同意上报（e2e）")
    expect(district.get_by_test_id("review-form")).to_have_count(0)  # no longer the district's turn

    city = new_page()
    login_ok(city, "demo-city", lands_on="/console/")
    open_from_queue(city, factory)
    # the city is not the last level: it cannot certify
    expect(city.get_by_test_id("review-form").get_by_test_id("action-certify")).to_have_count(0)
    act(city, "approve", "同意推荐（e2e）")
    expect(city.get_by_test_id("state")).to_contain_text(f"当前审核单位：{PROVINCE}")

    province = new_page()
    login_ok(province, "demo-province", lands_on="/console/")
    open_from_queue(province, factory)
    form = province.get_by_test_id("review-form")
    concurrence = province.get_by_test_id("concurrence")
    expect(concurrence).to_be_visible()
    letters = concurrence.locator("input[name=letter_number]")
    expect(letters).to_have_count(len(CO_DEPARTMENTS))
    for name in CO_DEPARTMENTS:
        expect(concurrence).to_contain_text(name)
    expect(form.get_by_test_id("action-approve")).to_have_count(0)  # the province decides

    # without the co-departments' concurrence the certify button is disabled, its reason naming who is
    # missing; posting the action anyway is refused the same way
    expect(province.get_by_test_id("action-certify")).to_be_disabled()
    why = province.get_by_test_id("why-certify")
    expect(why).to_contain_text("认定须有联合部门的会签意见")
    expect(why).to_contain_text(CO_DEPARTMENTS[0])
    province.get_by_test_id("review-form").evaluate(
        "f => { f.querySelector('[data-testid=action-certify]').disabled = false; }")
    act(province, "certify", "予以认定（e2e）")
    error = province.locator(".messages .msg-error")
    expect(error).to_contain_text("认定须有联合部门的会签意见")
    expect(province.get_by_test_id("state")).to_contain_text(f"审核中 · 当前审核单位：{PROVINCE}")

    # the lead records each co-department's concurrence with its letter number (文号)
    for n in range(len(CO_DEPARTMENTS)):
        row = province.get_by_test_id("concurrence").locator("form").first
        row.locator("input[name=letter_number]").fill(f"会签函〔2026〕{n + 1}号（e2e）")
        row.get_by_role("button", name="登记会签").click()
        expect(province.locator(".msg-success")).to_contain_text("会签意见已登记")
    expect(province.get_by_test_id("concurrence").locator("form")).to_have_count(0)
    expect(province.get_by_test_id("concurrence")).to_contain_text("会签函〔2026〕1号（e2e）")
    act(province, "certify", "经会同有关部门审核，予以认定（e2e）")
    expect(province.locator(".msg-success")).to_contain_text("已认定")
    state = province.get_by_test_id("state")
    expect(state).to_contain_text("已认定")
    certificate = CERTIFICATE.search(state.inner_text())
    assert certificate, state.inner_text()
    certificate_no = certificate.group(0)
    expect(province.get_by_test_id("review-form")).to_have_count(0)

    # the factory's tier history, as the applicant sees it
    applicant.goto(factory_url)
    row = applicant.locator("tbody tr", has=applicant.locator("td", has_text=re.compile(r"^2026$")))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("先进级")
    expect(row).to_contain_text(PROVINCE)
    expect(row).to_contain_text(certificate_no)

    # the certified list for MIIT, and its XLSX export
    province.goto("/console/applications/certified/?year=2026")
    expect(province.get_by_role("heading", level=1)).to_have_text("2026年度先进级智能工厂名单")
    listed = province.get_by_test_id("certified").locator("tbody tr", has_text=factory)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(enterprise)
    expect(listed).to_contain_text(certificate_no)
    href = province.get_by_role("button", name="导出 Excel").get_attribute("href")  # a link with role=button
    xlsx = province.request.get(f"/console/applications/certified/{href}")
    assert xlsx.status == 200, xlsx.status
    assert "spreadsheetml" in xlsx.headers["content-type"], xlsx.headers["content-type"]
    assert xlsx.body()[:2] == b"PK"


@pytest.mark.e2e
def test_returned_application_is_resubmitted_and_the_city_sees_the_change(new_page):
    applicant = new_page()
    _enterprise, factory, _url = applicant_factory(applicant, "demo-applicant-5")
    applicant.get_by_role("link", name=re.compile(r"2026 先进级")).click()
    expect(applicant.get_by_test_id("state")).to_contain_text("退回修改")
    reviews = applicant.get_by_test_id("reviews")
    expect(reviews.locator("tr", has_text="退回修改")).to_contain_text("请补充智能化改造投入明细")
    expect(reviews.locator("tr", has_text="退回修改")).to_contain_text(CITY)

    investment = applicant.locator("input[name=investment]")
    expect(investment).to_have_value("2680")
    investment.fill("3150.5")
    with applicant.expect_navigation():
        applicant.get_by_role("button", name="保存", exact=True).click()
    expect(applicant.locator(".msg-success")).to_contain_text("已保存")
    expect(applicant.locator("input[name=investment]")).to_have_value("3150.5")
    with applicant.expect_navigation():
        applicant.get_by_test_id("action-resubmit").click()
    expect(applicant.get_by_test_id("state")).to_contain_text(f"审核中 · 当前审核单位：{CITY}")
    expect(applicant.get_by_test_id("action-resubmit")).to_have_count(0)

    city = new_page()
    login_ok(city, "demo-city", lands_on="/console/")
    open_from_queue(city, factory)
    expect(city.get_by_text("第2版")).to_be_visible()
    changes = city.get_by_test_id("changes")
    expect(changes).to_be_visible()
    rows = changes.locator("tbody tr")
    expect(rows).to_have_count(1)  # only what the enterprise changed
    expect(rows.locator("td").nth(0)).to_have_text("智能化改造累计投入（万元）")
    expect(rows.locator("td").nth(1).locator("del")).to_have_text("2680")
    expect(rows.locator("td").nth(2).locator("ins")).to_have_text("3150.5")
