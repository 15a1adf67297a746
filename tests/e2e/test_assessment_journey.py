"""The self-assessment journey of demo-enterprise's 双流精密部件工厂 (only a 2025 basic award):
open the 2026 questionnaire, autosave answers (which survive a reload), complete it so the factory
attains 卓越级, read the result with its 领航级 gaps, download the PDF report, declare 基础级."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_ENTERPRISE_NAME, choose_location, login_ok, unique
from .steps_assessment import (
    BUILT,
    SECTIONS,
    WITH_AI,
    answer,
    answer_form,
    keys_in,
    open_factory,
)


@pytest.mark.e2e
def test_enterprise_completes_self_assessment_and_reads_result(page):
    login_ok(page, "demo-enterprise", lands_on="/portal/")
    open_factory(page)
    page.get_by_role("button", name="填写本年度自评估").click()
    page.wait_for_url(re.compile(r".*/portal/assessments/[0-9a-f-]{36}/$"))
    assessment_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("智能工厂自评估")

    basic_keys = keys_in(page, "basic")
    assert len(basic_keys) >= 2 and all(k.startswith("br:") for k in basic_keys), basic_keys

    # a few answers, then a reload: they come back selected
    answer(page, basic_keys[0], "true")
    answer(page, basic_keys[1], "true")
    answer(page, "cmmm:level", "3")
    page.reload()
    for key in basic_keys[:2]:
        expect(answer_form(page, key).locator('input[type=radio][value="true"]')).to_be_checked()
        expect(answer_form(page, key).locator('input[type=radio][value="false"]')).not_to_be_checked()
    expect(answer_form(page, "cmmm:level").locator("select")).to_have_value("3")
    expect(answer_form(page, basic_keys[2]).locator("input[type=radio]:checked")).to_have_count(0)

    # the rest of the required items
    for key in basic_keys[2:]:
        answer(page, key, "true")
    summaries = page.locator("#section-scenarios details > summary")
    assert summaries.count() == 8, f"环节 groups: {summaries.count()}"
    for i in range(summaries.count()):
        summaries.nth(i).click()
    built_keys = keys_in(page, "scenarios", ":built")
    assert len(built_keys) == 40, f"{len(built_keys)} scenarios"
    for key in built_keys:
        number = int(key.split(":")[1])
        answer(page, key, "true" if number in BUILT else "false")
    for number in sorted(BUILT):
        answer(page, f"scn:{number}:ai", "true" if number in WITH_AI else "false")
    answer(page, "kpi:level", label="全国同行业领先")

    for section in SECTIONS:
        expect(page.get_by_test_id(f"progress-{section}").locator(".num")).to_have_text("100%")

    # the result
    page.get_by_role("button", name="查看评估结果").first.click()  # links styled as buttons
    page.wait_for_url(f"{assessment_url}result/")
    expect(page.get_by_test_id("incomplete")).to_have_count(0)
    expect(page.get_by_test_id("attained")).to_have_text("卓越级")
    gaps = page.get_by_test_id("gaps")
    expect(gaps.get_by_role("heading", level=2)).to_have_text("距领航级的差距")
    expect(gaps).to_contain_text("智能制造能力成熟度应达到四级及以上（当前3级）")
    expect(gaps).to_contain_text("人工智能典型应用场景占比应不低于60%（当前20.0%）")
    expect(gaps).to_contain_text("主要技术经济指标应达到全球领先水平")
    expect(gaps).not_to_contain_text("覆盖")  # all five dimensions are covered

    # the PDF report, fetched with the browser's session
    href = page.get_by_role("button", name="下载评估报告（PDF）").get_attribute("href")
    report = page.request.get(href)
    assert report.status == 200, report.status
    assert report.headers["content-type"].startswith("application/pdf"), report.headers["content-type"]
    assert report.body()[:5] == b"%PDF-"

    # declare 基础级 (confirm dialog), then the factory's tier history has the 2026 self-declaration
    page.get_by_role("button", name="声明为基础级智能工厂").click()
    expect(page.get_by_test_id("declared")).to_be_visible()
    assert page.confirmed and "声明为基础级" in page.confirmed[-1], page.confirmed
    expect(page.get_by_role("button", name="声明为基础级智能工厂")).to_have_count(0)
    open_factory(page)
    row_2026 = page.locator("tbody tr", has=page.locator("td", has_text=re.compile(r"^2026$")))
    expect(row_2026).to_have_count(1)
    expect(row_2026).to_contain_text("基础级")
    expect(row_2026).to_contain_text("企业自评")


@pytest.mark.e2e
def test_progress_cards_catch_up_with_an_answer_saved_during_a_refresh(page):
    """The cards refresh on every autosave (hx-trigger "answer-saved from:body" on a stable container).
    An answer saved while the previous refresh is still in flight must still be counted once that
    refresh lands. Runs on a factory it adds itself, so no other test's answers can be there first."""
    login_ok(page, "demo-enterprise", lands_on="/portal/")
    page.locator(f"a:has-text('{DEMO_ENTERPRISE_NAME}')").first.click()
    page.get_by_role("button", name="添加工厂").click()
    page.fill("input[name=name]", unique("进度卡测试工厂"))
    choose_location(page)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/portal/factories/[0-9a-f-]{36}/$"))
    page.get_by_role("button", name="填写本年度自评估").click()
    page.wait_for_url(re.compile(r".*/portal/assessments/[0-9a-f-]{36}/$"))
    first, second = keys_in(page, "basic")[:2]
    basic = page.get_by_test_id("progress-basic").locator(".label")
    expect(basic).to_contain_text(" 0/")

    # a slow network: the server answers the refresh at once, the browser gets the answer later
    held, released = [], []

    def slow_network(route):
        if released:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route("**/progress/", slow_network)
    answer(page, first, "true", wait_progress=False)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1, f"{len(held)} progress refreshes after the first answer"
    answer(page, second, "true", wait_progress=False)  # saved while the refresh is in flight
    released.append(True)
    route, response = held[0]
    assert "基本要求 1/" in response.text()  # the refresh was answered before the second save
    route.fulfill(response=response)

    # the server counts both answers; once settled, the cards must too
    fragment = page.request.get(page.url + "progress/").text()
    assert re.search(r"基本要求 2/\d+", fragment), fragment
    expect(basic).to_contain_text(" 2/", timeout=3_000)
