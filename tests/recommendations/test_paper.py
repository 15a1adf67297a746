"""Paper copies: requirements per desk and tier (set by the desk, page and API), receipts logged by
the receiving desk, summary tables counted per sender, superseded versions not counted, delivery
dates against the paper deadline, PDF scans where required, and MIIT's and SASAC's desks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartfactory.applications import services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import ApplicationVersion, TierApplication
from smartfactory.applications.workflow import transition
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import DeadlineOverride, PaperRequirement, Quota, StageDeadline
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.organisations.models import Authority
from smartfactory.recommendations import paper
from smartfactory.recommendations.models import Batch
from tests import factories as f
from tests.factories.api import bearer, token_for
from tests.factories.applications import (
    BEFORE,
    attach,
    fill_book,
    text_pdf,
)

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
PAPER_DEADLINE = datetime(2042, 7, 18, 23, 59, 59, tzinfo=BJ)  # 成都: districts by 07-18
NATIONAL_PAPER = datetime(2042, 8, 1, 23, 59, 59, tzinfo=BJ)
LATER = datetime(2042, 8, 20, 9, 0, tzinfo=BJ)


def _req(campaign, desk, tier, item, copies, **kw):
    return PaperRequirement.objects.create(campaign=campaign, authority=desk, tier=tier, item=item, copies=copies, **kw)


def _pdf(name="扫描件.pdf"):
    return SimpleUploadedFile(name, text_pdf("盖章扫描"))


@pytest.fixture
def submitted(setup):
    """An excellent application at 成都 (from 武侯区, chain district → city → province), 成都's 卓越级
    paper rules (汇总表 ×6, 申报材料 ×3, 承诺书 ×1), the paper deadline 07-18 set by 成都."""
    campaign = setup["campaign"]
    chengdu = Authority.objects.get(division_id="510100", department="industry")  # made by the setup fixture
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=chengdu, name="武侯区经济和信息化局")
    chengdu.parent = setup["sichuan"]
    chengdu.save(update_fields=["parent"])
    for item, copies in (("application", 3), ("commitment", 1), ("summary_table", 6)):
        _req(campaign, chengdu, "excellent", item, copies)
    StageDeadline.objects.create(campaign=campaign, stage=Stage.PAPER_DELIVERY, deadline=NATIONAL_PAPER)
    DeadlineOverride.objects.create(campaign=campaign, authority=chengdu, stage=Stage.PAPER_DELIVERY, tier="excellent",
                                    deadline=PAPER_DEADLINE)
    app = services.create_application(setup["factory"], campaign, tier="excellent", actor=setup["user"])
    fill_book(app, setup["user"])
    for kind in ("cmmm_report", "tier_proof", "commitment"):
        attach(app, setup["user"], kind, f"{kind}.pdf", text_pdf(f"正常 {kind}"))
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=setup["user"], cooperation=True)
    app.chain = [{"level": "county", "authority": str(wuhou.id)}, {"level": "city", "authority": str(chengdu.id)},
                 {"level": "province", "authority": str(setup["sichuan"].id)}]
    app.current_step, app.current_authority = 1, chengdu
    app.save(update_fields=["chain", "current_step", "current_authority"])
    clerk = f.user("cd-clerk", role=Role.AUTHORITY_REVIEWER, authority=chengdu)
    leader = f.user("cd-leader", role=Role.AUTHORITY_LEADER, authority=chengdu)
    return {"app": app, "chengdu": chengdu, "wuhou": wuhou, "clerk": clerk, "leader": leader, "campaign": campaign}


def _log(s, item, copies, **kw):
    kw.setdefault("arrived_at", PAPER_DEADLINE - timedelta(days=1))
    if item in paper.PER_APPLICATION:
        kw.setdefault("application", s["app"])
    else:
        kw.setdefault("sender_authority", s["wuhou"])
        kw.setdefault("tier", "excellent")
    with time_machine.travel(LATER, tick=False):
        return paper.log_receipt(s["chengdu"], actor=s["clerk"], campaign=s["campaign"], item=item, copies=copies, **kw)


def _code(app):
    return app.versions.get(number=app.version).verification_code


@pytest.mark.rule("R21", "R22")
def test_shortfall_until_all_copies_arrive_and_code_matches(setup, submitted):
    s = submitted
    row = paper.status(s["chengdu"], s["campaign"])["applications"][0]
    assert row["short"] and row["items"][0]["required"] == 3 and "申报材料（申报书）缺3份" in row["findings"]
    _receipt, message = _log(s, "application", 2, verification_code=_code(s["app"]))
    assert "一致" in message
    row = paper.status(s["chengdu"], s["campaign"])["applications"][0]
    assert row["items"][0]["short"] == 1 and row["matches_online"] is True
    _log(s, "application", 1, verification_code=_code(s["app"]))
    _log(s, "commitment", 1)
    assert not paper.status(s["chengdu"], s["campaign"])["applications"][0]["short"]
    assert AuditEvent.objects.filter(action="paper.received").count() == 3


@pytest.mark.rule("R21", "R22")
def test_summary_table_copies_are_counted_per_sender(setup, submitted):
    s = submitted
    senders = paper.status(s["chengdu"], s["campaign"])["senders"]
    assert [(r["sender"], r["items"][0]["required"], r["items"][0]["received"]) for r in senders] == [(s["wuhou"], 6, 0)]
    _log(s, "summary_table", 5)
    row = paper.status(s["chengdu"], s["campaign"])["senders"][0]
    assert row["items"][0]["received"] == 5 and row["items"][0]["short"] == 1 and "推荐汇总表缺1份" in row["findings"]
    _log(s, "summary_table", 1)
    row = paper.status(s["chengdu"], s["campaign"])["senders"][0]
    assert (row["items"][0]["received"], row["short"], row["findings"]) == (6, False, [])


@pytest.mark.rule("R21", "R22")
def test_summary_table_from_a_level_that_sends_nothing_here_is_refused(setup, submitted):
    stranger = f.authority("510104", level=AuthorityLevel.COUNTY, parent=submitted["chengdu"])
    with pytest.raises(InvalidInput) as exc:
        _log(submitted, "summary_table", 6, sender_authority=stranger)
    assert exc.value.field == "sender_authority"


@pytest.mark.rule("R14", "R21")
def test_copies_of_a_superseded_version_do_not_count(setup, submitted):
    s = submitted
    old = _code(s["app"])
    ApplicationVersion.objects.create(application=s["app"], number=s["app"].version + 1, content={}, verification_code="NEWCODE2")
    TierApplication.objects.filter(pk=s["app"].pk).update(version=s["app"].version + 1)
    s["app"].refresh_from_db()
    _r, message = _log(s, "application", 3, verification_code=old)
    assert "旧版份数不计入" in message
    row = paper.status(s["chengdu"], s["campaign"])["applications"][0]
    assert row["items"][0]["received"] == 0 and row["items"][0]["short"] == 3 and row["matches_online"] is False
    assert any("不是线上当前版本" in x for x in row["findings"])
    _log(s, "application", 3, verification_code="NEWCODE2")
    row = paper.status(s["chengdu"], s["campaign"])["applications"][0]
    assert row["items"][0]["received"] == 3 and row["matches_online"] is True


@pytest.mark.rule("R14")
def test_book_without_code_or_with_a_foreign_code_is_not_counted(setup, submitted):
    with pytest.raises(InvalidInput) as exc:
        _log(submitted, "application", 3)
    assert exc.value.field == "code"
    _r, message = _log(submitted, "application", 3, verification_code="ZZZZZZZZZZ")
    assert "不一致" in message
    row = paper.status(submitted["chengdu"], submitted["campaign"])["applications"][0]
    assert row["matches_online"] is False and row["items"][0]["received"] == 0


@pytest.mark.rule("R22", "P41")
@pytest.mark.parametrize(("offset", "late"), [(-1, False), (0, True), (1, True)])
def test_delivery_is_compared_with_the_paper_deadline(setup, submitted, offset, late):
    s = submitted
    at = PAPER_DEADLINE + timedelta(seconds=offset)
    _r, message = _log(s, "summary_table", 6, arrived_at=at)
    assert ("晚于报送截止时间" in message) is late
    row = paper.status(s["chengdu"], s["campaign"])["senders"][0]
    assert bool(row["findings"]) is late and row["deadline"] == PAPER_DEADLINE
    _log(s, "commitment", 1, arrived_at=at)
    assert any("晚于" in x for x in paper.status(s["chengdu"], s["campaign"])["applications"][0]["findings"]) is late


def test_arrival_in_the_future_is_refused(setup, submitted):
    with pytest.raises(InvalidInput):
        _log(submitted, "commitment", 1, arrived_at=LATER + timedelta(minutes=5))


@pytest.mark.rule("R22")
def test_pdf_scan_required_where_the_data_says_so(setup, submitted):
    s = submitted
    PaperRequirement.objects.filter(authority=s["chengdu"]).update(scan_required=True)
    with pytest.raises(NotEligible) as exc:
        _log(s, "summary_table", 6)
    assert exc.value.field == "scan"
    png = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    with pytest.raises(InvalidInput):
        _log(s, "summary_table", 6, scan=png)
    receipt, _m = _log(s, "summary_table", 6, scan=_pdf())
    assert receipt.scan.name and len(receipt.scan_sha256) == 64
    assert AuditEvent.objects.filter(action="paper.received").last().after["scan"] == receipt.scan_sha256


@pytest.mark.rule("R21")
def test_no_scan_asked_no_scan_needed(setup, submitted):
    receipt, _m = _log(submitted, "summary_table", 6)  # 四川's and 成都's rows here do not ask for scans
    assert not receipt.scan


@pytest.mark.rule("R22")
def test_excellent_rules_do_not_flag_advanced_applications(setup, submitted):
    """成都's 卓越级 rules: an advanced application at 成都 is not listed and nothing is logged for it."""
    s = submitted
    other = f.factory(f.enterprise("510107"))
    advanced = TierApplication.objects.create(
        factory=other, campaign=s["campaign"], tier="advanced", state=State.IN_REVIEW, chain=s["app"].chain,
        current_step=1, current_authority=s["chengdu"], province_code="510000")
    state = paper.status(s["chengdu"], s["campaign"])
    assert [r["application"] for r in state["applications"]] == [s["app"]]
    assert [(r["sender"], r["tier"]) for r in state["senders"]] == [(s["wuhou"], "excellent")]
    with pytest.raises(InvalidInput) as exc:
        _log(s, "commitment", 1, application=advanced)
    assert "未对先进级设定" in exc.value.message
    _req(s["campaign"], s["chengdu"], "advanced", "commitment", 2)
    assert [r["application"] for r in paper.status(s["chengdu"], s["campaign"])["applications"]] == [s["app"], advanced]


def test_only_the_receiving_level_logs(setup, submitted):
    other = f.user("other", role=Role.AUTHORITY_REVIEWER, authority=setup["sichuan"])
    with pytest.raises(NotPermitted), time_machine.travel(LATER, tick=False):
        paper.log_receipt(submitted["chengdu"], actor=other, item="commitment", copies=1, application=submitted["app"])


def test_desk_status_query_count_does_not_grow_with_rows(setup, submitted):
    s = submitted

    def count():
        with CaptureQueriesContext(connection) as ctx:
            paper.status(s["chengdu"], s["campaign"])
        return len(ctx)

    one = count()
    for _ in range(2):
        TierApplication.objects.create(
            factory=f.factory(f.enterprise("510107")), campaign=s["campaign"], tier="excellent", state=State.IN_REVIEW,
            chain=s["app"].chain, current_step=1, current_authority=s["chengdu"], province_code="510000")
    assert count() == one == 11


# ------------------------------------------------------------------ setting requirements (P40)
@pytest.mark.rule("P40")
def test_the_desk_leader_sets_requirements_audited(setup, submitted):
    s = submitted
    r = paper.set_requirement(s["campaign"], s["chengdu"], actor=s["leader"], tier="excellent", item="summary_table",
                              copies=8, scan_required=True, basis="成都转发通知")
    assert (r.copies, r.scan_required, r.set_by) == (8, True, s["leader"])
    event = AuditEvent.objects.get(action="paper.requirement_set")
    assert event.before["copies"] == 6 and event.after["copies"] == 8
    assert paper.set_requirement(s["campaign"], s["chengdu"], actor=s["leader"], tier="excellent", item="letter",
                                 copies=0) is None
    with pytest.raises(NotPermitted):
        paper.set_requirement(s["campaign"], s["chengdu"], actor=s["clerk"], tier="excellent", item="letter", copies=1)
    other_city = f.user("mianyang", role=Role.AUTHORITY_LEADER,
                        authority=f.authority("510700", level=AuthorityLevel.CITY, parent=setup["sichuan"]))
    with pytest.raises(NotPermitted):
        paper.set_requirement(s["campaign"], s["chengdu"], actor=other_city, tier="excellent", item="letter", copies=1)
    assert not PaperRequirement.objects.filter(authority=s["chengdu"], item="letter").exists()


def test_requirement_input_is_checked(setup, submitted):
    s = submitted
    for kw in ({"tier": "basic"}, {"item": "x"}, {"copies": 101}, {"sender_kinds": ["nobody"]}):
        args = {"tier": "excellent", "item": "letter", "copies": 1, **kw}
        with pytest.raises(InvalidInput):
            paper.set_requirement(s["campaign"], s["chengdu"], actor=s["leader"], **args)


@pytest.mark.rule("P40")
def test_province_sets_requirements_through_the_page_and_the_api(setup, submitted, client_for):

    province = f.user("sc-leader", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    client = client_for(province)
    client.post(f"/console/paper/?year={setup['campaign'].year}", {
        "action": "requirement", "tier": "excellent", "item": "summary_table", "copies": "6", "basis": "川经信智能函"})
    assert PaperRequirement.objects.get(authority=setup["sichuan"], tier="excellent").copies == 6
    token = token_for(client, "sc-leader")
    from django.test import Client

    api = Client()
    body = {"tier": "excellent", "item": "application", "copies": 3, "basis": "川经信智能函"}
    rows = api.put(f"/api/v1/paper/{setup['campaign'].year}/requirements", json.dumps(body),
                   content_type="application/json", **bearer(token)).json()
    assert sorted((r["item"], r["copies"]) for r in rows) == [("application", 3), ("summary_table", 6)]
    clerk_token = token_for(client, "cd-clerk")
    refused = api.put(f"/api/v1/paper/{setup['campaign'].year}/requirements", json.dumps(body),
                      content_type="application/json", **bearer(clerk_token))
    assert refused.status_code == 403 and refused.json()["message"] == "纸质材料要求由接收单位的负责人设定。"
    ent = api.get(f"/api/v1/paper/{setup['campaign'].year}/requirements", **bearer(token_for(client, "applicant")))
    assert ent.status_code == 404


def test_paper_page(setup, submitted, client_for):
    from smartfactory.campaigns.models import Campaign

    Campaign.objects.exclude(pk=setup["campaign"].pk).update(status="closed")
    code = _code(submitted["app"])
    with time_machine.travel(LATER, tick=False):
        client = client_for(submitted["clerk"])
        page = client.get("/console/paper/").content.decode()
        assert setup["enterprise"].name in page and "缺3份" in page and "缺6份" in page and "武侯区经济和信息化局" in page
        client.post("/console/paper/", {"action": "receipt", "item": "application", "copies": "3",
                                        "application": str(submitted["app"].id), "code": code,
                                        "arrived_at": "2042-07-18T10:00"})
        client.post("/console/paper/", {"action": "receipt", "item": "summary_table", "copies": "6", "tier": "excellent",
                                        "sender_authority": str(submitted["wuhou"].id), "arrived_at": "2042-07-19T08:00"})
        page = client.get("/console/paper/").content.decode()
    assert "3/3" in page and "一致" in page and "6/6" in page and "晚于报送截止时间" in page
    assert "设定或修改本级要求" not in page  # a reviewer does not set the desk's requirements
    assert client_for(setup["user"]).get("/console/paper/").status_code == 404


# ------------------------------------------------------------------ MIIT and SASAC (R15)
@pytest.fixture
def national(setup):
    """Submitted batches of four channels (a province, a 计划单列市's province, XPCC, a central SOE),
    MIIT's national rules (book, table, letter ×1 for 卓越级) and SASAC's for central SOEs."""
    campaign = setup["campaign"]
    miit = f.ministry()
    sasac = f.ministry("国务院国有资产监督管理委员会", department=Department.SASAC)
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE, parent=miit, name="浙江省经济和信息化厅")
    xpcc = f.authority("660000", level=AuthorityLevel.PROVINCE, kind=AuthorityKind.XPCC, parent=miit, name="兵团工信局")
    group = f.soe_group("中国测试集团")
    group.parent = sasac
    group.save(update_fields=["parent"])
    channels = {
        "region": (Quota.Recommender.PROVINCE, "510000", None, "510107", setup["sichuan"]),
        "separate_plan_city": (Quota.Recommender.PROVINCE, "330000", None, "330203", zhejiang),
        "xpcc": (Quota.Recommender.XPCC, "", None, "659001", xpcc),
        "central_soe": (Quota.Recommender.CENTRAL_SOE, "", group, "110108", group),
    }
    apps = {}
    for key, (kind, province, soe, county, _sender) in channels.items():
        quota = Quota.objects.create(campaign=campaign, tier="excellent", recommender=kind, province_code=province,
                                     soe_group=soe, name=key, quota=5, basis="test")
        Batch.objects.create(quota=quota, status=Batch.Status.SUBMITTED)
        apps[key] = TierApplication.objects.create(
            factory=f.factory(f.enterprise(county, soe=soe)), campaign=campaign, tier="excellent",
            state=State.RECOMMENDED, quota=quota, priority=1, province_code=province or "110000", version=1)
        ApplicationVersion.objects.create(application=apps[key], number=1, content={}, verification_code=f"CODE{key[:4].upper()}")
    for item in ("application", "summary_table", "letter"):
        _req(campaign, miit, "excellent", item, 1)
        _req(campaign, sasac, "excellent", item, 1, sender_kinds=["central_soe"])
    return {"miit": miit, "sasac": sasac, "apps": apps, "senders": {k: v[4] for k, v in channels.items()},
            "miit_staff": f.user("miit-staff", role=Role.MINISTRY_STAFF, authority=miit),
            "sasac_staff": f.user("sasac-staff", role=Role.MINISTRY_STAFF, authority=sasac)}


@pytest.mark.rule("R15")
def test_miit_desk_expects_book_table_and_letter_from_every_channel(setup, national):
    state = paper.status(national["miit"], setup["campaign"])
    assert {r["application"].pk for r in state["applications"]} == {a.pk for a in national["apps"].values()}
    assert {r["sender"].pk for r in state["senders"]} == {s.pk for s in national["senders"].values()}
    for row in state["senders"]:
        assert [(i["required"], i["received"]) for i in row["items"]] == [(1, 0), (1, 0)]
        assert row["findings"] == ["推荐汇总表缺1份", "推荐函缺1份"]


@pytest.mark.rule("R15")
@pytest.mark.parametrize("channel", ["region", "separate_plan_city", "xpcc", "central_soe"])
def test_sasac_desk_sees_only_central_soe_paper(setup, national, channel):
    state = paper.status(national["sasac"], setup["campaign"])
    assert [r["application"] for r in state["applications"]] == [national["apps"]["central_soe"]]
    assert [r["sender"] for r in state["senders"]] == [national["senders"]["central_soe"]]
    args = {"actor": national["sasac_staff"], "campaign": setup["campaign"], "item": "summary_table", "copies": 1,
            "tier": "excellent", "sender_authority": national["senders"][channel]}
    with time_machine.travel(LATER, tick=False):
        if channel == "central_soe":
            paper.log_receipt(national["sasac"], **args)
            assert not paper.status(national["sasac"], setup["campaign"])["senders"][0]["items"][0]["short"]
        else:
            with pytest.raises(InvalidInput):
                paper.log_receipt(national["sasac"], **args)


@pytest.mark.rule("R15")
def test_miit_logs_the_national_paper_and_the_page_shows_it(setup, national, client_for):
    from smartfactory.campaigns.models import Campaign

    Campaign.objects.exclude(pk=setup["campaign"].pk).update(status="closed")
    app = national["apps"]["region"]
    with time_machine.travel(LATER, tick=False):
        paper.log_receipt(national["miit"], actor=national["miit_staff"], item="application", copies=1,
                          application=app, verification_code="CODEREGI")
        paper.log_receipt(national["miit"], actor=national["miit_staff"], item="summary_table", copies=1,
                          tier="excellent", sender_authority=national["senders"]["xpcc"], campaign=setup["campaign"])
    row = next(r for r in paper.status(national["miit"], setup["campaign"])["applications"] if r["application"] == app)
    assert (row["items"][0]["received"], row["short"], row["sender"]) == (1, False, setup["sichuan"])
    with time_machine.travel(LATER, tick=False):
        page = client_for(national["miit_staff"]).get("/console/paper/").content.decode()
    assert "兵团工信局" in page and "中国测试集团" in page and "1/1" in page
    sasac_page = client_for(national["sasac_staff"]).get("/console/paper/").content.decode()
    assert "中国测试集团" in sasac_page and "兵团工信局" not in sasac_page


@pytest.mark.rule("R15")
def test_desk_status_api_and_other_desks_are_out_of_scope(setup, national, client_for, client):
    from django.test import Client


    api = Client()
    body = api.get(f"/api/v1/paper/{setup['campaign'].year}/status", **bearer(token_for(client, "sasac-staff"))).json()
    assert [r["sender"] for r in body["senders"]] == ["中国测试集团"]
    assert body["senders"][0]["findings"] == ["推荐汇总表缺1份", "推荐函缺1份"]
    province = f.user("sc-leader", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    foreign = api.get(f"/api/v1/paper/{setup['campaign'].year}/status", {"desk": str(national["miit"].id)},
                      **bearer(token_for(client, "sc-leader")))
    assert foreign.status_code == 404
    page = client_for(province).get(f"/console/paper/?desk={national['miit'].id}&year={setup['campaign'].year}")
    assert page.status_code == 404
    put = api.put(f"/api/v1/paper/{setup['campaign'].year}/requirements",
                  json.dumps({"desk": str(national["miit"].id), "tier": "excellent", "item": "letter", "copies": 5}),
                  content_type="application/json", **bearer(token_for(client, "sc-leader")))
    assert put.status_code == 404 and PaperRequirement.objects.get(authority=national["miit"], item="letter").copies == 1


@pytest.mark.rule("R22")
def test_receipts_through_the_api_need_the_scan_where_asked(setup, submitted, client):
    from django.test import Client


    s = submitted
    PaperRequirement.objects.filter(authority=s["chengdu"]).update(scan_required=True)
    url = f"/api/v1/paper/{s['campaign'].year}/receipts"
    form = {"item": "summary_table", "copies": "6", "tier": "excellent", "sender_authority": str(s["wuhou"].id),
            "arrived_at": "2042-07-18T10:00:00+08:00"}
    with time_machine.travel(LATER, tick=False):
        token = token_for(client, "cd-clerk")
        refused = Client().post(url, form, **bearer(token))
        assert refused.status_code == 409 and refused.json()["field"] == "scan"
        made = Client().post(url, {**form, "scan": _pdf()}, **bearer(token))
        assert made.status_code == 201 and len(made.json()["scan_sha256"]) == 64
        district = f.user("wh-clerk", role=Role.AUTHORITY_REVIEWER, authority=s["wuhou"])
        assert district.pk
        other = Client().post(url, {**form, "desk": str(s["chengdu"].id), "scan": _pdf()},
                              **bearer(token_for(client, "wh-clerk")))
        assert other.status_code == 404
    row = paper.status(s["chengdu"], s["campaign"])["senders"][0]
    assert row["items"][0]["received"] == 6
