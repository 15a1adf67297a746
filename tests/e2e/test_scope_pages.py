"""Jurisdiction in the pages (a district sees only its district) and the login lockout."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import fresh_uscc, login, login_ok, logout, register_enterprise, unique


def enterprise_rows(page) -> list[dict[str, str]]:
    """All rows of /console/enterprises/ (following the pager): name, USCC and 注册地 of each."""
    url = "/console/enterprises/"
    rows = []
    for _page_number in range(1, 100):
        page.goto(url)
        table = page.get_by_test_id("enterprise-table")
        expect(table).to_be_visible()
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        assert headers[:3] == ["企业名称", "统一社会信用代码", "注册地"], headers
        for cells in table.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
        ):
            if len(cells) >= 3:
                rows.append({"name": cells[0], "uscc": cells[1], "county": cells[2]})
        next_link = page.locator("nav.pager a", has_text="下一页")
        if next_link.count() == 0:
            return rows
        url = "/console/enterprises/" + next_link.get_attribute("href")
    raise AssertionError("the enterprise list pager does not end")


@pytest.mark.e2e
def test_district_sees_only_its_district_and_gets_404_outside(new_page):
    district = new_page()
    login_ok(district, "demo-district", lands_on="/console/")
    district_rows = enterprise_rows(district)
    assert district_rows, "demo-district lists no enterprises"
    assert {r["county"] for r in district_rows} == {"武侯区"}, sorted({r["county"] for r in district_rows})
    district_usccs = {r["uscc"] for r in district_rows}

    city = new_page()
    login_ok(city, "demo-city", lands_on="/console/")
    city_rows = enterprise_rows(city)
    outside = [r for r in city_rows if r["county"] == "锦江区"]
    assert outside, f"demo-city lists no 锦江区 enterprise: {sorted({r['county'] for r in city_rows})}"
    other = outside[0]
    assert other["uscc"] not in district_usccs
    assert district_usccs < {r["uscc"] for r in city_rows}  # the city sees everything the district sees

    detail = f"/console/enterprises/{other['uscc']}/"
    response = city.goto(detail)
    assert response.status == 200
    expect(city.get_by_role("heading", level=1)).to_have_text(other["name"])

    response = district.goto(detail)
    assert response.status == 404
    expect(district.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(district.locator("main")).not_to_contain_text(other["name"])

    # and the district's own enterprise opens
    own = district_rows[0]
    response = district.goto(f"/console/enterprises/{own['uscc']}/")
    assert response.status == 200
    expect(district.get_by_role("heading", level=1)).to_have_text(own["name"])


@pytest.mark.e2e
def test_five_failed_logins_lock_the_account(page):
    username = unique("e2e-lock")
    password = "Suoding-Ceshi-2026!"
    register_enterprise(page, username=username, password=password, uscc=fresh_uscc(), name=f"锁定测试有限公司{username[-6:]}")
    logout(page)

    for attempt in range(1, 5):
        response = login(page, username, f"wrong-password-{attempt}")
        assert response.status == 200, f"attempt {attempt}: {response.status}"
        expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    response = login(page, username, "wrong-password-5")  # the fifth failure reaches the limit
    assert response.status in (200, 429)

    response = login(page, username, password)  # the right password no longer helps
    assert response.status == 429
    expect(page.get_by_role("heading", name="账号已暂时锁定")).to_be_visible()
    expect(page.get_by_test_id("who")).to_have_count(0)
    page.goto("/portal/")
    page.wait_for_url("**/accounts/login/?next=/portal/")
