"""One 卓越级 application's way from the district to the ministry, in the browser (open 2026 campaign).

The starting point is built inside the e2e database through the platform's services, by a
``manage.py shell`` subprocess with the server's environment (the technique and the opening of the
script of test_parallel_recommend): a new Sichuan enterprise in 武侯区 registers, adds a factory,
holds a 2025 先进级 award from the province, attains 卓越级 in its self-assessment, fills the book,
attaches the required PDFs and submits; the application waits at 武侯区. The ministry then sets the
Sichuan 卓越级 quota to a roomy 40 (other tests of the session may have filled it).

In the browser: demo-district approves from its queue; demo-city returns it; the applicant changes
the revenue and resubmits; demo-city sees the change and approves; demo-province sees the quota
meter and recommends; demo-province opens the 2026 卓越级 Sichuan batch, drags the application above the batch's other one in
the ranking, downloads the summary table (XLSX, PDF) and the letter (DOCX), uploads the two stamped
scans; finalising is refused until the co-departments concur: demo-province-ndrc (四川省发展和改革委员会)
concurs through its own account, demo-province records the other four letters (文号), finalises and
submits to MIIT; demo-city logs the paper
copies of the application with its verification code (一致); demo-province logs two of the three
copies it requires from the city and sees the shortfall; demo-ministry sees the batch submitted.
"""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, ApiClient, _venv_bin, login_ok, logout
from .steps_assessment import BUILT, WITH_AI
from .steps_excellent import BOOK, REQUIRED_KINDS, blank_pdf, fill_entry
from .steps_recommend import SCENARIO, SETUP_TIMEOUT, _server_env

MARKER = "E2E_JOURNEY_SCENARIO="
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
OLD_REVENUE, NEW_REVENUE = BOOK["part1.revenue"], "61800"
ROOMY_QUOTA = 40

# The opening of the parallel-recommend script (imports, users, campaign, the answers that attain
# 卓越级); our own ending builds one application and leaves it submitted, waiting at the district.
_OPENING_END = "ids, quota = [], None"
assert _OPENING_END in SCENARIO, "test_parallel_recommend.SCENARIO changed: its opening cannot be reused"
JOURNEY = SCENARIO[: SCENARIO.index(_OPENING_END)] + r'''
username, name = f"e2e-journey-{tag}", f"蓉途{tag}智能制造有限公司"
reg, app, password = submitted_application(
    username=username, display_name="推荐旅程测试", name=name, factory_name=f"蓉途{tag}智能工厂",
    address="四川省成都市武侯区推荐旅程路1号", certificate_no=f"川先进〔{P['year'] - 1}〕J{tag}号",
)
app = TierApplication.objects.get(pk=app.pk)
assert app.state == State.IN_REVIEW and "武侯区" in app.current_authority.name, (
    app.state, str(app.current_authority))
quota = quota_of(TierApplication.objects.get(pk=app.pk))
assert quota is not None, "no Sichuan 卓越级 quota"
quota = override_quota(quota, value=P["quota"], actor=users["demo-ministry"], reason="端到端测试：推荐旅程留足名额")
# a second application, already recommended, so the province has an order to change by dragging
_reg2, other, _pw2 = submitted_application(
    username=f"e2e-journey2-{tag}", display_name="推荐旅程测试二", name=f"蓉序{tag}精密制造有限公司",
    factory_name=f"蓉序{tag}智能工厂", address="四川省成都市武侯区推荐旅程路2号", certificate_no=f"川先进〔{P['year'] - 1}〕K{tag}号",
)
other = transition(other, Action.APPROVE, actor=users["demo-district"], reason="同意（e2e 旅程）")
other = transition(other, Action.APPROVE, actor=users["demo-city"], reason="同意（e2e 旅程）")
other = transition(other, Action.RECOMMEND, actor=leader, reason="同意推荐（e2e 旅程）")
assert other.state == State.RECOMMENDED, other.state
print(P["marker"] + json.dumps({"id": str(app.pk), "name": name, "username": username, "password": password,
                                "quota_id": quota.pk, "quota": quota.quota}, ensure_ascii=False))
'''


def _build(live_url: str, database_url: str | None) -> dict:
    env = _server_env(live_url, database_url)
    env["E2E_RECOMMEND_PARAMS"] = json.dumps({
        "tag": uuid.uuid4().hex[:6], "county": "510107", "year": 2026, "quota": ROOMY_QUOTA,
        "book": BOOK, "kinds": list(REQUIRED_KINDS), "pdf": base64.b64encode(blank_pdf()).decode(),
        "built": sorted(BUILT), "with_ai": sorted(WITH_AI), "marker": MARKER,
    }, ensure_ascii=False)
    done = subprocess.run(
        [str(_venv_bin() / "python"), "manage.py", "shell", "-c", JOURNEY], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    assert done.returncode == 0 and lines, (
        f"building the application failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    )
    return json.loads(lines[-1][len(MARKER):])


def _stamped_pdf(label: str) -> bytes:
    """A small one-page PDF standing in for a stamped scan (no text: nothing to scan for)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- browser steps
def _review(page, action: str, reason: str) -> None:
    """On a console application page: give a reason and press the action's button."""
    form = page.get_by_test_id("review-form")
    form.locator("textarea[name=reason]").fill(reason)
    with page.expect_navigation():
        page.get_by_test_id(f"action-{action}").click()
    expect(page.locator(".messages .msg-error")).to_have_count(0)


def _open_console_application(page, app_id: str) -> None:
    page.goto(f"/console/applications/{app_id}/")
    expect(page.get_by_test_id("state")).to_be_visible()


def _download(page, href: str, magic: bytes) -> bytes:
    response = page.request.get(href)
    assert response.status == 200, f"{href}: HTTP {response.status} {response.text()[:300]}"
    body = response.body()
    assert body[: len(magic)] == magic, f"{href}: starts with {body[:8]!r}, expected {magic!r}"
    return body


# --------------------------------------------------------------------------- the test
@pytest.mark.e2e
def test_excellent_application_from_district_to_ministry(new_page, api: ApiClient, live_url, e2e_database_url):
    built = _build(live_url, e2e_database_url)
    app_id, name = built["id"], built["name"]
    assert built["quota"] == ROOMY_QUOTA, built
    page = new_page()

    # 1. the district approves it from its queue
    login_ok(page, "demo-district", lands_on="/console/")
    page.goto("/console/applications/")
    link = page.get_by_test_id("queue").get_by_role("link", name=name)
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_url(f"**/console/applications/{app_id}/")
    _review(page, "approve", "材料齐全，同意上报（e2e 旅程）")
    expect(page.get_by_test_id("state")).to_contain_text("当前审核单位：成都市经济和信息化局")
    logout(page)

    # 2. the city returns it
    login_ok(page, "demo-city", lands_on="/console/")
    _open_console_application(page, app_id)
    _review(page, "return", "请核实营业收入（e2e 旅程）")
    expect(page.get_by_test_id("state")).to_contain_text("退回")
    logout(page)

    # 3. the applicant corrects the revenue and resubmits
    login_ok(page, built["username"], built["password"], lands_on="/portal/")
    page.goto(f"/portal/applications/{app_id}/")
    expect(page.get_by_test_id("reviews")).to_contain_text("请核实营业收入")
    fill_entry(page, "part1.revenue", NEW_REVENUE)
    page.get_by_test_id("cooperation-resubmit").locator("input[name=cooperation]").check()  # R23, at each submission
    with page.expect_navigation():
        page.get_by_test_id("action-resubmit").click()
    expect(page.get_by_test_id("state")).to_contain_text("审核中")
    logout(page)

    # 4. the city sees the change and approves
    login_ok(page, "demo-city", lands_on="/console/")
    _open_console_application(page, app_id)
    # the 退回后修改的内容 section lists the book entry the applicant changed, old and new
    changes = page.get_by_test_id("changes")
    expect(changes, "no 退回后修改的内容 (data-testid changes) after a book edit and resubmission").to_have_count(1)
    revenue = changes.locator("tr", has_text=NEW_REVENUE)
    expect(revenue.locator("del")).to_have_text(OLD_REVENUE)
    expect(revenue.locator("ins")).to_have_text(NEW_REVENUE)
    _review(page, "approve", "修改后同意推荐（e2e 旅程）")
    expect(page.get_by_test_id("state")).to_contain_text("当前审核单位：四川省经济和信息化厅")
    # ... and hands the province its own letter and stamped summary table
    page.goto("/console/applications/")
    page.get_by_test_id("level-excellent").click()
    page.wait_for_url("**/console/recommendations/level/2026/excellent/")
    expect(page.get_by_test_id("forwarded").locator("tr", has_text=name)).to_have_count(1)
    _download(page, page.get_by_role("link", name="报送函（Word）").get_attribute("href"), b"PK")
    scan_form = page.get_by_test_id("scan-form")
    scan_form.locator("select[name=kind]").select_option(label="盖章的推荐汇总表")
    scan_form.locator("input[type=file]").set_input_files(
        {"name": f"成都市汇总表-{app_id[:8]}.pdf", "mimeType": "application/pdf", "buffer": _stamped_pdf("成都")})
    with page.expect_navigation():
        scan_form.get_by_role("button", name="上传").click()
    expect(page.locator(".messages .msg-error")).to_have_count(0)
    expect(page.get_by_test_id("scans")).to_contain_text(f"成都市汇总表-{app_id[:8]}.pdf")
    logout(page)

    # 5. the province sees the quota meter and recommends
    login_ok(page, "demo-province", lands_on="/console/")
    _open_console_application(page, app_id)
    expect(page.get_by_test_id("meter")).to_contain_text(f"/{ROOMY_QUOTA}")
    _review(page, "recommend", "同意推荐（e2e 旅程）")
    expect(page.get_by_test_id("state")).to_contain_text("已推荐")

    # 6. the province's 2026 卓越级 batch: ranking, documents, scans, finalise, submit
    page.goto("/console/recommendations/")
    row = page.get_by_test_id("batches").locator("tr", has_text="2026").filter(has_text="卓越级").filter(
        has_text="四川")
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    page.wait_for_url(f"**/console/recommendations/{built['quota_id']}/")
    ranking = page.get_by_test_id("ranking")
    expect(ranking.locator("tbody tr", has_text=name)).to_have_count(1)
    # the province drags its application to the top of the priority order
    rows = ranking.locator("tbody tr[data-sort-id]")
    assert rows.count() >= 2, "the batch should hold at least two recommended applications"
    expect(rows.first).not_to_contain_text(name)
    with page.expect_navigation():
        ranking.locator("tbody tr", has_text=name).drag_to(rows.first)
    expect(page.locator(".messages .msg-error")).to_have_count(0)
    expect(rows.first).to_contain_text(name)
    expect(rows.first.locator("td").first).to_have_text("1")
    table = _download(page, page.get_by_role("link", name="推荐汇总表（Excel）").get_attribute("href"), b"PK")
    from openpyxl import load_workbook

    first = list(load_workbook(io.BytesIO(table)).active.iter_rows(values_only=True))[2]
    assert first[0] == 1 and first[2] == name, first  # priority 1 is the dragged application
    _download(page, page.get_by_role("link", name="推荐汇总表（PDF）").get_attribute("href"), b"%PDF")
    _download(page, page.get_by_role("link", name="推荐函（Word）").get_attribute("href"), b"PK")

    for label, filename in (("盖章的推荐汇总表", "summary-stamped.pdf"), ("盖章的推荐函", "letter-stamped.pdf")):
        form = page.locator("form[action$='/scan/']")
        form.locator("select[name=kind]").select_option(label=label)
        form.locator("input[type=file][name=file]").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": _stamped_pdf(label)})
        with page.expect_navigation():
            form.get_by_role("button", name="上传").click()
        expect(page.locator(".messages .msg-error")).to_have_count(0)
        expect(page.locator("li", has_text=filename)).to_contain_text(label)

    # finalising before the co-departments concur is refused, naming them
    with page.expect_navigation():
        page.get_by_test_id("finalise").get_by_role("button", name="定稿").click()
    expect(page.locator(".messages .msg-error")).to_contain_text("四川省发展和改革委员会")
    batch_url = page.url
    logout(page)

    # the 发展改革委 concurs with this order through its own account; it cannot reorder or finalise
    login_ok(page, "demo-province-ndrc", lands_on="/console/")
    page.goto(batch_url)
    expect(page.get_by_test_id("finalise")).to_have_count(0)
    expect(page.get_by_test_id("ranking").locator("tr[draggable=true]")).to_have_count(0)
    give = page.get_by_test_id("give-concurrence")
    give.locator("input[name=opinion]").fill("同意推荐（e2e）")
    with page.expect_navigation():
        give.get_by_role("button", name="同意并会签").click()
    expect(page.locator(".messages .msg-error")).to_have_count(0)
    expect(page.get_by_test_id("concurrence").locator("tr", has_text="四川省发展和改革委员会")).to_contain_text(
        "本单位账号会签")
    logout(page)

    # the province records the other four co-departments' letters (文号) and finalises
    login_ok(page, "demo-province", lands_on="/console/")
    page.goto(batch_url)
    letters = page.get_by_test_id("concurrence").locator("form")
    expect(letters).to_have_count(4)
    for n in range(1, 5):
        form = page.get_by_test_id("concurrence").locator("form").first
        form.locator("input[name=letter_number]").fill(f"川会签函〔2026〕{n}号（e2e）")
        with page.expect_navigation():
            form.get_by_role("button", name="登记会签").click()
        expect(page.locator(".messages .msg-error")).to_have_count(0)
    expect(page.get_by_test_id("concurrence").locator("form")).to_have_count(0)
    finalise = page.get_by_test_id("finalise")
    with page.expect_navigation():
        finalise.get_by_role("button", name="定稿").click()
    expect(page.locator(".messages .msg-error")).to_have_count(0)
    expect(page.get_by_test_id("meter")).to_contain_text("已定稿")
    with page.expect_navigation():
        page.get_by_test_id("submit-batch").click()
    expect(page.locator(".messages .msg-error")).to_have_count(0)
    expect(page.get_by_test_id("meter")).to_contain_text("已报送工业和信息化部")
    logout(page)

    # 7. the city logs the paper copies of the application, checking its verification code
    token = api.token(built["username"], built["password"])
    status, body = api.get(f"/applications/{app_id}", token)
    assert status == 200, body
    code = body["versions"][-1]["verification_code"]
    assert re.fullmatch(r"[23456789A-HJ-NP-Z]{10}", code), code
    login_ok(page, "demo-city", lands_on="/console/")
    page.goto("/console/paper/")
    form = page.get_by_test_id("paper-form")
    form.locator("select[name=item]").select_option(label="申报材料（申报书）")
    form.locator("input[name=copies]").fill("3")
    form.locator("select[name=application]").select_option(value=app_id)
    form.locator("input[name=code]").fill(code)
    # 成都 asks for the stamped PDF scan with the paper (R22)
    form.locator("input[type=file][name=scan]").set_input_files(
        {"name": "book-stamped.pdf", "mimeType": "application/pdf", "buffer": _stamped_pdf("申报书")})
    with page.expect_navigation():
        form.get_by_role("button", name="登记").click()
    expect(page.locator(".messages .msg-error")).to_have_count(0)
    paper_row = page.get_by_test_id("paper").locator("tr", has_text=name)
    expect(paper_row).to_have_count(1)
    expect(paper_row).to_contain_text("一致")
    expect(paper_row).not_to_contain_text("不一致")
    logout(page)

    # 7b. the province logs the copies it received from the city: two of the three required
    login_ok(page, "demo-province", lands_on="/console/")
    page.goto("/console/paper/")
    form = page.get_by_test_id("paper-form")
    form.locator("select[name=item]").select_option(label="申报材料（申报书）")
    form.locator("input[name=copies]").fill("2")
    form.locator("select[name=application]").select_option(value=app_id)
    form.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        form.get_by_role("button", name="登记").click()
    expect(page.locator(".messages .msg-error")).to_have_count(0)
    paper_row = page.get_by_test_id("paper").locator("tr", has_text=name)
    expect(paper_row).to_have_class(re.compile(r"\bshortfall\b"))
    expect(paper_row).to_contain_text("2/3")
    expect(paper_row).to_contain_text("缺1份")
    logout(page)

    # 8. the ministry sees the Sichuan batch submitted
    login_ok(page, "demo-ministry", lands_on="/console/")
    page.goto("/console/recommendations/")
    row = page.get_by_test_id("batches").locator("tr", has_text="2026").filter(has_text="卓越级").filter(
        has_text="四川")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("已报送工业和信息化部")
