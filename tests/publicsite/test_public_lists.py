"""Public lists without login: what appears, filters, bad filter values, open data (CSV, JSON), and
query counts that do not grow with rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from smartfactory.cultivation.models import CultivationObject
from smartfactory.organisations.enums import Tier
from tests import factories as f
from tests.factories.publicsite import campaign, published

pytestmark = pytest.mark.django_db


def certificates(response) -> set[str]:
    return {r["certificate_no"] for r in response.context["rows"]}


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def json_rows(response) -> list[dict]:
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize("url", ["/public/", "/public/awards/", "/public/cultivation/", "/public/open-data/",
                                 "/public/cases/", "/public/open-data/awards.csv", "/public/open-data/awards.json"])
def test_public_pages_open_without_login(url, lists):
    response = Client().get(url)
    assert response.status_code == 200
    assert "Cache-Control" not in response or "no-store" not in response["Cache-Control"]


def test_award_list_shows_only_published_active_awards(lists):
    response = Client().get("/public/awards/")
    assert certificates(response) == lists["public"]
    html = response.content.decode()
    for hidden in lists["hidden"]:
        assert hidden not in html
    assert "撤销工厂" not in html and "暂停工厂" not in html and "未公布工厂" not in html and "待公布工厂" not in html


def test_award_list_row_has_the_public_columns_and_no_contact_details(lists):
    award = lists["sc_excellent_2025"]
    enterprise = award.factory.enterprise
    enterprise.address = "武侯大道1号"
    enterprise.save(update_fields=["address"])
    row = next(r for r in Client().get("/public/awards/").context["rows"] if r["certificate_no"] == award.certificate_no)
    assert row == {
        "year": 2025, "tier": "excellent", "tier_label": "卓越级", "certificate_no": award.certificate_no,
        "current_name": "",
        "enterprise": "蜀都装备有限公司", "uscc": enterprise.uscc, "factory": award.factory.name, "province": "四川省",
        "province_code": "510000", "region": "四川省 成都市 武侯区", "industry": "通用设备制造业", "industry_code": "34",
        "published_on": "2025-11-01",
    }
    assert "武侯大道1号" not in Client().get("/public/awards/").content.decode()


@pytest.mark.parametrize(("query", "expected"), [
    ("year=2024", {"bj_excellent_2024"}),
    ("year=2025", {"sc_excellent_2025", "my_advanced_2025", "zj_leading_2025"}),
    ("tier=excellent", {"sc_excellent_2025", "bj_excellent_2024"}),
    ("tier=领航级", {"zj_leading_2025"}),
    ("province=510000", {"sc_excellent_2025", "my_advanced_2025"}),
    ("province=浙江省", {"zj_leading_2025"}),
    ("industry=34", {"sc_excellent_2025", "bj_excellent_2024"}),
    ("year=2025&tier=excellent&province=510000&industry=34", {"sc_excellent_2025"}),
    ("year=2023", set()),
])
def test_award_list_filters(lists, query, expected):
    wanted = {lists[k].certificate_no for k in expected}
    assert certificates(Client().get(f"/public/awards/?{query}")) == wanted
    assert {r["certificate_no"] for r in json_rows(Client().get(f"/public/open-data/awards.json?{query}"))} == wanted
    if "领航级" in query:
        return  # the API takes the tier's code only (an enum in its OpenAPI description)
    api = Client().get(f"/api/v1/public/awards?{query}")
    assert api.status_code == 200
    assert {r["certificate_no"] for r in api.json()["items"]} == wanted


@pytest.mark.parametrize(("query", "field"), [
    ("year=abcd", "year"), ("tier=gold", "tier"), ("province=999999", "province"), ("province=火星", "province"),
    ("industry=ZZ", "industry"),
])
def test_bad_filter_value_is_a_clear_message_not_an_error(lists, query, field):
    response = Client().get(f"/public/awards/?{query}")
    assert response.status_code == 400
    assert response.context["error"].field == field
    assert response.context["rows"] == []
    assert 'data-testid="filter-error"' in response.content.decode()
    as_json = Client().get(f"/public/open-data/awards.json?{query}")
    assert as_json.status_code == 400
    assert as_json.json()["field"] == field
    assert Client().get(f"/public/open-data/awards.csv?{query}").status_code == 400


def test_award_list_paginates_by_fifty(lists):
    enterprise = f.enterprise("510107")
    for n in range(51):
        published(f.factory(enterprise, name=f"批量工厂{n:02d}"), Tier.ADVANCED, 2023)
    first = Client().get("/public/awards/?year=2023")
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 51
    assert len(Client().get("/public/awards/?year=2023&page=2").context["rows"]) == 1
    assert Client().get("/public/awards/?page=abc").status_code == 200  # a bad page number shows the first page


def test_csv_opens_in_excel_and_neutralises_formulas(lists):
    award = lists["sc_excellent_2025"]
    enterprise = award.factory.enterprise
    enterprise.name = '=HYPERLINK("http://evil.example","点击")'
    enterprise.save(update_fields=["name"])
    factory = award.factory
    factory.name = "@SUM(A1:A9)"
    factory.save(update_fields=["name"])
    response = Client().get("/public/open-data/awards.csv?year=2025")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["年度", "层级代码", "层级", "证书编号", "企业名称", "统一社会信用代码", "工厂名称", "省份",
                       "省级区划代码", "所在地区", "所属行业", "行业代码", "公布日期", "现名称"]
    line = next(r for r in rows[1:] if r[3] == award.certificate_no)
    assert line[4] == '\'=HYPERLINK("http://evil.example","点击")'
    assert line[6] == "'@SUM(A1:A9)"
    assert {r[3] for r in rows[1:]} == {lists[k].certificate_no for k in ("sc_excellent_2025", "my_advanced_2025",
                                                                           "zj_leading_2025")}


def test_open_data_never_contains_hidden_awards(lists):
    csv_body = "\n".join(",".join(r) for r in csv_rows(Client().get("/public/open-data/awards.csv")))
    as_json = json_rows(Client().get("/public/open-data/awards.json"))
    api = Client().get("/api/v1/public/awards?limit=1000").json()
    assert {r["certificate_no"] for r in as_json} == lists["public"]
    assert {r["certificate_no"] for r in api["items"]} == lists["public"]
    assert api["count"] == len(lists["public"])
    for hidden in lists["hidden"]:
        assert hidden not in csv_body


def test_json_has_the_stable_english_keys(lists):
    rows = json_rows(Client().get("/public/open-data/awards.json?tier=leading"))
    assert list(rows[0]) == ["year", "tier", "tier_label", "certificate_no", "enterprise", "uscc", "factory",
                             "province", "province_code", "region", "industry", "industry_code", "published_on",
                             "current_name"]
    assert rows[0]["province"] == "浙江省" and rows[0]["region"] == "浙江省 杭州市 西湖区"


def test_index_counts_per_year_and_tier(lists):
    leading = CultivationObject.objects.create(factory=lists["zj_leading_2025"].factory, campaign=campaign(2025),
                                               published_on=date(2025, 12, 1), ends_on=date(2027, 12, 1))
    response = Client().get("/public/")
    rows = {r["year"]: {c["tier"]: c["n"] for c in r["cells"]} | {"cultivation": r["cultivation"]}
            for r in response.context["rows"]}
    assert rows == {
        2025: {"leading": 1, "excellent": 1, "advanced": 1, "basic": 0, "cultivation": 1},
        2024: {"leading": 0, "excellent": 1, "advanced": 0, "basic": 0, "cultivation": 0},
    }
    assert leading.pk


def test_cultivation_list_by_year_and_province_with_status(lists):
    c2025 = campaign(2025)
    zj = CultivationObject.objects.create(factory=lists["zj_leading_2025"].factory, campaign=c2025, list_number="L-1",
                                          published_on=date(2025, 12, 1), ends_on=date(2027, 12, 1),
                                          status=CultivationObject.Status.ACCEPTED)
    sc = CultivationObject.objects.create(factory=lists["sc_excellent_2025"].factory, campaign=c2025, list_number="L-2",
                                          published_on=date(2025, 12, 1), ends_on=date(2027, 12, 1))
    CultivationObject.objects.create(factory=lists["bj_excellent_2024"].factory, campaign=campaign(2024),
                                     list_number="L-0", published_on=date(2024, 12, 1), ends_on=date(2026, 12, 1))
    rows = Client().get("/public/cultivation/?year=2025").context["rows"]
    assert [(r["list_number"], r["status"]) for r in rows] == [("L-1", "accepted"), ("L-2", "cultivating")]
    assert rows[0]["status_label"] == "已验收"
    only_sc = Client().get("/public/cultivation/?year=2025&province=四川").context["rows"]
    assert [r["list_number"] for r in only_sc] == ["L-2"]
    api = Client().get("/api/v1/public/cultivation?year=2025&province=330000").json()
    assert [i["list_number"] for i in api["items"]] == ["L-1"]
    assert zj.pk and sc.pk
    assert Client().get("/public/cultivation/?year=20x5").status_code == 400


def _queries(url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = Client().get(url)
        assert response.status_code == 200
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/public/awards/", "/public/open-data/awards.json", "/public/open-data/awards.csv",
                                 "/api/v1/public/awards", "/public/"])
def test_query_count_does_not_grow_with_rows(url):
    enterprise = f.enterprise("510107")
    published(f.factory(enterprise, name="一号"), Tier.ADVANCED, 2025)
    one = _queries(url)
    for n, county in enumerate(("330106", "110108")):
        published(f.factory(f.enterprise(county, industry="26"), name=f"工厂{n}"), Tier.EXCELLENT, 2025)
    three = _queries(url)
    assert one == three
