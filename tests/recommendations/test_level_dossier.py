"""Intermediate levels' own paper set for the level above: the forwarded list, the summary table, the
letter (DOCX) and the stamped scans; reachable only by the level's own staff."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from smartfactory.applications import services as applications
from smartfactory.applications.enums import Action
from smartfactory.applications.models import Attachment
from smartfactory.applications.workflow import transition
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import PaperRequirement
from smartfactory.errors import InvalidInput, NotPermitted
from smartfactory.organisations.enums import AuthorityLevel, Role
from smartfactory.organisations.models import Authority
from smartfactory.recommendations import services
from smartfactory.recommendations.models import StampedScan
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
    attach,
    fill_book,
    text_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def forwarded(setup):
    """An excellent application approved by 武侯区 and by 成都市 (so both forwarded it)."""
    chengdu = Authority.objects.get(division_id="510100", department="industry")
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=chengdu)
    district = f.user("wh-rev", role=Role.AUTHORITY_REVIEWER, authority=wuhou)
    city = f.user("cd-rev", role=Role.AUTHORITY_REVIEWER, authority=chengdu)
    app = applications.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    fill_book(app, setup["user"])
    for kind in (Attachment.Kind.CMMM_REPORT, Attachment.Kind.TIER_PROOF, Attachment.Kind.COMMITMENT):
        attach(app, setup["user"], kind, f"{kind}.pdf", text_pdf(f"正常 {kind}"))
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=setup["user"], cooperation=True)
        app = transition(app, Action.APPROVE, actor=district, reason="同意")
        transition(app, Action.APPROVE, actor=city, reason="同意")
    PaperRequirement.objects.create(campaign=setup["campaign"], authority=chengdu, tier="excellent",
                                    item="summary_table", copies=6)
    return {"chengdu": chengdu, "wuhou": wuhou, "district": district, "city": city, "app": app}


def test_level_page_letter_and_stamped_scans(setup, forwarded, client_for):
    client = client_for(forwarded["district"])
    page = client.get("/console/recommendations/level/2042/excellent/")
    body = page.content.decode()
    assert page.status_code == 200 and setup["enterprise"].name in body
    assert "推荐汇总表 × 6" in body  # what 成都市 requires from its districts on paper
    letter = client.get("/console/recommendations/level/2042/excellent/letter.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert text.startswith("关于报送2042年度卓越级智能工厂申报材料的函")
    assert f"{forwarded['chengdu'].name}：" in text and setup["enterprise"].name in text
    assert f"{forwarded['wuhou'].name}（盖章）" in text and "现报送本地区1个卓越级" in text

    upload = SimpleUploadedFile("盖章汇总表.pdf", text_pdf("盖章"))
    done = client.post("/console/recommendations/level/2042/excellent/", {"kind": "summary_table", "file": upload})
    assert done.status_code == 302
    scan = StampedScan.objects.get()
    assert scan.dossier.authority == forwarded["wuhou"] and scan.batch is None and len(scan.sha256) == 64
    assert AuditEvent.objects.filter(action="recommendation.level_scan_uploaded").count() == 1
    assert "盖章汇总表.pdf" in client.get("/console/recommendations/level/2042/excellent/").content.decode()


def test_level_scan_is_checked_by_content_and_role(setup, forwarded):
    dossier = services.dossier_for(forwarded["wuhou"], setup["campaign"], "excellent")
    fake = SimpleUploadedFile("stamp.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(InvalidInput):
        services.attach_level_scan(dossier, kind="letter", upload=fake, actor=forwarded["district"])
    with pytest.raises(NotPermitted):  # the city's reviewer is not the district's staff
        services.attach_level_scan(dossier, kind="letter", upload=SimpleUploadedFile("s.pdf", text_pdf("盖章")),
                                   actor=forwarded["city"])
    assert not StampedScan.objects.exists()


def test_level_pages_are_for_intermediate_levels_only(setup, forwarded, client_for):
    province = f.user("sc-rev", role=Role.AUTHORITY_REVIEWER, authority=setup["sichuan"])
    assert client_for(province).get("/console/recommendations/level/2042/excellent/").status_code == 404
    assert client_for(setup["user"]).get("/console/recommendations/level/2042/excellent/").status_code == 404
    assert client_for(forwarded["city"]).get("/console/recommendations/level/2042/bogus/").status_code == 404
    city_page = client_for(forwarded["city"]).get("/console/recommendations/level/2042/excellent/").content.decode()
    assert setup["enterprise"].name in city_page and "推荐汇总表 × 6" not in city_page  # the province set none
