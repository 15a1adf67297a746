"""The national evaluation of one 卓越级 application, in the browser (open 2026 campaign).

Acceptance: ministry formal check → assignment → two experts score → site visit recorded → 公示 →
objection handled → decision → the factory appears on the public list and in its tier history.

The starting point is built inside the e2e database through the platform's services, by a
``manage.py shell`` subprocess with the server's environment (the technique and the opening of the
script of test_parallel_recommend, as test_recommendation_journey reuses it). So that no other test
and no demo data shares its batch, the application comes through the XPCC channel (a factory in
石河子市): the other journeys fill and submit Sichuan's 2026 卓越级 batch, and the demo world sends
Zhejiang's to MIIT. demo-ministry creates a leader of 新疆生产建设兵团工业和信息化局 (the demo has
no XPCC account); a new enterprise registers in 石河子市 (an XPCC enterprise), adds a factory, holds a
2025 先进级 award from the XPCC, attains 卓越级 in its self-assessment, fills the book, attaches the
required PDFs and submits; the XPCC (its only review level) recommends it, finalises its batch (no
co-departments), uploads the two stamped scans and submits the batch to MIIT — so an evaluation
waits for the formal check. demo-ministry also creates two scoring experts (Beijing, industry 35
and the application's five scenarios: the best match of the automatic assignment) and a site-visit
expert (Guangdong, no speciality), each with an ExpertProfile (``save_expert_profile``), none in
the applicant's region.

In the browser: demo-ministry passes the formal check; opens the 2026 卓越级 assignment preview,
keeps only this application's pairs with our two experts (a pool shared with other tests or demo
data may offer other pairs: they are unticked, and an expert of ours the preview did not offer is
assigned by hand on the detail page) and commits; each expert finds the application in the expert
queue (/console/expert/), opens it and submits the score form; demo-ministry sees both totals, moves
it to the site visit and plans the visit (team: the third expert, a date two weeks ahead); the
enterprise follows the notification from its notifications page (/notifications/, the badge in
the header) to /site-visits/<id>/ and confirms the date; the team expert records a finding for every
checklist item and the outcome 核查通过; demo-ministry publishes the 公示 from the panel for this
application only, with a one-day period; an anonymous visitor opens the public notice and objects;
demo-ministry dismisses the objection with its handling. A browser cannot wait out the period, and
no service or page closes a notice early (``finalise_publicity`` refuses before ``ends_at``; its
``now`` argument is not reachable from the page), so a second ``manage.py shell`` step moves the
notice's period one day into the past through the ORM. demo-ministry then finalises the notice,
registers the six ministries' concurrence (each with its letter's document number), and decides with
a decision number. Finally an anonymous visitor finds the factory with its certificate number on
/public/awards/?year=2026&tier=excellent, the enterprise sees the 2026 卓越级 line (工业和信息化部,
the certificate number) in its tier history on its enterprise page, and GET /api/v1/factories/<id>
lists it in ``tier_history``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, ApiClient, login_ok, logout
from .steps_national import (
    CERTIFICATE,
    SCORES,
    SHANGHAI,
    SHIFT,
    SHIFTED,
    TOTALS,
    VISIT_DAY,
    VISITED,
    YEAR,
    _build,
    _open_evaluation,
    _shell,
    _submit,
    _submit_expecting_error,
    concur_and_decide,
    publish_for_one,
    record_site_visit,
)


# --------------------------------------------------------------------------- the test
@pytest.mark.e2e
def test_national_evaluation_from_formal_check_to_public_list(new_page, api: ApiClient, live_url, e2e_database_url):
    built = _build(live_url, e2e_database_url)
    evaluation_id, name, factory = built["evaluation"], built["name"], built["factory"]
    experts, visitor = built["experts"], built["visitor"]
    page = new_page()

    # 1. demo-ministry finds the evaluation in its inbox and passes the formal check
    login_ok(page, "demo-ministry", lands_on="/console/")
    page.goto(f"/console/evaluation/?year={YEAR}&tier=excellent&state=awaiting_check")
    link = page.get_by_test_id("evaluations").get_by_role("link", name=name)
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_url(f"**/console/evaluation/{evaluation_id}/")
    expect(page.get_by_test_id("state")).to_contain_text("待形式审查")
    checks = page.get_by_test_id("auto-checks")
    expect(checks.locator("tr")).to_have_count(6)
    expect(checks).not_to_contain_text("未通过")
    page.get_by_test_id("evaluation-actions").locator("textarea[name=reason]").fill("材料齐全，形式审查通过（e2e 国家评审）")
    _submit(page, page.get_by_test_id("action-formal_pass"))
    expect(page.get_by_test_id("state")).to_contain_text("专家评审")

    # 2. the assignment preview: only this application's pairs with our two experts are committed
    page.goto(f"/console/evaluation/assign/{YEAR}/excellent/")
    preview = page.get_by_test_id("preview")
    expect(preview.locator("tbody tr", has_text=name)).to_have_count(1)
    ours = {f"{evaluation_id}:{e['id']}" for e in experts}
    boxes = preview.locator("input[type=checkbox][name=pair]")
    kept = set()
    for i in range(boxes.count()):
        box = boxes.nth(i)
        value = box.get_attribute("value")
        if value in ours:
            expect(box).to_be_checked()
            kept.add(value)
        else:
            box.uncheck()
    if kept:
        _submit(page, page.get_by_test_id("commit"))
        page.wait_for_url(f"**/console/evaluation/panel/{YEAR}/excellent/")
        expect(page.locator(".messages .msg-success")).to_contain_text(f"已分配{len(kept)}人次")
    _open_evaluation(page, evaluation_id)
    assignments = page.get_by_test_id("assignments")
    for expert in experts:
        if f"{evaluation_id}:{expert['id']}" not in kept:  # the preview offered someone else: by hand
            assignments.locator("select[name=expert]").select_option(value=str(expert["id"]))
            _submit(page, assignments.get_by_role("button", name="手动分配"))
            assignments = page.get_by_test_id("assignments")
        expect(assignments.locator("tbody tr", has_text=expert["name"])).to_have_count(1)
    expect(assignments.locator("tbody tr")).to_have_count(2)
    logout(page)

    # 3. each expert finds it in the queue, opens it and scores every criterion
    for expert, scores, total in zip(experts, SCORES, TOTALS, strict=True):
        login_ok(page, expert["username"], expert["password"], lands_on="/console/")
        page.goto("/console/expert/")
        row = page.get_by_test_id("queue").locator("tr", has_text=name)
        expect(row).to_contain_text("待评分")
        row.get_by_role("link", name=name).click()
        page.wait_for_url(f"**/console/evaluation/{evaluation_id}/")
        form = page.get_by_test_id("score-form")
        for key, value in scores.items():
            form.locator(f"input[name=score-{key}]").fill(str(value))
        form.locator("input[name=comment-scenarios]").fill(f"场景建设扎实（{expert['name']}）")
        _submit(page, form.get_by_role("button", name="提交评分"))
        expect(page.get_by_test_id("my-scores")).to_contain_text(f"已提交：{total} 分")
        page.goto("/console/expert/")
        expect(page.get_by_test_id("queue").locator("tr", has_text=name)).to_contain_text(f"已评分 {total}")
        logout(page)

    # 4. demo-ministry sees both scores, moves it to the site visit and plans the visit
    login_ok(page, "demo-ministry", lands_on="/console/")
    _open_evaluation(page, evaluation_id)
    assignments = page.get_by_test_id("assignments")
    for expert, total in zip(experts, TOTALS, strict=True):
        expect(assignments.locator("tbody tr", has_text=expert["name"])).to_contain_text(total)
    expect(page.get_by_test_id("spread")).to_contain_text("3.00")
    _submit(page, page.get_by_test_id("action-to_site_visit"))
    expect(page.get_by_test_id("state")).to_contain_text("现场核查")
    plan = page.get_by_test_id("plan-visit")
    plan.locator(f"input[name=team][value='{visitor['id']}']").check()
    when = (datetime.now(SHANGHAI).date() + timedelta(days=14)).isoformat()  # the server's calendar
    plan.locator("input[name=scheduled_for]").fill(when)
    _submit(page, plan.get_by_role("button", name="保存并通知企业确认"))
    visit_section = page.get_by_test_id("site-visit")
    expect(visit_section).to_contain_text(f"核查日期：{when}")
    expect(visit_section).to_contain_text("待企业确认")
    expect(visit_section).to_contain_text(visitor["name"])
    # the visit as the ministry's API shows it (its id is where the enterprise's notification leads)
    token = api.token("demo-ministry", DEMO_PASSWORD)
    status, body = api.get(f"/evaluations/{evaluation_id}", token)
    assert status == 200 and body["site_visit"], (status, body)
    visit_id = body["site_visit"]["id"]
    assert len(body["site_visit"]["checklist"]) == built["checklist"], body["site_visit"]["checklist"]
    logout(page)

    # 5. the enterprise follows its notification and confirms the date
    login_ok(page, built["username"], built["password"], lands_on="/portal/")
    expect(page.get_by_test_id("notifications-link").locator(".badge")).to_be_visible()
    page.get_by_test_id("notifications-link").click()
    page.get_by_test_id("notifications").get_by_role("link", name="现场核查日期待确认").first.click()
    page.wait_for_url(f"**/site-visits/{visit_id}/")
    expect(page.get_by_test_id("visit-date")).to_contain_text(f"{int(when[:4])}年{int(when[5:7])}月{int(when[8:])}日")
    _submit(page, page.get_by_test_id("agree"))
    expect(page.get_by_test_id("visit-date")).to_contain_text("已确认")
    expect(page.get_by_test_id("agree")).to_have_count(0)
    logout(page)

    # 6. the day of the visit comes; the team expert records a finding for every checklist item, then
    # the outcome 核查通过
    _shell(live_url, e2e_database_url, VISIT_DAY, "E2E_NATIONAL_PARAMS", {"evaluation": evaluation_id}, VISITED)
    login_ok(page, visitor["username"], visitor["password"], lands_on="/console/")
    page.goto("/console/expert/")
    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"**/console/evaluation/{evaluation_id}/")
    checklist = page.get_by_test_id("checklist")
    expect(checklist.locator("tbody tr")).to_have_count(built["checklist"])
    keys = [row.get_attribute("data-item") for row in checklist.locator("tbody tr").all()]
    record_site_visit(page, keys, "现场核查通过（e2e 国家评审）")
    logout(page)

    # 7. demo-ministry publishes the 公示 for this application only, with a one-day period
    login_ok(page, "demo-ministry", lands_on="/console/")
    page.goto(f"/console/evaluation/panel/{YEAR}/excellent/")
    expect(page.get_by_test_id("panel").locator("tr", has_text=name)).to_contain_text("79.50")
    publicity_id = publish_for_one(page, evaluation_id)
    listed = page.get_by_test_id("publicity-list").locator("tbody tr")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text(name)
    expect(listed.first).to_contain_text("拟入选（公示）")

    # 8. an anonymous visitor objects while the notice is open
    public = new_page()
    public.goto(f"/publicity/{publicity_id}/")
    expect(public.get_by_test_id("notice-list")).to_contain_text(name)
    objection = public.get_by_test_id("objection-form")
    objection.locator("select[name=evaluation]").select_option(value=evaluation_id)
    objection.locator("input[name=name]").fill("王异议")
    objection.locator("input[name=contact]").fill("13900139000")
    objection.locator("textarea[name=content]").fill("该工厂申报的视觉检测场景在现场似未全面投入使用，请核实。")
    _submit(public, objection.get_by_role("button", name="提交异议"))
    expect(public.locator(".messages .msg-success")).to_contain_text("异议已收到")

    # 9. demo-ministry dismisses it with its handling
    page.reload()
    objections = page.get_by_test_id("objections")
    row = objections.locator("tr", has_text="王异议")
    expect(row).to_contain_text("13900139000")  # the contact, decrypted for the ministry only
    expect(row).to_contain_text("视觉检测场景")
    row.locator("textarea[name=handling]").fill("经核查，视觉检测系统已于2025年投入运行，异议不成立。")
    _submit(page, row.get_by_role("button", name="异议不成立"))
    expect(page.get_by_test_id("objections").locator("tr", has_text="王异议")).to_contain_text(
        "异议不成立：经核查，视觉检测系统已于2025年投入运行")
    # still open: the notice cannot be finalised before its period ends — the button is disabled, its
    # reason saying so; posting it anyway is refused the same way
    expect(page.get_by_test_id("finalise-publicity")).to_be_disabled()
    expect(page.get_by_test_id("why-finalise")).to_contain_text("结束后方可定稿")
    page.get_by_test_id("finalise-publicity").evaluate("b => { b.disabled = false; }")
    _submit_expecting_error(page, page.get_by_test_id("finalise-publicity"), "结束后方可定稿")

    # 10. the period ends (moved into the past: see SHIFT), then finalise, concur and decide
    _shell(live_url, e2e_database_url, SHIFT, "E2E_NATIONAL_PARAMS", {"publicity": publicity_id}, SHIFTED)
    public.reload()
    expect(public.get_by_test_id("objection-form")).to_have_count(0)
    expect(public.locator("body")).to_contain_text("公示期已结束")
    page.reload()
    _submit(page, page.get_by_test_id("finalise-publicity"))
    expect(page.get_by_test_id("publicity-status")).to_contain_text("公示结束")
    decision = concur_and_decide(page, YEAR, "会签函")
    listed = page.get_by_test_id("publicity-list").locator("tbody tr", has_text=name)
    expect(listed).to_contain_text("审定通过")
    certificate = listed.locator("td").nth(3).inner_text().strip()
    assert CERTIFICATE.fullmatch(certificate), certificate
    _open_evaluation(page, evaluation_id)
    expect(page.get_by_test_id("state")).to_contain_text("审定通过")
    expect(page.get_by_test_id("state")).to_contain_text(certificate)
    logout(page)

    # 11. the public list shows the factory with its certificate number (no login)
    public.goto(f"/public/awards/?year={YEAR}&tier=excellent")
    row = public.get_by_test_id("awards").locator(f"tbody tr[data-certificate='{certificate}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(name)
    expect(row).to_contain_text(factory)
    expect(row).to_contain_text(built["uscc"])
    expect(row).to_contain_text("卓越级")
    public.goto(f"/publicity/{publicity_id}/")
    expect(public.locator("body")).to_contain_text(f"已审定（{decision}）")

    # 12. the enterprise sees the 2026 卓越级 line in its tier history
    login_ok(page, built["username"], built["password"], lands_on="/portal/")
    page.get_by_test_id("enterprise-card").get_by_role("link", name=name).click()
    page.wait_for_url(f"**/portal/enterprises/{built['uscc']}/")
    line = page.locator("tr", has_text=certificate)
    expect(line).to_have_count(1)
    expect(line).to_contain_text(str(YEAR))
    expect(line).to_contain_text("卓越级")
    expect(line).to_contain_text("工业和信息化部")
    page.goto(f"/portal/factories/{built['factory_id']}/")
    expect(page.locator("tr", has_text=certificate)).to_contain_text("卓越级")

    # ... and the API lists it in the factory's tier history
    token = api.token(built["username"], built["password"])
    status, body = api.get(f"/factories/{built['factory_id']}", token)
    assert status == 200, body
    lines = [a for a in body["tier_history"] if a["year"] == YEAR and a["tier"] == "excellent"]
    assert len(lines) == 1, body["tier_history"]
    assert lines[0]["certificate_no"] == certificate and lines[0]["status"] == "active", lines[0]
    assert lines[0]["authority"] == "工业和信息化部", lines[0]
