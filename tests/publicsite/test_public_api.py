"""The public read-only API: no login, the same rows as the pages, 422 naming the bad parameter."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_awards_without_login_and_window(lists):
    response = Client().get("/api/v1/public/awards?limit=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and body["limit"] == 2 and body["offset"] == 0
    assert [i["tier"] for i in body["items"]] == ["leading", "excellent"]  # newest year first, highest tier first
    rest = Client().get("/api/v1/public/awards?limit=2&offset=2").json()["items"]
    assert {i["certificate_no"] for i in body["items"] + rest} == lists["public"]
    assert Client().get("/api/v1/public/awards?limit=100000").json()["limit"] == 1000


@pytest.mark.parametrize("province", ["510000", "四川省", "四川"])
def test_province_by_code_or_name(lists, province):
    items = Client().get("/api/v1/public/awards", {"province": province}).json()["items"]
    assert {i["certificate_no"] for i in items} == {lists["sc_excellent_2025"].certificate_no,
                                                   lists["my_advanced_2025"].certificate_no}


def test_bad_tier_is_422_naming_the_field(lists):
    response = Client().get("/api/v1/public/awards?tier=platinum")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == "tier"


@pytest.mark.parametrize(("query", "field"), [("province=999999", "province"), ("year=1800", "year"),
                                              ("year=abc", "year"), ("industry=99", "industry")])
def test_other_bad_parameters_are_422(lists, query, field):
    response = Client().get(f"/api/v1/public/awards?{query}")
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_public_routes_are_in_the_openapi_without_security():
    spec = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/public/awards", "/api/v1/public/cultivation", "/api/v1/public/cases"):
        operation = spec["paths"][path]["get"]
        assert not operation.get("security")
    tier = next(p for p in spec["paths"]["/api/v1/public/awards"]["get"]["parameters"] if p["name"] == "tier")
    assert "Tier" in str(tier)
    assert spec["components"]["schemas"]["Tier"]["enum"] == ["basic", "advanced", "excellent", "leading"]


def test_cases_empty_without_published_cases():
    response = Client().get("/api/v1/public/cases")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "limit": 100, "offset": 0, "items": []}
