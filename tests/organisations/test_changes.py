"""Registration facts that decide eligibility: locked in the profile (P70), changed by a request the
enterprise's authority confirms (P71), the USCC's registration authority agrees with the province
(P72), and lists keep the name at issue."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from smartfactory.audit.models import AuditEvent
from smartfactory.demo.identifiers import make_uscc
from smartfactory.errors import Conflict, InvalidInput, NotPermitted
from smartfactory.organisations import changes, services
from smartfactory.organisations.enums import AuthorityLevel, ChangeStatus, Role
from smartfactory.organisations.models import Enterprise, EnterpriseChange
from smartfactory.organisations.queries import enterprise_changes_for_user
from smartfactory.organisations.validators import uscc_region_mismatch
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = f.real_pdf()


def proof(name: str = "核准变更登记通知书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world():
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY)
    jinjiang = f.authority("510104", level=AuthorityLevel.COUNTY)
    enterprise = f.enterprise("510107", name="锦官精密机械有限公司")
    return {
        "enterprise": enterprise, "wuhou": wuhou, "jinjiang": jinjiang,
        "admin": f.user("ent-admin", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise),
        "district": f.user("wuhou-reviewer", role=Role.AUTHORITY_REVIEWER, authority=wuhou),
        "other_district": f.user("jinjiang-reviewer", role=Role.AUTHORITY_REVIEWER, authority=jinjiang),
    }


# ------------------------------------------------------------------ P70: not self-declared
@pytest.mark.rule("P70")
@pytest.mark.parametrize(("field", "value"), [
    ("name", "改名后有限公司"), ("county", "330106"), ("legal_status", "branch"),
    ("above_designated_size", False), ("parent_uscc", make_uscc("110108", 9)),
])
def test_api_patch_of_a_registration_fact_is_refused(world, field, value):
    enterprise = world["enterprise"]
    client = Client()
    client.force_login(world["admin"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.patch(f"/api/v1/enterprises/{enterprise.uscc}", json.dumps({field: value}),
                            content_type="application/json")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "not_permitted" and body["field"] == field and "企业信息变更申请" in body["message"]
    fresh = Enterprise.objects.get(pk=enterprise.pk)
    assert (fresh.name, fresh.county_id, fresh.legal_status, fresh.above_designated_size, fresh.parent_uscc) == (
        "锦官精密机械有限公司", "510107", "independent", True, "")
    assert not AuditEvent.objects.filter(action="enterprise.update").exists()


@pytest.mark.rule("P70")
def test_platform_admin_cannot_edit_facts_either_but_unchanged_values_and_address_pass(world):
    enterprise = world["enterprise"]
    with pytest.raises(NotPermitted):
        services.update_enterprise(enterprise, actor=f.platform_admin(), changes={"name": "管理员改的名"})
    updated = services.update_enterprise(enterprise, actor=world["admin"], changes={
        "name": enterprise.name, "county": "510107", "above_designated_size": True, "address": "武侯大道1号"})
    assert (updated.name, updated.address) == ("锦官精密机械有限公司", "武侯大道1号")


# ------------------------------------------------------------------ P71: the authority confirms
@pytest.mark.rule("P71")
def test_change_request_confirmed_by_the_district_changes_the_profile(world):
    enterprise = world["enterprise"]
    change = changes.request_enterprise_change(
        enterprise, actor=world["admin"], changes={"name": "锦官智能装备有限公司", "county": "510104"},
        reason="2026年3月完成名称变更和迁址登记", upload=proof())
    assert change.authority == world["wuhou"] and change.status == ChangeStatus.PENDING
    assert change.before == {"name": "锦官精密机械有限公司", "county": "510107"}
    assert Enterprise.objects.get(pk=enterprise.pk).name == "锦官精密机械有限公司"  # nothing changes yet
    for hostile in (world["admin"], world["other_district"], f.platform_admin()):
        with pytest.raises(NotPermitted):
            changes.decide_enterprise_change(change, actor=hostile, confirm=True)
    assert EnterpriseChange.objects.get(pk=change.pk).status == ChangeStatus.PENDING
    changes.decide_enterprise_change(change, actor=world["district"], confirm=True, reason="已核对营业执照")
    fresh = Enterprise.objects.get(pk=enterprise.pk)
    assert (fresh.name, fresh.county_id, fresh.city_code) == ("锦官智能装备有限公司", "510104", "510100")
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))[-2:]
    assert actions == ["enterprise.change_requested", "enterprise.change_confirmed"]
    confirmed = AuditEvent.objects.get(action="enterprise.change_confirmed")
    assert confirmed.before["name"] == "锦官精密机械有限公司" and confirmed.after["county"] == "510104"


def test_refusal_needs_a_reason_and_leaves_the_profile(world):
    change = changes.request_enterprise_change(world["enterprise"], actor=world["admin"],
                                               changes={"above_designated_size": False}, reason="退出规上统计",
                                               upload=proof())
    with pytest.raises(InvalidInput):
        changes.decide_enterprise_change(change, actor=world["district"], confirm=False)
    changes.decide_enterprise_change(change, actor=world["district"], confirm=False, reason="证明材料不是统计部门出具")
    assert Enterprise.objects.get(pk=world["enterprise"].pk).above_designated_size is True
    assert AuditEvent.objects.filter(action="enterprise.change_rejected", reason="证明材料不是统计部门出具").exists()


def test_request_needs_admin_reason_proof_and_one_at_a_time(world):
    enterprise = world["enterprise"]
    member = f.user(role=Role.ENTERPRISE_MEMBER, enterprise=enterprise)
    with pytest.raises(NotPermitted):
        changes.request_enterprise_change(enterprise, actor=member, changes={"name": "新"}, reason="r", upload=proof())
    with pytest.raises(InvalidInput) as exc:
        changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"name": "新"}, reason=" ",
                                          upload=proof())
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput) as exc:
        changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"name": "新"}, reason="更名",
                                          upload=SimpleUploadedFile("x.pdf", b"not a pdf"))
    assert exc.value.field == "file"
    with pytest.raises(InvalidInput):
        changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"name": enterprise.name},
                                          reason="更名", upload=proof())
    changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"name": "新"}, reason="更名",
                                      upload=proof())
    with pytest.raises(Conflict):
        changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"name": "再新"}, reason="更名",
                                          upload=proof())
    assert EnterpriseChange.objects.count() == 1
    assert list(enterprise_changes_for_user(world["other_district"])) == []
    assert enterprise_changes_for_user(world["district"]).count() == 1


def test_soe_member_is_confirmed_by_its_group_and_xpcc_by_xpcc():
    group = f.soe_group("某集团")
    member = f.enterprise("510107", soe=group)
    assert changes.confirming_authority_for(member) == group
    xpcc = f.authority("660000", level=AuthorityLevel.PROVINCE, kind="xpcc")
    bingtuan = f.enterprise("659001")
    assert changes.confirming_authority_for(bingtuan) == xpcc
    city = f.authority("510100", level=AuthorityLevel.CITY)
    assert changes.confirming_authority_for(f.enterprise("510104")) == city  # no county bureau: the city


# ------------------------------------------------------------------ P72: USCC agrees with the province
@pytest.mark.rule("P72")
def test_move_to_another_province_is_refused_with_the_reason(world):
    with pytest.raises(InvalidInput) as exc:
        changes.request_enterprise_change(world["enterprise"], actor=world["admin"], changes={"county": "330106"},
                                          reason="迁址杭州", upload=proof())
    assert exc.value.field == "county" and "登记管理机关行政区划码 510107" in exc.value.message
    assert not EnterpriseChange.objects.exists()


@pytest.mark.rule("P72")
def test_registration_with_a_uscc_of_another_province_is_refused():
    with pytest.raises(InvalidInput) as exc:
        services.register_enterprise(
            username="newcomer", password=f.PASSWORD, display_name="新人", email="a@example.invalid",
            uscc=make_uscc("330106", 88_001),
            enterprise={"name": "跨省企业", "legal_status": "independent", "county": "510107", "industry": "34"})
    assert exc.value.field == "county" and "不一致" in exc.value.message
    assert not Enterprise.objects.filter(name="跨省企业").exists()


def test_central_and_xpcc_registration_authorities():
    assert uscc_region_mismatch(make_uscc("100000", 1), "510000") is None  # national registration: any province
    assert uscc_region_mismatch(make_uscc("660000", 1), "650000") is None  # XPCC registration in Xinjiang
    assert uscc_region_mismatch(make_uscc("660000", 1), "510000")
    assert uscc_region_mismatch(make_uscc("510104", 1), "510000") is None  # another county of the province


# ------------------------------------------------------------------ the name at issue stays
def _rename(world, new_name: str) -> None:
    change = changes.request_enterprise_change(world["enterprise"], actor=world["admin"], changes={"name": new_name},
                                               reason="更名", upload=proof())
    changes.decide_enterprise_change(change, actor=world["district"], confirm=True)


def test_public_list_and_verify_keep_the_name_at_issue_with_the_current_name_beside(world, client, client_for):
    from datetime import date

    from smartfactory.applications.models import ApplicationVersion, TierApplication
    from smartfactory.campaigns.models import Campaign

    factory = f.factory(world["enterprise"])
    award = services.record_tier_award(factory, actor=None, year=2025, tier="advanced", authority=world["wuhou"],
                                       certificate_no="先进2025-001", awarded_on=date(2025, 10, 1))
    award.published_on = date(2025, 10, 1)
    award.save(update_fields=["published_on"])
    campaign = Campaign.objects.create(year=2041, name="2041年度", framework_version="2025")
    app = TierApplication.objects.create(factory=factory, campaign=campaign, tier="excellent", province_code="510000")
    ApplicationVersion.objects.create(application=app, number=1, content={}, verification_code="ABCDEFGH23",
                                      snapshot={"enterprise": {"uscc": world["enterprise"].uscc,
                                                               "name": "锦官精密机械有限公司"}})
    _rename(world, "锦官智能装备有限公司")
    body = client.get("/public/awards/").content.decode()
    assert "锦官精密机械有限公司" in body and "现名称：锦官智能装备有限公司" in body
    items = client.get("/api/v1/public/awards").json()["items"]
    assert [(i["enterprise"], i.get("current_name")) for i in items] == [("锦官精密机械有限公司", "锦官智能装备有限公司")]
    page = client.get("/verify/ABCDEFGH23/").content.decode()
    assert "锦官精密机械有限公司" in page and "现名称：锦官智能装备有限公司" in page
    body = client_for(world["admin"]).get(f"/portal/enterprises/{world['enterprise'].uscc}/").content.decode()
    assert "认定时企业名称：锦官精密机械有限公司" in body
    from smartfactory.recommendations.services import _rows

    assert _rows([TierApplication.objects.get(pk=app.pk)], "武侯区")[0]["enterprise_name"] == "锦官精密机械有限公司（现名称：锦官智能装备有限公司）"


# ------------------------------------------------------------------ pages
def test_pages_request_then_district_confirms_other_district_sees_nothing(world, client_for):
    enterprise = world["enterprise"]
    portal = client_for(world["admin"])
    edit = portal.get(f"/portal/enterprises/{enterprise.uscc}/edit/").content.decode()
    assert 'name="name"' not in edit and 'name="county"' not in edit and "企业信息变更申请" in edit
    response = portal.post(f"/portal/enterprises/{enterprise.uscc}/changes/", {
        "name": "锦官智能装备有限公司", "legal_status": "independent", "parent_uscc": "", "province": "510000",
        "city": "510100", "county": "510107", "above_designated_size": "on", "reason": "名称变更登记",
        "file": proof(),
    })
    assert response.status_code == 302
    change = EnterpriseChange.objects.get()
    assert change.after == {"name": "锦官智能装备有限公司"} and change.authority == world["wuhou"]
    assert "待" in portal.get(f"/portal/enterprises/{enterprise.uscc}/").content.decode()

    other = client_for(world["other_district"])
    assert "锦官" not in other.get("/console/enterprise-changes/").content.decode()
    assert other.get(f"/console/enterprise-changes/{change.pk}/").status_code == 404
    assert other.post(f"/console/enterprise-changes/{change.pk}/", {"decision": "confirm"}).status_code == 404
    assert portal.get(f"/console/enterprise-changes/{change.pk}/").status_code == 404

    district = client_for(world["district"])
    assert "锦官精密机械有限公司" in district.get("/console/enterprise-changes/").content.decode()
    page = district.get(f"/console/enterprise-changes/{change.pk}/").content.decode()
    assert "名称变更登记" in page and 'data-testid="decide"' in page
    response = district.post(f"/console/enterprise-changes/{change.pk}/", {"decision": "reject", "reason": ""})
    assert response.status_code == 200 and "不予确认时请填写理由" in response.content.decode()
    response = district.post(f"/console/enterprise-changes/{change.pk}/", {"decision": "confirm", "reason": "已核对"})
    assert response.status_code == 302
    assert Enterprise.objects.get(pk=enterprise.pk).name == "锦官智能装备有限公司"
    download = district.get(f"/console/enterprise-changes/{change.pk}/file")  # last: closing ends the request
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    download.close()


def test_open_application_shows_the_change_to_its_reviewers(world, client_for):
    from smartfactory.applications.models import TierApplication
    from smartfactory.campaigns.models import Campaign

    campaign = Campaign.objects.create(year=2041, name="2041年度", framework_version="2025")
    app = TierApplication.objects.create(factory=f.factory(world["enterprise"]), campaign=campaign, tier="advanced",
                                         province_code="510000", state="in_review",
                                         current_authority=world["wuhou"],
                                         chain=[{"level": "county", "authority": str(world["wuhou"].pk)}])
    changes.request_enterprise_change(world["enterprise"], actor=world["admin"], changes={"above_designated_size": False},
                                      reason="2026年退出规上统计", upload=proof())
    body = client_for(world["district"]).get(f"/console/applications/{app.id}/").content.decode()
    assert 'data-testid="profile-changes"' in body and "2026年退出规上统计" in body
    body = client_for(world["admin"]).get(f"/portal/applications/{app.id}/").content.decode()
    assert 'data-testid="profile-changes"' in body


def test_api_request_and_decision(world):
    enterprise = world["enterprise"]
    admin, other, district = Client(), Client(), Client()
    for client, user in ((admin, world["admin"]), (other, world["other_district"]), (district, world["district"])):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = admin.post(f"/api/v1/enterprises/{enterprise.uscc}/changes",
                          {"county": "330106", "reason": "迁址", "file": proof()})
    assert response.status_code == 422 and response.json()["field"] == "county"
    response = admin.post(f"/api/v1/enterprises/{enterprise.uscc}/changes",
                          {"legal_status": "branch", "parent_uscc": make_uscc("510104", 5), "reason": "改制为分公司",
                           "file": proof()})
    assert response.status_code == 201, response.content
    change_id = response.json()["id"]
    assert response.json()["after"] == {"legal_status": "branch", "parent_uscc": make_uscc("510104", 5)}
    decide = f"/api/v1/enterprises/changes/{change_id}/decide"
    assert admin.post(decide, {"confirm": True}, content_type="application/json").status_code == 403
    assert other.post(decide, {"confirm": True}, content_type="application/json").status_code == 404
    response = district.post(decide, {"confirm": True, "reason": "已核对"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    fresh = Enterprise.objects.get(pk=enterprise.pk)
    assert (fresh.legal_status, fresh.parent_uscc) == ("branch", make_uscc("510104", 5))
    assert [c["status"] for c in admin.get(f"/api/v1/enterprises/{enterprise.uscc}/changes").json()] == ["confirmed"]


def test_change_queue_query_count_does_not_grow_with_rows(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    district = client_for(world["district"])

    def file_change(county_move: bool) -> None:
        enterprise = f.enterprise("510107")
        admin = f.user(role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
        requested = {"county": "510104"} if county_move else {"name": f"{enterprise.name}（更名）"}
        changes.request_enterprise_change(enterprise, actor=admin, changes=requested, reason="变更", upload=proof())

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = district.get("/console/enterprise-changes/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    file_change(county_move=True)
    one = count()
    file_change(county_move=True)
    file_change(county_move=False)
    three = count()
    assert "成都市锦江区" in district.get("/console/enterprise-changes/").content.decode()
    assert one == three == 8


def test_import_refuses_a_uscc_of_another_province():
    from smartfactory.organisations.imports import import_enterprises

    result = import_enterprises([
        {"uscc": make_uscc("330106", 90_001), "name": "跨省导入企业", "legal_status": "independent", "county": "510107",
         "industry": "34"},
        {"uscc": make_uscc("510104", 90_002), "name": "省内导入企业", "legal_status": "independent", "county": "510107",
         "industry": "34"},
    ], actor=None)
    assert result.created == 1
    assert [(row, field) for row, field, _message in result.errors] == [(1, "county")]


def test_enterprise_withdraws_a_pending_request_and_files_a_corrected_one(world, client_for):
    enterprise = world["enterprise"]
    change = changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"name": "错字公司"},
                                               reason="更名", upload=proof())
    with pytest.raises(NotPermitted):
        changes.withdraw_enterprise_change(change, actor=world["district"])
    portal = client_for(world["admin"])
    assert 'data-testid="withdraw"' in portal.get(f"/portal/enterprises/{enterprise.uscc}/changes/").content.decode()
    response = portal.post(f"/portal/enterprises/{enterprise.uscc}/changes/{change.pk}/withdraw/")
    assert response.status_code == 302
    assert EnterpriseChange.objects.get(pk=change.pk).status == ChangeStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="enterprise.change_withdrawn").exists()
    changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"name": "正确公司"}, reason="更名",
                                      upload=proof())
    body = client_for(world["district"]).get(f"/console/enterprises/{enterprise.uscc}/").content.decode()
    assert "错字公司" in body and "正确公司" in body


def test_certified_advanced_list_and_its_report_keep_the_name_at_certification(world, client_for):
    """The console's certified 先进级 list (page, XLSX) and the list reported to MIIT print the name
    on the award, with the current name beside it after a confirmed rename."""
    import io
    from datetime import date

    from openpyxl import load_workbook

    from smartfactory.applications.models import TierApplication
    from smartfactory.campaigns.models import Campaign
    from smartfactory.recommendations import advanced_lists

    factory = f.factory(world["enterprise"])
    campaign = Campaign.objects.create(year=2041, name="2041年度", framework_version="2025")
    TierApplication.objects.create(factory=factory, campaign=campaign, tier="advanced", province_code="510000",
                                   state="awarded", current_authority=world["wuhou"], certificate_no="川先进〔2041〕0001号",
                                   decided_at=timezone.now())
    services.record_tier_award(factory, actor=None, year=2041, tier="advanced", authority=world["wuhou"],
                               certificate_no="川先进〔2041〕0001号", awarded_on=date(2041, 6, 1))
    _rename(world, "锦官智能装备有限公司")
    expected = "锦官精密机械有限公司（现名称：锦官智能装备有限公司）"
    client = client_for(world["district"])
    assert expected in client.get("/console/applications/certified/?year=2041").content.decode()
    sheet = load_workbook(io.BytesIO(client.get("/console/applications/certified/?year=2041&format=xlsx").content)).active
    assert expected in [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert [r["enterprise"] for r in advanced_lists.list_rows(campaign, world["wuhou"])] == [expected]


# ------------------------------------------------------------------ on the engine
@pytest.mark.rule("P4")
def test_a_refusal_without_a_reason_is_refused_and_the_request_stays_pending(world):
    change = changes.request_enterprise_change(world["enterprise"], actor=world["admin"], changes={"name": "新名称公司"},
                                               reason="更名", upload=proof())
    with pytest.raises(InvalidInput) as exc:
        changes.decide_enterprise_change(change, actor=world["district"], confirm=False, reason="  ")
    assert exc.value.field == "reason"
    assert EnterpriseChange.objects.get(pk=change.pk).status == ChangeStatus.PENDING
    assert not AuditEvent.objects.filter(action="enterprise.change_rejected").exists()


@pytest.mark.rule("P71")
def test_an_authority_above_sees_the_decision_disabled_with_the_reason(world, client_for):
    chengdu = f.authority("510100", level=AuthorityLevel.CITY)
    city_reviewer = f.user("chengdu-reviewer", role=Role.AUTHORITY_REVIEWER, authority=chengdu)
    change = changes.request_enterprise_change(world["enterprise"], actor=world["admin"], changes={"name": "新名称公司"},
                                               reason="更名", upload=proof())
    page = client_for(city_reviewer).get(f"/console/enterprise-changes/{change.pk}/").content.decode()
    assert 'data-testid="action-confirm"' in page and 'data-testid="why-confirm"' in page
    assert f"只有{world['wuhou'].name}可以确认" in page and 'class="why small"' in page
    assert [a.enabled for a in changes.available(change, city_reviewer)] == [False, False]
    assert [(a.action, a.enabled) for a in changes.available(change, world["district"])] == [
        ("confirm", True), ("reject", True)]
    page = client_for(world["district"]).get(f"/console/enterprise-changes/{change.pk}/").content.decode()
    assert 'data-testid="action-confirm"' in page and 'data-testid="why-confirm"' not in page


@pytest.mark.rule("P72")
@pytest.mark.parametrize(("stale", "field"), [({"county": "330106"}, "county"), ({"legal_status": "branch"}, "parent_uscc")])
def test_confirmation_checks_the_request_again_against_the_profile(world, client_for, stale, field):
    """A request that no longer fits (here written in directly: one filed under earlier checks) is shown
    with confirm disabled and its reason, and refused when confirmed; refusing it stays possible."""
    change = changes.request_enterprise_change(world["enterprise"], actor=world["admin"], changes={"name": "新名称公司"},
                                               reason="更名", upload=proof())
    EnterpriseChange.objects.filter(pk=change.pk).update(after=stale)
    change.refresh_from_db()
    [confirm, reject] = changes.available(change, world["district"])
    assert (confirm.enabled, reject.enabled) == (False, True) and confirm.reason
    page = client_for(world["district"]).get(f"/console/enterprise-changes/{change.pk}/").content.decode()
    assert 'data-testid="why-confirm"' in page
    with pytest.raises(InvalidInput) as exc:
        changes.decide_enterprise_change(change, actor=world["district"], confirm=True)
    assert exc.value.field == field
    fresh = Enterprise.objects.get(pk=world["enterprise"].pk)
    assert (fresh.county_id, fresh.legal_status) == ("510107", "independent")
    assert EnterpriseChange.objects.get(pk=change.pk).status == ChangeStatus.PENDING
    changes.decide_enterprise_change(change, actor=world["district"], confirm=False, reason="与登记信息不符")
    assert EnterpriseChange.objects.get(pk=change.pk).status == ChangeStatus.REJECTED


def test_decisions_stay_on_the_enterprise_trail_and_a_decided_request_is_not_decided_again(world):
    from smartfactory.errors import TransitionNotAllowed

    enterprise = world["enterprise"]
    change = changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"county": "510104"},
                                               reason="迁址", upload=proof())
    changes.decide_enterprise_change(change, actor=world["district"], confirm=True, reason="已核对")
    confirmed = AuditEvent.objects.get(action="enterprise.change_confirmed")
    assert (confirmed.object_type, confirmed.object_id) == ("organisations.enterprise", enterprise.uscc)
    assert (confirmed.before["status"], confirmed.after["status"]) == ("pending", "confirmed")
    assert (confirmed.before["county"], confirmed.after["county"], confirmed.reason) == ("510107", "510104", "已核对")
    assert confirmed.after["change"] == str(change.pk) and confirmed.after["requested"] == {"county": "510104"}
    for act in (lambda: changes.decide_enterprise_change(change, actor=world["district"], confirm=False, reason="x"),
                lambda: changes.withdraw_enterprise_change(change, actor=world["admin"])):
        with pytest.raises(TransitionNotAllowed):
            act()
    assert changes.available(EnterpriseChange.objects.get(pk=change.pk), world["district"]) == []
    second = changes.request_enterprise_change(enterprise, actor=world["admin"], changes={"name": "又一名称"},
                                               reason="更名", upload=proof())
    changes.withdraw_enterprise_change(second, actor=world["admin"])
    withdrawn = AuditEvent.objects.get(action="enterprise.change_withdrawn")
    assert (withdrawn.object_id, withdrawn.actor_name, withdrawn.after["requested"]) == (
        enterprise.uscc, "ent-admin", {"name": "又一名称"})
    assert EnterpriseChange.objects.get(pk=second.pk).decided_at is not None
