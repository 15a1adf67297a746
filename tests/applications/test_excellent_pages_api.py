"""Issue 4 through the pages and the API: refusals with reasons, book autosave (409), upload,
submit, receipt."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from smartfactory.applications.enums import State
from smartfactory.applications.models import TierApplication
from tests.applications.test_excellent_book import BEFORE, _render, fill_book, setup  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_api_refuses_excellent_without_advanced_with_reasons(setup, client_for):  # noqa: F811
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


def test_page_refusal_shows_the_reasons(setup, client_for):  # noqa: F811
    response = client_for(setup["user"]).post(f"/portal/factories/{setup['factory'].id}/apply/", {"tier": "leading"},
                                              follow=True)
    assert "须已获评卓越级" in response.content.decode()


def test_journey_through_pages_and_api(setup, client_for):  # noqa: F811
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
                             {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", _render("正常"))})
        assert upload.status_code == 201, upload.content
    with time_machine.travel(BEFORE, tick=False):
        client = client_for(setup["user"])
        submitted = client.post(f"/api/v1/applications/{app.id}/submit")
    assert submitted.status_code == 200 and submitted.json()["state"] == State.IN_REVIEW
    code = submitted.json()["versions"][0]["verification_code"]
    receipt = client.get(f"/portal/applications/{app.id}/receipt/1.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    assert client.get(f"/verify/{code}/").status_code == 200
    again = client.post(f"/api/v1/applications/{app.id}/submit")
    assert again.status_code == 409  # read-only after submission; no second version
    assert app.versions.count() == 1
