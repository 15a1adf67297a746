"""The campaign set-up API (R24): the same services as the pages; errors as JSON with the field;
a province reads and sets only its own settings (anyone else: 404)."""

from __future__ import annotations

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import (
    Campaign,
    ChannelRule,
    DeadlineExtension,
    DeadlineOverride,
    ReviewChain,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_ministry_opens_updates_and_schedules_a_campaign(programme, client_for):
    staff = client_for(programme["staff"])
    created = staff.post("/api/v1/campaigns", {
        "year": 2048, "name": "2048年度行动", "framework_version": "2025", "tiers_open": ["advanced"],
        "notice_number": "工信厅联通装函〔2048〕1号",
    }, content_type=JSON)
    assert created.status_code == 201 and created.json()["status"] == "planned"
    again = staff.post("/api/v1/campaigns", {"year": 2048, "name": "x", "framework_version": "2025", "tiers_open": []},
                       content_type=JSON)
    assert again.status_code == 422 and again.json()["field"] == "year"
    missing = staff.post("/api/v1/campaigns", {"year": 2049, "name": "x", "framework_version": "1999", "tiers_open": []},
                         content_type=JSON)
    assert missing.status_code == 422 and missing.json()["field"] == "framework_version"
    updated = staff.put("/api/v1/campaigns/2048", {
        "name": "2048年度行动", "framework_version": "2025", "tiers_open": ["advanced", "excellent"], "status": "open",
    }, content_type=JSON)
    assert updated.status_code == 200 and updated.json()["tiers_open"] == ["advanced", "excellent"]
    ok = staff.put("/api/v1/campaigns/2048/deadlines",
                   {"stage": "enterprise_submission", "deadline": "2048-07-18T23:59:59+08:00"}, content_type=JSON)
    assert ok.status_code == 200 and [d["stage"] for d in ok.json()["deadlines"]] == ["enterprise_submission"]
    out_of_order = staff.put("/api/v1/campaigns/2048/deadlines",
                             {"stage": "province_review", "deadline": "2048-07-10T23:59:59+08:00"}, content_type=JSON)
    assert out_of_order.status_code == 422 and "企业线上申报" in out_of_order.json()["message"]
    assert Campaign.objects.get(year=2048).status == "open"
    province = client_for(programme["sc_leader"]).post(
        "/api/v1/campaigns", {"year": 2050, "name": "x", "framework_version": "2025", "tiers_open": []}, content_type=JSON)
    assert province.status_code == 403


def test_ministry_extends_for_one_province(programme, client_for):
    staff = client_for(programme["staff"])
    url = "/api/v1/campaigns/2044/extensions"
    body = {"authority": str(programme["sichuan"].id), "stage": "enterprise_submission",
            "deadline": "2044-07-25T23:59:59+08:00", "reason": "四川延期"}
    response = staff.post(url, body, content_type=JSON)
    assert response.status_code == 201 and response.json()["province"] == "四川省经济和信息化厅"
    assert [e["deadline"][:10] for e in staff.get(url).json()] == ["2044-07-25"]
    not_a_province = staff.post(url, {**body, "authority": str(programme["chengdu"].id)}, content_type=JSON)
    assert not_a_province.status_code == 404
    refused = client_for(programme["sc_leader"]).post(url, body, content_type=JSON)
    assert refused.status_code == 403
    assert DeadlineExtension.objects.count() == 1


def test_a_province_reads_and_sets_only_its_own_settings(programme, client_for):
    sichuan = client_for(programme["sc_leader"])
    base = f"/api/v1/campaigns/2044/provinces/{programme['sichuan'].id}"
    response = sichuan.put(f"{base}/channel-rule", {"registered_in_province_only": True, "basis": "川经信智能函"},
                           content_type=JSON)
    assert response.status_code == 200 and response.json()["registered_in_province_only"] is True
    response = sichuan.put(f"{base}/review-chains/advanced", {"levels": ["city", "province"]}, content_type=JSON)
    assert response.json()["review_chains"] == {"advanced": ["city", "province"]}
    wrong = sichuan.put(f"{base}/review-chains/excellent", {"levels": ["province", "city"]}, content_type=JSON)
    assert wrong.status_code == 422 and wrong.json()["field"] == "levels"
    city_deadline = sichuan.put("/api/v1/campaigns/2044/overrides", {
        "authority": str(programme["sichuan"].id), "stage": "city_review", "deadline": "2044-07-20T23:59:59+08:00",
        "reason": "川经信智能函〔2044〕319号"}, content_type=JSON)
    assert city_deadline.status_code == 200 and city_deadline.json()["authority_name"] == "四川省经济和信息化厅"
    too_late = sichuan.put("/api/v1/campaigns/2044/overrides", {
        "authority": str(programme["sichuan"].id), "stage": "city_review", "deadline": "2044-07-30T23:59:59+08:00"},
        content_type=JSON)
    assert too_late.status_code == 422 and "不能晚于上级" in too_late.json()["message"]
    settings = sichuan.get(base).json()
    assert [d["stage"] for d in settings["deadlines"]] == ["city_review"] and settings["province_name"] == "四川省"
    for outsider in ("zj_leader", "staff", "sc_reviewer", "ndrc_leader"):
        client = client_for(programme[outsider])
        assert client.get(base).status_code == 404
        assert client.put(f"{base}/channel-rule", {"registered_in_province_only": False},
                          content_type=JSON).status_code == 404
    assert client_for(programme["zj_leader"]).put("/api/v1/campaigns/2044/overrides", {
        "authority": str(programme["sichuan"].id), "stage": "city_review", "deadline": "2044-07-19T23:59:59+08:00"},
        content_type=JSON).status_code == 404
    assert ChannelRule.objects.get().registered_in_province_only is True
    assert ReviewChain.objects.get().levels == ["city", "province"]
    assert DeadlineOverride.objects.get().deadline.day == 20
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"campaign.channel_rule_set", "campaign.review_chain_set", "campaign.deadline_override_set"} <= actions


def test_authority_users_see_extensions_others_do_not(programme, client_for):
    enterprise_user = f.user(role="enterprise_admin", enterprise=f.enterprise("510107"))
    assert client_for(enterprise_user).get("/api/v1/campaigns/2044/extensions").json() == []
