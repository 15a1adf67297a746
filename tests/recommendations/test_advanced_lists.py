"""R4: the certified 先进级 list is reported by the certifying authority (province, XPCC, central-SOE
group); MIIT sees every report and when it arrived, SASAC the central SOEs'; audited."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from smartfactory.applications.enums import State
from smartfactory.applications.models import TierApplication
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign
from smartfactory.errors import NotEligible, NotPermitted
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.recommendations import advanced_lists
from smartfactory.recommendations.models import AdvancedListReport
from tests import factories as f
from tests.factories.api import bearer, token_for

pytestmark = pytest.mark.django_db


def _certified(campaign, authority, county, n):
    enterprise = f.enterprise(county, soe=authority if authority.kind == AuthorityKind.CENTRAL_SOE else None)
    return TierApplication.objects.create(
        factory=f.factory(enterprise), campaign=campaign, tier="advanced", state=State.AWARDED,
        current_authority=authority, certificate_no=f"{authority.name[:2]}先进〔2043〕{n:04d}号",
        decided_at=timezone.now(), province_code=enterprise.province_code)


@pytest.fixture
def lists():
    campaign = Campaign.objects.create(year=2043, name="2043", framework_version="2025", tiers_open=["advanced"],
                                       status=CampaignStatus.OPEN)
    Campaign.objects.exclude(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    miit = f.ministry()
    sasac = f.ministry("国务院国有资产监督管理委员会", department=Department.SASAC)
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE, parent=miit, name="四川省经济和信息化厅")
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE, parent=miit, name="浙江省经济和信息化厅")
    xpcc = f.authority("660000", level=AuthorityLevel.PROVINCE, kind=AuthorityKind.XPCC, parent=miit, name="兵团工信局")
    group = f.soe_group("中国测试装备集团")
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan)
    apps = {"sichuan": [_certified(campaign, sichuan, "510107", n) for n in (1, 2)],
            "zhejiang": [_certified(campaign, zhejiang, "330203", 1)],
            "xpcc": [_certified(campaign, xpcc, "659001", 1)],
            "soe": [_certified(campaign, group, "110108", 1)]}
    users = {
        "sichuan": f.user("sc-lead", role=Role.AUTHORITY_LEADER, authority=sichuan),
        "sichuan_reviewer": f.user("sc-rev", role=Role.AUTHORITY_REVIEWER, authority=sichuan),
        "zhejiang": f.user("zj-lead", role=Role.AUTHORITY_LEADER, authority=zhejiang),
        "xpcc": f.user("xpcc-lead", role=Role.AUTHORITY_LEADER, authority=xpcc),
        "soe": f.user("soe-lead", role=Role.AUTHORITY_LEADER, authority=group),
        "chengdu": f.user("cd-lead", role=Role.AUTHORITY_LEADER, authority=chengdu),
        "miit": f.user("miit", role=Role.MINISTRY_STAFF, authority=miit),
        "sasac": f.user("sasac", role=Role.MINISTRY_STAFF, authority=sasac),
    }
    return {"campaign": campaign, "apps": apps, "users": users, "sichuan": sichuan, "zhejiang": zhejiang,
            "xpcc": xpcc, "group": group, "chengdu": chengdu}


@pytest.mark.rule("R4")
@pytest.mark.parametrize(("who", "authority", "recipients", "count"), [
    ("sichuan", "sichuan", ["miit"], 2), ("xpcc", "xpcc", ["miit"], 1), ("soe", "group", ["miit", "sasac"], 1)])
def test_certifier_reports_its_own_list(lists, who, authority, recipients, count):
    report = advanced_lists.report_advanced_list(lists["campaign"], authority=lists[authority], actor=lists["users"][who])
    assert (report.recipients, len(report.rows), report.number) == (recipients, count, 1)
    own = {a.certificate_no for key, apps in lists["apps"].items() for a in apps
           if a.current_authority_id == lists[authority].pk}
    assert {r["certificate"] for r in report.rows} == own and len(report.content_hash) == 64
    event = AuditEvent.objects.get(action="advanced_list.reported")
    assert event.object_id == str(report.id) and event.after["recipients"] == recipients and event.after["count"] == count


@pytest.mark.rule("R4")
@pytest.mark.parametrize(("who", "authority"), [
    ("sichuan_reviewer", "sichuan"), ("chengdu", "chengdu"), ("zhejiang", "sichuan"), ("miit", "sichuan")])
def test_only_the_certifiers_leader_reports(lists, who, authority):
    with pytest.raises(NotPermitted):
        advanced_lists.report_advanced_list(lists["campaign"], authority=lists[authority], actor=lists["users"][who])
    assert not AdvancedListReport.objects.exists()


def test_nothing_certified_nothing_to_report_and_reports_are_numbered(lists):
    TierApplication.objects.filter(current_authority=lists["zhejiang"]).delete()
    with pytest.raises(NotEligible):
        advanced_lists.report_advanced_list(lists["campaign"], authority=lists["zhejiang"], actor=lists["users"]["zhejiang"])
    for _ in range(2):
        last = advanced_lists.report_advanced_list(lists["campaign"], authority=lists["sichuan"],
                                                   actor=lists["users"]["sichuan"])
    assert last.number == 2


@pytest.mark.rule("R4")
def test_miit_sees_every_report_sasac_the_central_soes(lists):
    u = lists["users"]
    for who, authority in (("sichuan", "sichuan"), ("zhejiang", "zhejiang"), ("soe", "group")):
        advanced_lists.report_advanced_list(lists["campaign"], authority=lists[authority], actor=u[who])

    def seen(user):
        return sorted(r.reporter.name for r in advanced_lists.reports_for_user(user))

    assert seen(u["miit"]) == sorted(["四川省经济和信息化厅", "浙江省经济和信息化厅", "中国测试装备集团"])
    assert seen(u["sasac"]) == ["中国测试装备集团"]
    assert seen(u["sichuan_reviewer"]) == ["四川省经济和信息化厅"]
    assert seen(u["chengdu"]) == []


def test_pages_report_and_show_what_arrived_and_when(lists, client_for):
    u = lists["users"]
    page = client_for(u["sichuan"]).get("/console/advanced-lists/").content.decode()
    assert lists["apps"]["sichuan"][0].certificate_no in page and "报送以上2家名单" in page
    client_for(u["sichuan"]).post("/console/advanced-lists/")
    report = AdvancedListReport.objects.get()
    miit_page = client_for(u["miit"]).get("/console/advanced-lists/").content.decode()
    assert "四川省经济和信息化厅" in miit_page and timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M") in miit_page
    detail = client_for(u["miit"]).get(f"/console/advanced-lists/{report.id}/")
    assert lists["apps"]["sichuan"][1].certificate_no in detail.content.decode()
    assert client_for(u["sasac"]).get(f"/console/advanced-lists/{report.id}/").status_code == 404
    assert client_for(u["zhejiang"]).get(f"/console/advanced-lists/{report.id}/").status_code == 404
    assert "报送以上" not in client_for(u["chengdu"]).get("/console/advanced-lists/").content.decode()
    assert client_for(u["chengdu"]).post("/console/advanced-lists/").status_code == 404


def test_api_reports_and_lists(lists, client):
    made = Client().post("/api/v1/advanced-lists/2043/report", **bearer(token_for(client, "soe-lead")))
    assert made.status_code == 201 and made.json()["recipients"] == ["miit", "sasac"]
    listed = Client().get("/api/v1/advanced-lists/2043", **bearer(token_for(client, "sasac"))).json()
    assert [(r["reporter"], r["count"]) for r in listed] == [("中国测试装备集团", 1)]
    refused = Client().post("/api/v1/advanced-lists/2043/report", **bearer(token_for(client, "cd-lead")))
    assert refused.status_code == 404
    reviewer = Client().post("/api/v1/advanced-lists/2043/report", **bearer(token_for(client, "sc-rev")))
    assert reviewer.status_code == 404 and json.loads(reviewer.content)["code"] == "not_found"


def test_report_list_query_count_is_flat(lists, client_for):
    u = lists["users"]
    advanced_lists.report_advanced_list(lists["campaign"], authority=lists["sichuan"], actor=u["sichuan"])
    client = client_for(u["miit"])
    client.get("/console/advanced-lists/")  # warm the session

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/console/advanced-lists/").status_code == 200
        return len(ctx)

    one = count()
    advanced_lists.report_advanced_list(lists["campaign"], authority=lists["zhejiang"], actor=u["zhejiang"])
    advanced_lists.report_advanced_list(lists["campaign"], authority=lists["group"], actor=u["soe"])
    assert count() == one
    assert one == 9
