"""Supervision over the API: the whole case (open, respond, decide, lift) as the pages do it; out of
scope is 404, in scope but not permitted 403, a guard 409/422 with the programme's error body."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from smartfactory.audit.models import AuditEvent
from smartfactory.organisations.models import TierAward
from tests import factories as f

from .conftest import DEADLINE, OPENED, at, open_case

pytestmark = pytest.mark.django_db
FACTS = "2042年7月20日该工厂发生重大质量事故，产品召回逾万件，经市场监管部门认定。"


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.mark.rule("P4", "P16")
def test_case_over_the_api(world, client_for):
    with at(OPENED):
        staff = client_for(world["staff"])
        created = ok(post(staff, "/api/v1/supervision/cases", {
            "award": world["excellent"].pk, "kind": "quality_incident", "occurred_on": "2042-07-20",
            "description": FACTS, "measure": "revoke"}), 201)
        assert created["state"] == "notified" and created["response_due"] == "2042-08-16"
        assert created["response_deadline"].startswith("2042-08-17T00:00:00")
        assert created["award"]["certificate_no"] == "卓越〔2041〕0007号" and created["opened_by_authority"] == "工业和信息化部"
        # not heard yet: the decisions are offered but blocked, with the guard's reason (the page's too)
        assert created["actions"] == []
        assert [b["action"] for b in created["blocked"]] == ["suspend", "revoke", "dismiss"]
        assert all("陈述申辩" in b["reason"] for b in created["blocked"]), created["blocked"]
        case_id = created["id"]
        early = post(staff, f"/api/v1/supervision/cases/{case_id}/decide", {"decision": "revoke", "reason": "撤销"})
        assert early.status_code == 409 and early.json()["code"] == "transition_not_allowed"

        admin = client_for(world["admin"])
        seen = ok(admin.get(f"/api/v1/supervision/cases/{case_id}"))
        assert seen["actions"] == ["respond"] and seen["description"] == FACTS
        short = post(admin, f"/api/v1/supervision/cases/{case_id}/respond", {"response": "无"})
        assert short.status_code == 422 and short.json()["field"] == "response"
        responded = ok(post(admin, f"/api/v1/supervision/cases/{case_id}/respond",
                            {"response": "召回系供应商原因，企业已更换供应商并完成整改。"}))
        assert responded["state"] == "responded" and responded["actions"] == []

    with at(OPENED + timedelta(days=2)):
        leader = client_for(world["sc_leader"])
        forbidden = post(leader, f"/api/v1/supervision/cases/{case_id}/decide", {"decision": "revoke", "reason": "撤销"})
        assert forbidden.status_code == 403 and forbidden.json()["code"] == "not_permitted"
        staff = client_for(world["staff"])
        no_reason = post(staff, f"/api/v1/supervision/cases/{case_id}/decide", {"decision": "suspend"})
        assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
        bad = post(staff, f"/api/v1/supervision/cases/{case_id}/decide", {"decision": "approve", "reason": "x"})
        assert bad.status_code == 422
        decided = ok(post(staff, f"/api/v1/supervision/cases/{case_id}/decide",
                          {"decision": "suspend", "reason": "暂停卓越级认定，整改验收后恢复。"}))
        assert decided["state"] == "decided_suspend" and decided["award"]["status"] == "suspended"
        assert decided["award"]["status_reason"] == "暂停卓越级认定，整改验收后恢复。"
        assert decided["actions"] == ["lift"]
        lifted = ok(post(staff, f"/api/v1/supervision/cases/{case_id}/lift", {"reason": "整改验收合格。"}))
        assert lifted["state"] == "lifted" and lifted["award"]["status"] == "active"
        assert ok(staff.get("/api/v1/supervision/cases", {"state": "lifted"}))["count"] == 1
        assert ok(staff.get("/api/v1/supervision/cases", {"state": "notified"}))["count"] == 0
    assert TierAward.objects.get(pk=world["excellent"].pk).status == "active"
    assert list(AuditEvent.objects.filter(action__startswith="supervision.").order_by("seq").values_list(
        "action", flat=True)) == ["supervision.open", "supervision.respond", "supervision.suspend", "supervision.lift"]


def test_api_scope_is_404(world, client_for):
    with at(OPENED):
        case = open_case(world)
        zhejiang, other = client_for(world["zj_reviewer"]), client_for(world["other_admin"])
        for client in (zhejiang, other):
            assert client.get(f"/api/v1/supervision/cases/{case.pk}").status_code == 404
            assert ok(client.get("/api/v1/supervision/cases"))["items"] == []
        response = post(other, f"/api/v1/supervision/cases/{case.pk}/respond", {"response": "x" * 30})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert post(zhejiang, f"/api/v1/supervision/cases/{case.pk}/decide",
                    {"decision": "dismiss", "reason": "越权"}).status_code == 404
        opened = post(zhejiang, "/api/v1/supervision/cases", {
            "award": world["advanced"].pk, "kind": "violation", "occurred_on": "2042-07-20", "description": FACTS,
            "measure": "revoke"})
        assert opened.status_code == 404
        mine = ok(client_for(world["admin"]).get("/api/v1/supervision/cases"))
        assert [i["id"] for i in mine["items"]] == [str(case.pk)]
        assert Client().get("/api/v1/supervision/cases").status_code == 401


def test_api_case_list_query_count_does_not_grow(world, client_for):
    with at(OPENED):
        client = client_for(world["staff"])
        open_case(world)
        client.get("/api/v1/supervision/cases")
        with CaptureQueriesContext(connection) as one:
            assert ok(client.get("/api/v1/supervision/cases"))["count"] == 1
        for n in range(2):
            award = f.award(f.factory(world["enterprise"], name=f"蜀都{n + 5}号工厂"), "advanced", year=2041,
                            by=world["sichuan"])
            world[f"extra{n}"] = award
            open_case(world, f"extra{n}")
        with CaptureQueriesContext(connection) as three:
            assert ok(client.get("/api/v1/supervision/cases"))["count"] == 3
    assert len(three) == len(one)


def test_openapi_lists_the_supervision_routes(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/supervision/cases", "/api/v1/supervision/cases/{case_id}",
                 "/api/v1/supervision/cases/{case_id}/respond", "/api/v1/supervision/cases/{case_id}/decide",
                 "/api/v1/supervision/cases/{case_id}/lift", "/api/v1/supervision/rechecks",
                 "/api/v1/supervision/recheck-items/{item_id}/confirm"):
        assert path in paths, sorted(p for p in paths if "supervision" in p)


@pytest.mark.rule("P16")
def test_deadline_passed_over_the_api(world, client_for):
    with at(OPENED):
        case = open_case(world)
    with at(DEADLINE):
        late = post(client_for(world["admin"]), f"/api/v1/supervision/cases/{case.pk}/respond",
                    {"response": "逾期提交的陈述申辩意见，请予考虑。"})
        assert late.status_code == 409 and late.json()["code"] == "deadline_passed"
