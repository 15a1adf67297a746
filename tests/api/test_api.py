"""The API: tokens, JSON errors with Chinese messages, mass assignment, the same services as pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from smartfactory.api.models import ApiToken
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import Campaign, DeadlineOverride, StageDeadline
from smartfactory.demo.identifiers import make_uscc
from smartfactory.organisations.enums import AuthorityLevel, MembershipStatus, Role
from smartfactory.organisations.models import Membership
from tests import factories as f
from tests.factories.api import bearer, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_of_enterprise():
    enterprise = f.enterprise("510107")
    user = f.user("ent-admin", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    return user, enterprise


def test_token_flow_and_me(client, admin_of_enterprise):
    user, enterprise = admin_of_enterprise
    token = token_for(client, "ent-admin")
    assert ApiToken.objects.filter(user=user).count() == 1
    assert not ApiToken.objects.filter(key_hash=token).exists()  # only the hash is stored
    me = Client().get("/api/v1/me", **bearer(token)).json()
    assert me["username"] == "ent-admin"
    assert me["roles"][0]["role"] == "enterprise_admin"
    assert me["roles"][0]["organisation_id"] == enterprise.uscc
    assert me["jurisdiction"]["enterprises"] == [enterprise.uscc]


def test_bad_credentials_and_bad_token(client):
    f.user("someone")
    response = client.post("/api/v1/auth/token", {"username": "someone", "password": "nope-nope-nope"},
                           content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"code": "bad_credentials", "message": "用户名或密码错误。", "field": None}
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer forged")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_session_auth_needs_csrf_for_writes(admin_of_enterprise):
    user, enterprise = admin_of_enterprise
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.patch(f"/api/v1/enterprises/{enterprise.uscc}", json.dumps({"name": "x"}),
                            content_type="application/json")
    assert response.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.name != "x"


def test_patch_ignores_fields_that_are_not_editable(client, admin_of_enterprise):
    _user, enterprise = admin_of_enterprise
    token = token_for(client, "ent-admin")
    other_soe = f.soe_group("别的集团")
    payload = {"address": "改后的地址", "uscc": make_uscc("510107", 1), "soe_group": str(other_soe.pk), "is_xpcc": True,
               "province_code": "330000"}
    response = Client().patch(f"/api/v1/enterprises/{enterprise.uscc}", json.dumps(payload),
                              content_type="application/json", **bearer(token))
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.address == "改后的地址"
    assert (enterprise.soe_group_id, enterprise.is_xpcc, enterprise.province_code) == (None, False, "510000")


def test_validation_error_names_the_field(client, admin_of_enterprise):
    _user, enterprise = admin_of_enterprise
    token = token_for(client, "ent-admin")
    response = Client().patch(f"/api/v1/enterprises/{enterprise.uscc}", json.dumps({"county": "999999"}),
                              content_type="application/json", **bearer(token))
    assert response.status_code == 422
    assert response.json() == {"code": "invalid_input", "message": "请选择有效的区县。", "field": "county"}
    response = Client().post("/api/v1/enterprises/x/factories", json.dumps({"name": "no county"}),
                             content_type="application/json", **bearer(token))
    assert response.status_code == 422
    assert response.json()["field"] == "county"


def test_create_enterprise_then_join_existing(client):
    f.user("api-person")
    token = token_for(client, "api-person")
    body = {"uscc": make_uscc("510104", 88_001), "name": "接口注册企业", "legal_status": "independent",
            "county": "510104", "industry": "39"}
    created = Client().post("/api/v1/enterprises", json.dumps(body), content_type="application/json", **bearer(token))
    assert created.status_code == 201
    assert created.json()["enterprise"]["county"] == {"code": "510104", "name": "锦江区"}
    f.user("api-second")
    second = Client().post("/api/v1/enterprises", json.dumps(body), content_type="application/json",
                           **bearer(token_for(client, "api-second")))
    assert second.status_code == 202
    assert second.json() == {"status": "join_requested", "enterprise": None}
    assert Membership.objects.get(user__username="api-second").status == MembershipStatus.PENDING


def test_bad_uscc_via_api_is_422_in_chinese(client):
    f.user("api-bad")
    token = token_for(client, "api-bad")
    good = make_uscc("510104", 88_002)
    body = {"uscc": good[:-1] + ("0" if good[-1] != "0" else "1"), "name": "x", "legal_status": "independent",
            "county": "510104", "industry": "39"}
    response = Client().post("/api/v1/enterprises", json.dumps(body), content_type="application/json", **bearer(token))
    assert response.status_code == 422
    assert response.json()["field"] == "uscc"
    assert "校验位错误" in response.json()["message"]


def test_regions_and_industries(client):
    f.user("reader")
    token = token_for(client, "reader")
    provinces = Client().get("/api/v1/regions", **bearer(token)).json()
    codes = {p["code"] for p in provinces}
    assert {"510000", "330000", "660000"} <= codes
    chengdu = {d["code"]: d for d in Client().get("/api/v1/regions", {"parent": "510100"}, **bearer(token)).json()}
    assert chengdu["510107"]["name"] == "武侯区"
    ningbo = Client().get("/api/v1/regions/330200", **bearer(token)).json()
    assert ningbo["is_separately_planned"] is True
    industries = Client().get("/api/v1/regions/industries", **bearer(token)).json()
    assert len([i for i in industries if i["level"] == "division"]) == 41


def test_campaign_calendar_includes_my_deadlines(client):
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE)
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan)
    f.user("cd-reviewer", role=Role.AUTHORITY_REVIEWER, authority=chengdu)
    campaign = Campaign.objects.create(year=2031, name="2031", framework_version="2025", tiers_open=["excellent"])
    from datetime import datetime
    from zoneinfo import ZoneInfo

    bj = ZoneInfo("Asia/Shanghai")
    StageDeadline.objects.create(campaign=campaign, stage=Stage.ENTERPRISE_SUBMISSION,
                                 deadline=datetime(2031, 7, 18, 23, 59, 59, tzinfo=bj))
    DeadlineOverride.objects.create(campaign=campaign, authority=sichuan, stage=Stage.CITY_REVIEW,
                                    deadline=datetime(2031, 7, 20, 23, 59, 59, tzinfo=bj))
    data = Client().get("/api/v1/campaigns/2031", **bearer(token_for(client, "cd-reviewer"))).json()
    mine = {d["stage"]: d["deadline"] for d in data["my_deadlines"]}
    assert mine[Stage.CITY_REVIEW] == "2031-07-20T23:59:59+08:00"
    assert [d["stage"] for d in data["deadlines"]] == [Stage.ENTERPRISE_SUBMISSION]


def test_openapi_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/enterprises", "/api/v1/enterprises/{uscc}",
                 "/api/v1/factories", "/api/v1/regions", "/api/v1/campaigns/{year}"):
        assert path in paths
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "jsdelivr" not in docs


@pytest.mark.parametrize("url", ["/api/v1/enterprises", "/api/v1/factories"])
def test_list_query_count_does_not_grow_with_rows(url, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    miit = f.ministry()
    client = client_for(f.user(role=Role.MINISTRY_STAFF, authority=miit))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"limit": 100}).status_code == 200
        return len(ctx.captured_queries)

    fact = f.factory(f.enterprise("510107"))
    f.award(fact, "basic")
    one = count()
    for county in ("510104", "330203"):
        g = f.factory(f.enterprise(county, soe=f.soe_group(f"集团{county}")))
        f.award(g, "basic")
        f.award(g, "advanced", by=miit)
    assert count() == one
