"""Steps and data of test_excellent_journey.py that other browser journeys reuse."""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
import uuid
from urllib.parse import unquote

from playwright.sync_api import expect

from .conftest import ApiClient
from .steps_assessment import BUILT, SECTIONS, WITH_AI, answer, keys_in

FACTORY = "武侯智能装备一号工厂"


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


REQUIRED_KINDS = ("cmmm_report", "tier_proof", "commitment")


SETTLING = re.compile(r"\bhtmx-(added|settling)\b")


CODE = re.compile(r"校验码\s*([23456789A-HJ-NP-Z]{10})")


# one value per required entry of the 卓越级 book (framework 2025); free of classification markings
BOOK = {
    "cover.project_name": "武侯智能装备一号工厂智能化改造项目",
    "part1.enterprise_nature": "民营企业",
    "part1.revenue": "52000",
    "part1.profit": "4800",
    "part1.employees": "860",
    "part1.contact_person": "陈工",
    "part1.contact_phone": "13800138000",
    "part1.factory_address": "四川省成都市武侯区武侯新城管委会园区8号一号厂房",
    "part1.construction_period": "2023年3月至2025年12月",
    "part1.total_investment": "12500",
    "part1.main_products": "智能成套装备、数控装配单元",
    "part1.cmmm_level": "3",
    "part2.overall_situation": "建成覆盖研发、计划、生产、质量、设备的数字化管理体系，关键工序数控化率超过85%。",
    "scenario.24": {"content": "在总装线部署机器视觉在线检测，缺陷自动识别与分拣。", "technologies": "机器视觉、深度学习",
                    "equipment": "工业相机、边缘计算网关", "ai": True, "effects": "漏检率下降60%"},
    "part2.system_integration": "ERP、MES、WMS 与设备数据采集平台集成，计划到执行的数据实时贯通。",
    "part3.advancement": "以视觉检测与排产优化为特色，形成可复制的装备行业智能工厂方案。",
    "kpi.productivity": {"before": "100", "after": "128", "benchmark": "national_leading"},
    "part3.follow_up_plan": "2026年起推广至二号工厂，并建设工厂级数据中台。",
}


# --------------------------------------------------------------------------- the self-assessment
def _answers_on_page(page) -> dict[str, tuple[str | None, str | None]]:
    """Every questionnaire item's current (value, label): the checked radio, or the selected option."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('form.answer')].map(f => {
        const s = f.querySelector('select');
        if (s) return [f.dataset.key, [s.value, s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : null]];
        const r = f.querySelector('input[type=radio]:checked');
        return [f.dataset.key, [r ? r.value : null, null]];
    }))""")


def complete_excellent_assessment(page) -> None:
    """From a factory page: open the 2026 questionnaire and answer it so the factory attains 卓越级
    (all basic requirements 是, CMMM 3, scenarios 1, 4, 12, 24, 30 built with AI on 24, the others
    否, KPI 全国同行业领先). Items already answered as wanted are left alone (another test may have
    answered some); ends on the result page showing 卓越级."""
    page.get_by_role("button", name="填写本年度自评估").click()
    page.wait_for_url(re.compile(rf".*/portal/assessments/{UUID}/$"))
    assessment_url = page.url
    summaries = page.locator("#section-scenarios details > summary")
    for i in range(summaries.count()):
        summaries.nth(i).click()
    wanted: list[tuple[str, str, str]] = [(key, "true", "") for key in keys_in(page, "basic")]
    wanted.append(("cmmm:level", "3", ""))
    built_keys = keys_in(page, "scenarios", ":built")
    assert len(built_keys) == 40, f"{len(built_keys)} scenarios"
    wanted += [(key, "true" if int(key.split(":")[1]) in BUILT else "false", "") for key in built_keys]
    wanted += [(f"scn:{n}:ai", "true" if n in WITH_AI else "false", "") for n in sorted(BUILT)]
    wanted.append(("kpi:level", "", "全国同行业领先"))
    current = _answers_on_page(page)
    for key, value, label in wanted:
        have_value, have_label = current.get(key, (None, None))
        if (label and have_label == label) or (value and have_value == value):
            continue
        answer(page, key, value, label=label)
    for section in SECTIONS:
        expect(page.get_by_test_id(f"progress-{section}").locator(".num")).to_have_text("100%")
    page.goto(f"{assessment_url}result/")
    expect(page.get_by_test_id("incomplete")).to_have_count(0)
    expect(page.get_by_test_id("attained")).to_have_text("卓越级")


# --------------------------------------------------------------------------- files
def blank_pdf(label: str = "") -> bytes:
    """A small, real one-page PDF without text (so nothing for the confidentiality scan); ``label``
    in its metadata makes each material its own file (one file cannot stand for two)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if label:
        writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


# --------------------------------------------------------------------------- the API
def upload_api(api: ApiClient, token: str, app_id: str, kind: str, name: str, data: bytes) -> tuple[int, object]:
    """POST /api/v1/applications/{id}/attachments as multipart (kind + file)."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(  # noqa: S310 - our own local server
        f"{api.base}/api/v1/applications/{app_id}/attachments", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                 "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=15) as response:  # noqa: S310 - our own local server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(errors="replace")


def fill_book_api(api: ApiClient, token: str, app_id: str, book: dict | None = None) -> None:
    """PATCH every entry of ``book`` with the version last read (so prefilled entries are updated)."""
    status, entries = api.get(f"/applications/{app_id}/sections", token)
    assert status == 200, entries
    versions = {e["key"]: e["version"] for e in entries}
    for key, value in (book or BOOK).items():
        status, body = api.call("PATCH", f"/applications/{app_id}/sections", token=token,
                                body={"key": key, "value": value, "version": versions.get(key, 0)})
        assert status == 200, f"{key}: {status} {body}"


def attach_required_api(api: ApiClient, token: str, app_id: str) -> None:
    for kind in REQUIRED_KINDS:
        status, body = upload_api(api, token, app_id, kind, f"{kind}.pdf", blank_pdf(kind))
        assert status == 201, f"{kind}: {status} {body}"
        assert body["findings"] == [], body


def excellent_draft(api: ApiClient, token: str, factory_id: str) -> str:
    """The id of a draft 卓越级 application of the factory: an application in review (not yet
    reviewed) is withdrawn first, an existing draft is reused, otherwise one is opened."""
    status, apps = api.get("/applications", token)
    assert status == 200, apps
    for app in apps:
        if app["factory"] != factory_id or app["tier"] != "excellent":
            continue
        if app["state"] == "draft":
            return app["id"]
        if app["state"] == "in_review":
            status, body = api.call("POST", f"/applications/{app['id']}/withdraw", token=token)
            assert status == 200 and body["state"] == "withdrawn", f"withdraw: {status} {body}"
    status, body = api.call("POST", "/applications", token=token,
                            body={"factory": factory_id, "tier": "excellent", "campaign": 2026})
    assert status == 201, f"open: {status} {body}"
    return body["id"]


# --------------------------------------------------------------------------- the book page
def book_entry(page, key: str):
    return page.locator(f'form.book-entry[data-key="{key}"]')


def saved_entry(key: str):
    return lambda r: r.request.method == "POST" and unquote(r.url).endswith(f"/book/{key}/")


def _autosave(page, key: str, change) -> None:
    """Make one change in an entry's form as a user does and wait for its autosave (已保存)."""
    with page.expect_response(saved_entry(key)) as info:
        change(book_entry(page, key))
    assert info.value.status == 200, f"{key}: HTTP {info.value.status} {info.value.text()[:300]}"
    form = book_entry(page, key)
    expect(form.get_by_role("status")).to_have_text("已保存")
    # htmx wires the swapped-in form up only when it settles (~20 ms later); a change made before
    # that sends nothing, so wait until htmx has processed it
    expect(form).not_to_have_class(SETTLING)


def fill_entry(page, key: str, value: str) -> None:
    """A simple entry (input, textarea or select named "value"); leaves it alone if it already holds
    ``value`` (a prefilled entry), since an unchanged control sends nothing."""
    form = book_entry(page, key)
    expect(form).to_have_count(1)
    if form.locator("select[name=value]").count():
        if form.locator("select[name=value]").input_value() != value:
            _autosave(page, key, lambda f: f.locator("select[name=value]").select_option(value))
        return
    control = form.locator("textarea[name=value], input[name=value]")
    if control.input_value() == value:
        return

    def type_and_leave(f):
        box = f.locator("textarea[name=value], input[name=value]")
        box.fill(value)
        box.press("Tab")  # leaving the field fires "change"

    _autosave(page, key, type_and_leave)


def fill_row_field(page, key: str, name: str, value: str | bool) -> None:
    """One field of a structured row (scenario.<n>, kpi.<id>); each change saves the whole row."""

    def change(f):
        control = f.locator(f'[name="{name}"]')
        if isinstance(value, bool):
            control.set_checked(value)
        elif control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
            control.press("Tab")

    _autosave(page, key, change)


def set_legal_representative(page, name: str) -> None:
    form = page.locator("#commitment form")
    form.locator("input[name=name]").fill(name)
    with page.expect_navigation():
        form.get_by_role("button", name="保存").click()
    expect(page.locator("#commitment input[name=name]")).to_have_value(name)


def upload_ui(page, kind: str, name: str, data: bytes) -> None:
    form = page.get_by_test_id("upload")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[type=file][name=file]").set_input_files({"name": name, "mimeType": "application/pdf",
                                                                 "buffer": data})
    with page.expect_navigation():
        form.get_by_role("button", name="上传").click()
    expect(page.locator(".msg-success")).to_contain_text("文件已上传")
    expect(page.get_by_test_id("attachments").locator("tr", has_text=name)).to_have_count(1)


def fetch(page, href: str, content_type: str) -> bytes:
    """A document fetched with the browser's session cookies."""
    response = page.request.get(href)
    assert response.status == 200, f"{href}: HTTP {response.status}"
    assert response.headers["content-type"].startswith(content_type), response.headers["content-type"]
    return response.body()


def factory_id_of(page) -> str:
    found = re.search(rf"/portal/factories/({UUID})/", page.url)
    assert found, page.url
    return found.group(1)
