"""Steps and data of test_assessment_journey.py that other browser journeys reuse."""

from __future__ import annotations

from contextlib import nullcontext
from urllib.parse import unquote

from playwright.sync_api import expect

from .conftest import DEMO_ENTERPRISE_NAME

FACTORY = "双流精密部件工厂"


BUILT = {1, 4, 12, 24, 30}  # one per dimension: 工厂建设, 研发设计, 生产管理, 生产作业, 运营管理


WITH_AI = {24}  # 1 of 5 built scenarios applies AI: exactly the 20 % that 卓越级 asks for


SECTIONS = ("basic", "cmmm", "scenarios", "outcomes")


def answer_form(page, key: str):
    return page.locator(f'form.answer[data-key="{key}"]')


def saved_answer(key: str):
    return lambda r: r.request.method == "POST" and unquote(r.url).endswith(f"/answers/{key}/")


def progress_refresh(r) -> bool:
    return r.request.method == "GET" and r.url.endswith("/progress/")


def answer(page, key: str, value: str = "", *, label: str = "", wait_progress: bool = True) -> None:
    """Answer one item as a user does (radio or select) and wait for its htmx autosave and, unless
    told not to, for the progress cards' refresh that the save triggers (so the next answer is not
    saved while a refresh is in flight; see test_progress_cards_catch_up_…)."""
    form = answer_form(page, key)
    refresh = page.expect_response(progress_refresh) if wait_progress else nullcontext()
    with refresh as after, page.expect_response(saved_answer(key)) as info:
        if form.locator("select").count():
            form.locator("select").select_option(**({"label": label} if label else {"value": value}))
        else:
            form.locator(f'input[type=radio][value="{value}"]').check()
    assert info.value.status == 200, f"{key}={value or label}: HTTP {info.value.status}"
    if wait_progress:
        assert after.value.status == 200, f"{after.value.url}: HTTP {after.value.status}"
    expect(answer_form(page, key).get_by_role("status")).to_have_text("已保存")


def keys_in(page, section: str, suffix: str = "") -> list[str]:
    forms = page.locator(f"#section-{section} form.answer")
    keys = forms.evaluate_all("forms => forms.map(f => f.dataset.key)")
    return [k for k in keys if k.endswith(suffix)]


def open_factory(page, factory: str = FACTORY) -> None:
    page.goto("/portal/")
    page.get_by_test_id("enterprise-card").get_by_role("link", name=DEMO_ENTERPRISE_NAME).click()
    page.get_by_role("link", name=factory, exact=True).click()
    page.wait_for_url("**/portal/factories/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text(factory)
