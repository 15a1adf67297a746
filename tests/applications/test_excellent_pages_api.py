"""Issue 4 through the pages and the API: refusals with reasons, book autosave (409), upload,
submit, receipt."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from smartfactory.applications import book_entries
from smartfactory.applications.enums import State
from smartfactory.applications.models import TierApplication
from tests.factories.applications import (
    BEFORE,
    EXCELLENT_DEADLINE,
    fill_book,
    text_pdf,
)

pytestmark = pytest.mark.django_db
ACK = {"cooperation_acknowledged": True}  # R23, acknowledged at each submission


def test_api_refuses_excellent_without_advanced_with_reasons(setup, client_for):
    setup["factory"].tier_awards.filter(tier="advanced").delete()
    response = client_for(setup["user"]).post(
        "/api/v1/applications", {"factory": str(setup["factory"].id), "tier": "excellent", "campaign": 2042},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "not_eligible"
    assert any("须已获评先进级" in r for r in body["reasons"])
    assert not TierApplication.objects.exists()


def test_page_refusal_shows_the_reasons(setup, client_for):
    response = client_for(setup["user"]).post(f"/portal/factories/{setup['factory'].id}/apply/", {"tier": "leading"},
                                              follow=True)
    assert "须已获评卓越级" in response.content.decode()


def test_journey_through_pages_and_api(setup, client_for):
    client = client_for(setup["user"])
    created = client.post("/api/v1/applications",
                          {"factory": str(setup["factory"].id), "tier": "excellent", "campaign": 2042},
                          content_type="application/json")
    assert created.status_code == 201
    app = TierApplication.objects.get(pk=created.json()["id"])
    page = client.get(f"/portal/applications/{app.id}/")
    assert page.status_code == 200 and "申报主体和智能工厂基本信息" in page.content.decode()
    saved = client.post(f"/portal/applications/{app.id}/book/cover.project_name/", {"value": "武侯卓越工厂", "version": "0"})
    assert saved.status_code == 200 and "已保存" in saved.content.decode()
    stale = client.patch(f"/api/v1/applications/{app.id}/sections",
                         json.dumps({"key": "cover.project_name", "value": "另一个名字", "version": 0}),
                         content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current_value"] == "武侯卓越工厂"
    fill_book(app, setup["user"])
    for kind in ("cmmm_report", "tier_proof", "commitment"):
        upload = client.post(f"/api/v1/applications/{app.id}/attachments",
                             {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", text_pdf(f"正常 {kind}"))})
        assert upload.status_code == 201, upload.content
    with time_machine.travel(BEFORE, tick=False):
        client = client_for(setup["user"])
        submitted = client.post(f"/api/v1/applications/{app.id}/submit", ACK, content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["state"] == State.IN_REVIEW
    code = submitted.json()["versions"][0]["verification_code"]
    receipt = client.get(f"/portal/applications/{app.id}/receipt/1.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    assert client.get(f"/verify/{code}/").status_code == 200
    again = client.post(f"/api/v1/applications/{app.id}/submit", ACK, content_type="application/json")
    assert again.status_code == 409  # read-only after submission; no second version
    assert app.versions.count() == 1


def _make_branch(setup):
    from tests import factories as f

    e = setup["enterprise"]
    e.legal_status, e.parent_uscc, e.industry_id = "branch", f.enterprise("110108").uscc, "34"
    e.save()


def _make_non_sichuan(setup):
    from smartfactory.campaigns.models import ChannelRule

    ChannelRule.objects.create(campaign=setup["campaign"], province_code="510000", province_name="四川省",
                               registered_in_province_only=True)
    setup["campaign"].recommender_basis = "factory"  # recommended where the factory is: Sichuan's rule applies
    setup["campaign"].save()
    e = setup["enterprise"]
    e.county_id, e.province_code, e.city_code = "330203", "330000", "330200"
    e.save()


def _no_advanced(setup):
    setup["factory"].tier_awards.filter(tier="advanced").delete()


REFUSALS = [
    ("excellent", _no_advanced, "须已获评先进级"),
    ("excellent", _make_branch, "法人分支机构仅限"),
    ("leading", lambda setup: None, "须已获评卓越级"),
    ("excellent", _make_non_sichuan, "四川省仅受理在本省注册的申报主体"),
]


@pytest.mark.rule("R5", "R6", "R16", "R21")
@pytest.mark.parametrize(("tier", "prepare", "reason"), REFUSALS)
def test_refusals_by_api_and_page(setup, client_for, tier, prepare, reason):
    prepare(setup)
    client = client_for(setup["user"])
    api = client.post("/api/v1/applications", {"factory": str(setup["factory"].id), "tier": tier, "campaign": 2042},
                      content_type="application/json")
    assert api.status_code == 422 and any(reason in r for r in api.json()["reasons"])
    page = client.post(f"/portal/factories/{setup['factory'].id}/apply/", {"tier": tier}, follow=True)
    assert reason in page.content.decode()
    assert not TierApplication.objects.exists()


def _ready_application(setup, client):
    created = client.post("/api/v1/applications", {"factory": str(setup["factory"].id), "tier": "excellent",
                                                   "campaign": 2042}, content_type="application/json")
    app = TierApplication.objects.get(pk=created.json()["id"])
    fill_book(app, setup["user"])
    for kind in ("cmmm_report", "tier_proof", "commitment"):
        client.post(f"/api/v1/applications/{app.id}/attachments",
                    {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", text_pdf(f"正常 {kind}"))})
    return app


@pytest.mark.rule("R7")
@pytest.mark.parametrize("via", ["api", "page"])
@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (1, False)])
def test_submission_deadline_by_api_and_page(setup, client_for, via, offset, allowed):
    from datetime import timedelta


    app = _ready_application(setup, client_for(setup["user"]))
    with time_machine.travel(EXCELLENT_DEADLINE + timedelta(seconds=offset), tick=False):
        client = client_for(setup["user"])
        if via == "api":
            response = client.post(f"/api/v1/applications/{app.id}/submit", ACK, content_type="application/json")
            assert response.status_code == (200 if allowed else 409)
            if not allowed:
                assert response.json()["code"] == "deadline_passed"
        else:
            response = client.post(f"/portal/applications/{app.id}/submit/", {"cooperation": "1"}, follow=True)
            if not allowed:
                assert "已于2042-07-18 23:59:59截止" in response.content.decode()
    app.refresh_from_db()
    assert app.state == (State.IN_REVIEW if allowed else State.DRAFT)


def test_reviewer_sees_the_submitted_book_and_the_justification(setup, client_for):
    from smartfactory.applications import services
    from smartfactory.organisations.enums import AuthorityLevel, Role
    from tests import factories as f

    client = client_for(setup["user"])
    app = _ready_application(setup, client)
    services.save_entry(app, "cover.project_name", "含机密字样的项目", expected_version=book_entries.entry_versions(app)[
        "cover.project_name"], actor=setup["user"])
    services.set_confidentiality_justification(app, actor=setup["user"], text="“机密”为产品名称")
    with time_machine.travel(BEFORE, tick=False):
        assert client_for(setup["user"]).post(f"/api/v1/applications/{app.id}/submit", ACK,
                                                content_type="application/json").status_code == 200
    county = f.authority("510107", level=AuthorityLevel.COUNTY)
    reviewer = f.user("cty", role=Role.AUTHORITY_REVIEWER, authority=county)
    page = client_for(reviewer).get(f"/console/applications/{app.id}/").content.decode()
    assert "含机密字样的项目" in page and "“机密”为产品名称" in page
    attachment = app.attachments.first()
    download = client_for(reviewer).get(f"/portal/applications/{app.id}/attachments/{attachment.id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_book_page_can_add_any_scenario_of_the_guide(setup, client_for):
    client = client_for(setup["user"])
    app = _ready_application(setup, client)
    page = client.get(f"/portal/applications/{app.id}/", {"add": "37"}).content.decode()
    assert 'id="b-scenario37"' in page  # a row for scenario 37 (not built in the self-assessment) to fill
    saved = client.post(f"/portal/applications/{app.id}/book/scenario.37/", {"content": "供应商协同平台", "version": "0"})
    assert saved.status_code == 200
    assert client.post(f"/portal/applications/{app.id}/book/scenario.41/", {"content": "x", "version": "0"}).status_code == 404
