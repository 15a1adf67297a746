"""Self-assessment: autosave with optimistic versions (409 on a stale save), scoring, evidence,
basic declaration into the tier history, and scope."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from smartfactory.assessments import questionnaire, services
from smartfactory.assessments.models import Answer, BasicDeclaration
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import CampaignStatus, Stage
from smartfactory.campaigns.models import Campaign, StageDeadline
from smartfactory.campaigns.services import framework_spec_for
from smartfactory.errors import Conflict, DeadlinePassed, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import AuthorityLevel, Role
from smartfactory.organisations.models import TierAward
from tests import factories as f

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
DEADLINE = datetime(2040, 7, 18, 23, 59, 59, tzinfo=BJ)



@pytest.fixture
def setup():
    campaign = Campaign.objects.create(year=2040, name="2040年度", framework_version="2025",
                                       tiers_open=["basic", "advanced"], status=CampaignStatus.OPEN)
    StageDeadline.objects.create(campaign=campaign, stage=Stage.ENTERPRISE_SUBMISSION, deadline=DEADLINE)
    enterprise = f.enterprise("510107")
    factory = f.factory(enterprise)
    user = f.user("filler", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    assessment = services.start_assessment(factory, campaign, actor=user)
    return {"campaign": campaign, "enterprise": enterprise, "factory": factory, "user": user, "assessment": assessment}


def fill_basic_level(assessment, user, *, built=(24,)):
    """Answer every required item so that the factory attains 基础级."""
    spec = framework_spec_for(assessment.campaign)
    for item in questionnaire.items_for(spec):
        if item.key.startswith("br:"):
            value = True
        elif item.key == "cmmm:level":
            value = "2"
        elif item.key == "kpi:level":
            value = "above_provincial_average"
        elif item.key.endswith(":built"):
            value = int(item.key.split(":")[1]) in built
        elif item.key.endswith(":ai") and int(item.key.split(":")[1]) in built:
            value = False
        else:
            continue
        current = services.versions_of(assessment).get(item.key, 0)
        services.save_answer(assessment, item.key, value, expected_version=current, actor=user)


def test_two_stale_saves_of_the_same_answer_get_409_with_current_value(setup, client_for):
    a, user = setup["assessment"], setup["user"]
    colleague = f.user("colleague", role=Role.ENTERPRISE_MEMBER, enterprise=setup["enterprise"])
    url = f"/portal/assessments/{a.id}/answers/cmmm:level/"
    # both pages loaded with no answer (version 0); the first save wins
    first = client_for(user).post(url, {"value": "3", "version": "0"})
    assert first.status_code == 200
    stale = client_for(colleague).post(url, {"value": "2", "version": "0"})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert 'value="3" selected' in body and 'name="version" value="1"' in body
    assert "已被他人修改" in body
    # the second user saves again from the (now current) version 1: accepted
    assert client_for(colleague).post(url, {"value": "2", "version": "1"}).status_code == 200
    # the first user's page still shows version 1: their next save is stale too
    again = client_for(user).post(url, {"value": "4", "version": "1"})
    assert again.status_code == 409
    answer = Answer.objects.get(assessment=a, key="cmmm:level")
    assert (answer.value, answer.version) == ("2", 2)


def test_service_conflict_carries_current_value(setup):
    a, user = setup["assessment"], setup["user"]
    services.save_answer(a, "br:BR1", True, expected_version=0, actor=user)
    with pytest.raises(Conflict) as exc:
        services.save_answer(a, "br:BR1", False, expected_version=0, actor=user)
    assert exc.value.details["current_version"] == 1
    assert Answer.objects.get(assessment=a, key="br:BR1").value is True


def test_bad_values_are_refused(setup, client_for):
    a = setup["assessment"]
    client = client_for(setup["user"])
    assert client.post(f"/portal/assessments/{a.id}/answers/cmmm:level/", {"value": "7", "version": "0"}).status_code == 422
    assert client.post(f"/portal/assessments/{a.id}/answers/kpi:rd_cycle:before/",
                       {"value": "abc", "version": "0"}).status_code == 422
    assert client.post(f"/portal/assessments/{a.id}/answers/nope/", {"value": "1", "version": "0"}).status_code == 404
    assert not Answer.objects.filter(assessment=a).exists()


def test_progress_and_verdict_follow_answers(setup):
    a, user = setup["assessment"], setup["user"]
    spec = framework_spec_for(a.campaign)
    items = questionnaire.items_for(spec)
    assert questionnaire.progress(items, {})["basic"]["answered"] == 0
    fill_basic_level(a, user)
    answers = services.answers_of(a)
    progress = questionnaire.progress(items, answers)
    assert all(s["percent"] == 100 for s in progress.values())
    a.refresh_from_db()
    assert a.attained_tier == "basic"
    assert a.verdict["complete"] is True
    assert a.verdict["next_tier"] == "advanced"
    assert "COV-advanced" in {g["rule"] for g in a.verdict["gaps"]}


def test_declaration_freezes_and_writes_tier_history(setup, client_for):
    a, user = setup["assessment"], setup["user"]
    fill_basic_level(a, user)
    with time_machine.travel(DEADLINE - timedelta(seconds=1), tick=False):
        response = client_for(user).post(f"/portal/assessments/{a.id}/declare/")
    assert response.status_code == 302
    declaration = BasicDeclaration.objects.get(assessment=a)
    assert services.verify_declaration(declaration)
    assert declaration.snapshot["answers"]["cmmm:level"] == "2"
    award = TierAward.objects.get(factory=setup["factory"], year=2040)
    assert award.tier == "basic" and award.authority is None
    assert AuditEvent.objects.filter(action="assessment.basic_declared", object_id=str(a.id)).exists()
    with pytest.raises(TransitionNotAllowed):
        services.save_answer(a, "cmmm:level", "3", expected_version=1, actor=user)
    with pytest.raises(TransitionNotAllowed):
        services.declare_basic(a, actor=user)


@pytest.mark.rule("P25")
@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (0, False), (1, False)])
def test_declaration_deadline_boundary(setup, offset, allowed):
    a, user = setup["assessment"], setup["user"]
    fill_basic_level(a, user)
    with time_machine.travel(DEADLINE + timedelta(seconds=offset), tick=False):
        if allowed:
            services.declare_basic(a, actor=user)
        else:
            with pytest.raises(DeadlinePassed):
                services.declare_basic(a, actor=user)
    assert BasicDeclaration.objects.filter(assessment=a).exists() is allowed


@pytest.mark.rule("R2")
def test_incomplete_or_unmet_cannot_declare(setup):
    a, user = setup["assessment"], setup["user"]
    services.save_answer(a, "br:BR1", True, expected_version=0, actor=user)
    with pytest.raises(NotEligible) as exc:
        services.declare_basic(a, actor=user)
    assert "尚未填写完整" in exc.value.message
    fill_basic_level(a, user, built=())
    with pytest.raises(NotEligible) as exc:
        services.declare_basic(a, actor=user)
    assert "未达到基础级" in exc.value.message


@pytest.mark.rule("R2")
def test_enterprise_not_above_designated_size_cannot_declare_basic(setup):
    a, user, enterprise = setup["assessment"], setup["user"], setup["enterprise"]
    fill_basic_level(a, user)
    enterprise.above_designated_size = False
    enterprise.save(update_fields=["above_designated_size"])
    with time_machine.travel(DEADLINE - timedelta(seconds=1), tick=False), pytest.raises(NotEligible) as exc:
        services.declare_basic(a, actor=user)
    assert exc.value.field == "above_designated_size" and "规模以上" in exc.value.message
    assert not BasicDeclaration.objects.filter(assessment=a).exists()
    assert not TierAward.objects.filter(factory=setup["factory"], year=2040).exists()


def test_other_enterprise_and_authorities_cannot_edit_or_open(setup, client_for):
    a = setup["assessment"]
    outsider = f.user("outsider", role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("510104"))
    assert client_for(outsider).get(f"/portal/assessments/{a.id}/").status_code == 404
    assert client_for(outsider).post(f"/portal/assessments/{a.id}/answers/br:BR1/",
                                     {"value": "true", "version": "0"}).status_code == 404
    county = f.authority("510107", level=AuthorityLevel.COUNTY)
    reviewer = f.user("reviewer", role=Role.AUTHORITY_REVIEWER, authority=county)
    assert client_for(reviewer).get(f"/portal/assessments/{a.id}/result/").status_code == 200  # in scope: may read
    with pytest.raises(NotPermitted):
        services.save_answer(a, "br:BR1", True, expected_version=0, actor=reviewer)


def test_evidence_is_sniffed_by_content_and_downloaded_in_scope(setup, client_for):
    a, user = setup["assessment"], setup["user"]
    client = client_for(user)
    fake = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    client.post(f"/portal/assessments/{a.id}/evidence/cmmm:level/", {"file": fake})
    assert not a.evidence.exists()
    pdf = SimpleUploadedFile("c3mep报告.pdf", f.real_pdf(), content_type="text/plain")
    client.post(f"/portal/assessments/{a.id}/evidence/cmmm:level/", {"file": pdf})
    evidence = a.evidence.get()
    assert evidence.content_type == "application/pdf" and evidence.original_name == "c3mep报告.pdf"
    assert not evidence.file.name.endswith("报告.pdf")  # stored under a random name
    download = client.get(f"/portal/assessments/{a.id}/evidence/{evidence.id}/download/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    outsider = f.user("outsider2", role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("510104"))
    assert client_for(outsider).get(f"/portal/assessments/{a.id}/evidence/{evidence.id}/download/").status_code == 404


def test_report_pdf_embeds_fonts_and_shows_the_result(setup, client_for, tmp_path):
    import shutil
    import subprocess

    a, user = setup["assessment"], setup["user"]
    fill_basic_level(a, user)
    response = client_for(user).get(f"/portal/assessments/{a.id}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    if shutil.which("pdffonts") is None:
        pytest.fail("poppler-utils is required (make test installs it)")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "智能工厂自评估报告" in text and "基础级" in text and setup["factory"].name in text
    assert "在线智能检测" in text  # the built scenario


def test_authority_lists_and_exports_declarations_in_scope(setup, client_for):
    import io

    from openpyxl import load_workbook

    a, user = setup["assessment"], setup["user"]
    fill_basic_level(a, user)
    with time_machine.travel(DEADLINE - timedelta(days=1)):
        services.declare_basic(a, actor=user)
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE)
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan)
    city_user = f.user("cd", role=Role.AUTHORITY_REVIEWER, authority=chengdu)
    other = f.user("hz", role=Role.AUTHORITY_REVIEWER, authority=f.authority("330100", level=AuthorityLevel.CITY))
    page = client_for(city_user).get("/console/declarations/")
    assert setup["factory"].name in page.content.decode()
    assert setup["factory"].name not in client_for(other).get("/console/declarations/").content.decode()
    export = client_for(city_user).get("/console/declarations/", {"format": "xlsx", "year": "2040"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    assert header[:3] == ("年度", "企业名称", "统一社会信用代码")
    assert rows[2][1] == setup["enterprise"].name and rows[2][6] == "基础级"
    empty = client_for(other).get("/console/declarations/", {"format": "xlsx"})
    other_rows = list(load_workbook(io.BytesIO(empty.content)).active.iter_rows(values_only=True))
    assert not any(setup["enterprise"].name in (row[1] or "") for row in other_rows[2:])
