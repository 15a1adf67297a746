"""The acceptance of a 领航级 cultivation object, in the browser (demo world, 2025 campaign).

Acceptance: progress reports filed → acceptance application with evidence → the province's
preliminary review (returned once, corrected, approved) → the national acceptance (formal check →
automatic assignment → two experts score → site visit recorded → 公示 → six ministries' decision) →
the factory appears on the public list as 领航级 and its cultivation object is accepted.

The starting point is the demo world as seeded: ``demo-leading-sc-1`` is the enterprise admin of a
Sichuan 2025 cultivation object (two targets, 生产效率提升 30 % and 运营成本降低 20 %; published
2025-11-27, period to 2027-11-27; its first half-yearly report filed), ``demo-province`` leads
四川省经济和信息化厅 (its recommender), ``demo-ministry`` is MIIT staff and ``demo-expert`` …
``demo-expert-12`` are the expert pool. No other test works on the 2025 领航级 acceptances, so
the acceptance round holds only this object's evaluation.

In the browser: demo-leading-sc-1 opens its object from /cultivation/, files the next progress
report and, while a report is still shown overdue (逾期未交: the test may run on a later date), the
next one too — the acceptance is refused while a report is overdue. It opens the acceptance page,
fills the summary and each target's achieved value and evidence, saves a draft, uploads a PDF of
evidence against the second target (only a draft takes files) and submits: 待推荐单位初审.
demo-province follows its notification (/notifications/) to the acceptance page and returns it with
a reason; the enterprise sees 初审退回修改 with the reason, corrects the first value and resubmits;
demo-province approves: 国家验收中, and an evaluation of kind ``acceptance`` waits for the formal
check. demo-ministry finds it in the inbox filtered to acceptances (/console/evaluation/?kind=
acceptance), sees the results with the evidence file and passes the formal check; it commits the
automatic assignment from the acceptance preview (/console/evaluation/assign/2025/leading/?kind=
acceptance: the conflict rules exclude the Sichuan expert and caps apply, so the test does not pick
the experts — it reads the two assigned ones on the evaluation page and maps their organisations to
usernames with ``EXPERT_PROFILES``). Each assigned expert sees the task in the expert queue and
scores the four acceptance criteria (targets, leadership, ai, spillover) on the evaluation page.
demo-ministry sees both totals, moves it to the site visit and plans the visit with a third expert
(not assigned, not in Sichuan) two weeks ahead; the enterprise follows its notification to
/site-visits/<id>/ and confirms the date; the team expert records a finding for every checklist
item (the general ones and one per target, t:1 and t:2) and the outcome 核查通过. demo-ministry
publishes the acceptance 公示 from the acceptance panel (/console/evaluation/panel/2025/leading/?kind=
acceptance) for this object only with a one-day period. A browser cannot wait out the period, so a
``manage.py shell`` step with the server's environment (test_national_journey's SHIFT) moves it one
day into the past through the ORM; demo-ministry then finalises the notice, registers the six
ministries' concurrence and decides with a decision number: the evaluation is 验收通过 with the
certificate number 领航智能工厂〔<decision year>〕001号. Finally an anonymous visitor finds the factory
with that number on /public/awards/?year=<decision year>&tier=leading, and the enterprise sees
通过验收 on its acceptance page and 已验收 on its cultivation page.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from smartfactory.demo.national import EXPERT_PROFILES

from .conftest import login_ok, logout
from .steps_excellent import blank_pdf
from .steps_national import (
    SHANGHAI,
    SHIFT,
    SHIFTED,
    UUID,
    VISIT_DAY,
    VISITED,
    _open_evaluation,
    _shell,
    _submit,
    concur_and_decide,
    publish_for_one,
    record_site_visit,
)

ENTERPRISE_USER = "demo-leading-sc-1"
CAMPAIGN = 2025
SICHUAN = "510000"
# acceptance criterion key → score, per expert: weighted (0.40/0.25/0.20/0.15) totals 85.00 and
# 82.00, 3 points apart (threshold 15: no third expert)
SCORES = (
    {"targets": 90, "leadership": 84, "ai": 80, "spillover": 80},
    {"targets": 85, "leadership": 80, "ai": 80, "spillover": 80},
)
TOTALS = ("85.00", "82.00")
# achieved value, evidence text per target number; the province has the first value corrected
RESULTS = {1: ("33", "第三方检测报告：关键工序节拍缩短，人均产值较基期提升"), 2: ("21", "年度财务审计报告（见附件）")}
CORRECTED = "31"
SUMMARY = "培育期内建成工厂级数字孪生平台，关键工序数据实时采集与智能排产全面上线，两项培育目标均已达成。"
EXPERT_BY_ORGANISATION = {profile[0]: username for username, profile in EXPERT_PROFILES.items()}


def _reports_table(page):
    return page.get_by_test_id("reports")


def _file_next_report(page, n: int) -> None:
    """Fill and submit the report form (the next unsubmitted report); its row then says 已提交."""
    heading = page.locator("h3", has_text=re.compile(r"提交第\d+期进展报告")).inner_text()
    sequence = int(re.search(r"第(\d+)期", heading).group(1))
    form = page.get_by_test_id("report-form")
    form.locator("textarea[name=summary]").fill(f"第{sequence}期：数字孪生平台二期上线，智能排产覆盖全部产线（e2e {n}）。")
    form.locator("input[name=value-1]").fill("25")
    form.locator("input[name=value-2]").fill("16")
    _submit(page, form.get_by_role("button", name="提交报告"))
    expect(page.locator(".messages .msg-success")).to_contain_text("已提交")
    row = _reports_table(page).locator("tbody tr").nth(sequence - 1)
    expect(row).to_contain_text("已提交")
    expect(row).to_contain_text("#1=25")


def _acceptance_form_values(page, results: dict) -> None:
    form = page.get_by_test_id("acceptance-form")
    form.locator("textarea[name=summary]").fill(SUMMARY)
    for number, (value, evidence) in results.items():
        form.locator(f"input[name=value-{number}]").fill(value)
        form.locator(f"input[name=evidence-{number}]").fill(evidence)


def _state(page):
    return page.get_by_test_id("acceptance-state")


@pytest.mark.e2e
def test_leading_acceptance_from_progress_report_to_public_list(new_page, live_url, e2e_database_url):
    page = new_page()

    # 1. the enterprise opens its cultivation object and files its reports until none is overdue
    login_ok(page, ENTERPRISE_USER, lands_on="/portal/")
    page.goto("/cultivation/")
    rows = page.get_by_test_id("cultivations").locator("tbody tr")
    expect(rows).to_have_count(1)
    factory = rows.first.locator("td").nth(0).inner_text().strip()
    enterprise = rows.first.locator("td").nth(1).inner_text().strip()
    expect(rows.first).to_contain_text("培育中")
    rows.first.get_by_role("link", name=factory).click()
    page.wait_for_url(re.compile(rf"/cultivation/{UUID}/$"))
    cultivation_id = re.search(UUID, page.url).group(0)
    expect(page.get_by_test_id("targets")).to_contain_text("生产效率提升")
    expect(page.get_by_test_id("targets")).to_contain_text("运营成本降低")
    expect(_reports_table(page).locator("tbody tr").first).to_contain_text("已提交")
    reports = _reports_table(page).locator("tbody tr").count()
    _file_next_report(page, 1)
    for n in range(2, reports + 1):  # a later run: the reports that fell due meanwhile
        if _reports_table(page).locator("tr", has_text="逾期未交").count() == 0:
            break
        _file_next_report(page, n)
    expect(_reports_table(page)).not_to_contain_text("逾期未交")

    # 2. the acceptance application: draft, a PDF against target 2, submit
    page.get_by_test_id("acceptance-link").click()
    page.wait_for_url(f"**/cultivation/{cultivation_id}/acceptance/")
    expect(_state(page)).to_have_text("尚未提出验收申请。")  # none yet
    expect(page.get_by_test_id("evidence-form")).to_have_count(0)  # files only once a draft exists
    _acceptance_form_values(page, RESULTS)
    _submit(page, page.get_by_test_id("acceptance-form").get_by_role("button", name="保存草稿"))
    expect(page.locator(".messages .msg-success")).to_contain_text("已保存")
    expect(_state(page)).to_contain_text("草稿")
    evidence = page.get_by_test_id("evidence-form")
    evidence.locator("select[name=target]").select_option(value="2")
    evidence.locator("input[name=file]").set_input_files(
        {"name": "运营成本审计报告.pdf", "mimeType": "application/pdf", "buffer": blank_pdf()})
    _submit(page, evidence.get_by_role("button", name="上传佐证材料"))
    form = page.get_by_test_id("acceptance-form")
    expect(form.locator("tbody tr").nth(1).get_by_role("link", name="运营成本审计报告.pdf")).to_be_visible()
    expect(form.locator("textarea[name=summary]")).to_have_value(SUMMARY)  # the draft kept
    expect(form.locator("input[name=value-1]")).to_have_value(RESULTS[1][0])
    _submit(page, page.get_by_test_id("submit-acceptance"))
    expect(_state(page)).to_contain_text("待推荐单位初审")
    expect(page.get_by_test_id("acceptance-form")).to_have_count(0)
    expect(page.get_by_test_id("acceptance-review")).to_have_count(0)
    expect(page.get_by_test_id("acceptance-results")).to_contain_text(RESULTS[1][0])
    logout(page)

    # 3. the province follows its notification and returns it with a reason
    reason = f"目标1达成值与检测报告数据不一致，请核实后修改（e2e {uuid.uuid4().hex[:6]}）"
    login_ok(page, "demo-province", lands_on="/console/")
    page.goto("/notifications/")
    page.get_by_test_id("notifications").get_by_role("link", name=f"{factory}提交领航级验收申请，待初审").first.click()
    page.wait_for_url(f"**/cultivation/{cultivation_id}/acceptance/")
    expect(_state(page)).to_contain_text("待推荐单位初审")
    expect(page.get_by_test_id("acceptance-results")).to_contain_text("运营成本审计报告.pdf")
    review = page.get_by_test_id("acceptance-review")
    expect(review.get_by_test_id("review-reject")).to_be_visible()
    review.locator("textarea[name=reason]").fill(reason)
    _submit(page, review.get_by_test_id("review-return"))
    expect(_state(page)).to_contain_text("初审退回修改")
    expect(page.get_by_test_id("acceptance-review")).to_have_count(0)
    logout(page)

    # ... the enterprise sees why, corrects the first value and resubmits
    login_ok(page, ENTERPRISE_USER, lands_on="/portal/")
    page.goto(f"/cultivation/{cultivation_id}/acceptance/")
    expect(_state(page)).to_contain_text("初审退回修改")
    expect(page.get_by_test_id("review").first).to_contain_text(reason)
    form = page.get_by_test_id("acceptance-form")
    expect(form.locator("input[name=value-2]")).to_have_value(RESULTS[2][0])
    form.locator("input[name=value-1]").fill(CORRECTED)
    _submit(page, page.get_by_test_id("submit-acceptance"))
    expect(_state(page)).to_contain_text("待推荐单位初审")
    expect(page.get_by_test_id("acceptance-results").locator("tbody tr").first).to_contain_text(CORRECTED)
    logout(page)

    # ... and the province approves: the national acceptance begins
    login_ok(page, "demo-province", lands_on="/console/")
    page.goto(f"/cultivation/{cultivation_id}/acceptance/")
    expect(page.get_by_test_id("acceptance-results").locator("tbody tr").first).to_contain_text(CORRECTED)
    review = page.get_by_test_id("acceptance-review")
    review.locator("textarea[name=reason]").fill("材料齐全，目标达成，初审通过，同意报送工业和信息化部。")
    _submit(page, review.get_by_test_id("review-approve"))
    expect(_state(page)).to_contain_text("国家验收中")
    expect(_state(page)).to_contain_text("待形式审查")
    logout(page)

    # 4. demo-ministry finds the acceptance evaluation and passes the formal check
    login_ok(page, "demo-ministry", lands_on="/console/")
    page.goto("/console/evaluation/?kind=acceptance")
    link = page.get_by_test_id("evaluations").get_by_role("link", name=enterprise)
    expect(link).to_have_count(1)
    expect(page.get_by_test_id("evaluations").locator("tr", has_text=enterprise)).to_contain_text("验收")
    link.click()
    page.wait_for_url(re.compile(rf"/console/evaluation/{UUID}/$"))
    evaluation_id = re.search(UUID, page.url).group(0)
    expect(page.get_by_test_id("state")).to_contain_text("待形式审查")
    results = page.get_by_test_id("acceptance").get_by_test_id("acceptance-results")
    expect(results.locator("tbody tr").first).to_contain_text(CORRECTED)
    expect(results.locator("tbody tr").nth(1).get_by_role("link", name="运营成本审计报告.pdf")).to_be_visible()
    checks = page.get_by_test_id("auto-checks")
    expect(checks.locator("tr")).to_have_count(5)
    expect(checks).not_to_contain_text("未通过")
    page.get_by_test_id("evaluation-actions").locator("textarea[name=reason]").fill("验收材料齐全，形式审查通过（e2e 验收）")
    _submit(page, page.get_by_test_id("action-formal_pass"))
    expect(page.get_by_test_id("state")).to_contain_text("专家评审")

    # ... commits the automatic assignment of the acceptance round (only this evaluation is in it)
    page.goto(f"/console/evaluation/assign/{CAMPAIGN}/leading/?kind=acceptance")
    preview = page.get_by_test_id("preview")
    expect(preview.locator("tbody tr")).to_have_count(1)
    expect(preview.locator("tbody tr").first).to_contain_text(enterprise)
    expect(preview.locator(f"input[name=pair][value^='{evaluation_id}:']")).to_have_count(2)
    _submit(page, page.get_by_test_id("commit"))
    page.wait_for_url(f"**/console/evaluation/panel/{CAMPAIGN}/leading/?kind=acceptance")
    expect(page.locator(".messages .msg-success")).to_contain_text("已分配2人次")

    # ... and reads whom it assigned
    _open_evaluation(page, evaluation_id)
    assigned = page.get_by_test_id("assignments").locator("tbody tr")
    expect(assigned).to_have_count(2)
    experts = []
    for i in range(2):
        organisation = assigned.nth(i).locator("small").inner_text().strip()
        assert organisation in EXPERT_BY_ORGANISATION, f"the preview assigned an expert outside the demo pool: {organisation}"
        username = EXPERT_BY_ORGANISATION[organisation]
        assert EXPERT_PROFILES[username][2] != SICHUAN, f"{username} is in Sichuan: the conflict rules should exclude it"
        experts.append({"username": username, "organisation": organisation,
                        "name": assigned.nth(i).locator("td").first.inner_text().split("\n")[0].strip()})
    logout(page)

    # 5. each expert finds the task in the queue and scores the acceptance criteria
    for expert, scores, total in zip(experts, SCORES, TOTALS, strict=True):
        login_ok(page, expert["username"], lands_on="/console/")
        page.goto("/console/expert/")
        task = page.get_by_test_id("queue").locator(f"tr:has(a[href$='/console/evaluation/{evaluation_id}/'])")
        expect(task).to_contain_text("待评分")
        expect(task).to_contain_text(enterprise)
        task.get_by_role("link", name=enterprise).click()
        page.wait_for_url(f"**/console/evaluation/{evaluation_id}/")
        expect(page.get_by_test_id("acceptance-results").locator("tbody tr").first).to_contain_text(CORRECTED)
        form = page.get_by_test_id("score-form")
        expect(form.locator("input[type=number]")).to_have_count(len(scores))
        for key, value in scores.items():
            form.locator(f"input[name=score-{key}]").fill(str(value))
        form.locator("input[name=comment-targets]").fill(f"两项培育目标均已达成（{expert['name']}）")
        _submit(page, form.get_by_role("button", name="提交评分"))
        expect(page.get_by_test_id("my-scores")).to_contain_text(f"已提交：{total} 分")
        page.goto("/console/expert/")
        expect(page.get_by_test_id("queue").locator(f"tr:has(a[href$='/console/evaluation/{evaluation_id}/'])")
               ).to_contain_text(f"已评分 {total}")
        logout(page)

    # 6. demo-ministry sees both totals, moves it to the site visit and plans the visit
    login_ok(page, "demo-ministry", lands_on="/console/")
    _open_evaluation(page, evaluation_id)
    assignments = page.get_by_test_id("assignments")
    for expert, total in zip(experts, TOTALS, strict=True):
        expect(assignments.locator("tbody tr", has_text=expert["organisation"])).to_contain_text(total)
    expect(page.get_by_test_id("spread")).to_contain_text("3.00")
    _submit(page, page.get_by_test_id("action-to_site_visit"))
    expect(page.get_by_test_id("state")).to_contain_text("现场核查")
    taken = {e["username"] for e in experts}
    visitor = next(u for u, p in EXPERT_PROFILES.items() if u not in taken and p[2] != SICHUAN and not p[1])
    visitor_organisation = EXPERT_PROFILES[visitor][0]
    plan = page.get_by_test_id("plan-visit")
    plan.locator("label", has_text=f"（{visitor_organisation}）").locator("input[name=team]").check()
    when = (datetime.now(SHANGHAI).date() + timedelta(days=14)).isoformat()  # the server's calendar
    plan.locator("input[name=scheduled_for]").fill(when)
    _submit(page, plan.get_by_role("button", name="保存并通知企业确认"))
    visit_section = page.get_by_test_id("site-visit")
    expect(visit_section).to_contain_text(f"核查日期：{when}")
    expect(visit_section).to_contain_text("待企业确认")
    checklist = page.get_by_test_id("checklist").locator("tbody tr")
    keys = [row.get_attribute("data-item") for row in checklist.all()]
    assert {"t:1", "t:2"} <= set(keys), keys
    expect(page.get_by_test_id("checklist").locator("tbody tr[data-item='t:1']")).to_contain_text(CORRECTED)
    logout(page)

    # 7. the enterprise follows its notification and confirms the date
    login_ok(page, ENTERPRISE_USER, lands_on="/portal/")
    page.get_by_test_id("notifications-link").click()
    page.get_by_test_id("notifications").get_by_role("link", name="现场核查日期待确认").first.click()
    page.wait_for_url(re.compile(r"/site-visits/\d+/$"))
    expect(page.get_by_test_id("visit-date")).to_contain_text(f"{int(when[:4])}年{int(when[5:7])}月{int(when[8:])}日")
    expect(page.locator("ol")).to_contain_text("生产效率提升")
    _submit(page, page.get_by_test_id("agree"))
    expect(page.get_by_test_id("visit-date")).to_contain_text("已确认")
    logout(page)

    # 8. the day of the visit comes; the team expert records a finding for every checklist item, then
    # the outcome 核查通过
    _shell(live_url, e2e_database_url, VISIT_DAY, "E2E_NATIONAL_PARAMS", {"evaluation": evaluation_id}, VISITED)
    login_ok(page, visitor, lands_on="/console/")
    page.goto("/console/expert/")
    expect(page.locator(f"a[href$='/console/evaluation/{evaluation_id}/']")).to_have_count(1)
    _open_evaluation(page, evaluation_id)
    expect(page.get_by_test_id("checklist").locator("tbody tr")).to_have_count(len(keys))
    record_site_visit(page, keys, "培育目标现场核实达成，核查通过（e2e 验收）")
    logout(page)

    # 9. demo-ministry publishes the acceptance 公示 for this object only, with a one-day period
    login_ok(page, "demo-ministry", lands_on="/console/")
    page.goto(f"/console/evaluation/panel/{CAMPAIGN}/leading/?kind=acceptance")
    expect(page.get_by_test_id("panel").locator("tr", has_text=enterprise)).to_contain_text("83.50")
    publicity_id = publish_for_one(page, evaluation_id)
    expect(page.locator("h1")).to_contain_text("拟通过验收名单公示")
    expect(page.get_by_test_id("publicity-status")).to_contain_text("公示中")
    listed = page.get_by_test_id("publicity-list").locator("tbody tr")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text(enterprise)
    expect(listed.first).to_contain_text("拟通过验收（公示）")

    # 10. the period ends (moved into the past), then finalise, concur and decide
    _shell(live_url, e2e_database_url, SHIFT, "E2E_NATIONAL_PARAMS", {"publicity": publicity_id}, SHIFTED)
    page.reload()
    _submit(page, page.get_by_test_id("finalise-publicity"))
    expect(page.get_by_test_id("publicity-status")).to_contain_text("公示结束")
    year = datetime.now(SHANGHAI).year  # the decision year: the server's Beijing calendar
    concur_and_decide(page, year, "验收会签函")
    certificate = f"领航智能工厂〔{year}〕001号"
    listed = page.get_by_test_id("publicity-list").locator("tbody tr", has_text=enterprise)
    expect(listed).to_contain_text("验收通过")
    expect(listed.locator("td").nth(3)).to_have_text(certificate)
    _open_evaluation(page, evaluation_id)
    expect(page.get_by_test_id("state")).to_contain_text("验收通过")
    expect(page.get_by_test_id("state")).to_contain_text(certificate)
    logout(page)

    # 11. the public list shows the factory as 领航级 with its certificate number (no login)
    public = new_page()
    public.goto(f"/public/awards/?year={year}&tier=leading")
    row = public.get_by_test_id("awards").locator(f"tbody tr[data-certificate='{certificate}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(enterprise)
    expect(row).to_contain_text(factory)
    expect(row).to_contain_text("领航级")

    # 12. the enterprise: 通过验收 on the acceptance page, 已验收 on its cultivation page
    login_ok(page, ENTERPRISE_USER, lands_on="/portal/")
    page.goto(f"/cultivation/{cultivation_id}/acceptance/")
    expect(_state(page)).to_contain_text("通过验收")
    expect(_state(page)).to_contain_text(certificate)
    expect(page.get_by_test_id("acceptance-form")).to_have_count(0)
    page.goto(f"/cultivation/{cultivation_id}/")
    expect(page.get_by_test_id("period")).to_contain_text("已验收")
    expect(page.get_by_test_id("report-form")).to_have_count(0)
