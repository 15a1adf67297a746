"""Issue 12 point 6: the commitment is the notice's text and comes back as a scan (R8), one file is
one material (P30), the undertaking to cooperate is acknowledged at each submission (R23), and the
confidentiality scan reads XLSX cells, DOCX headers and footers, file names, images and scanned PDF
pages (OCR with tesseract chi_sim), flagging 需人工核查 where it cannot read (R9)."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
import time_machine
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from smartfactory.applications import book_entries, exports, materials, services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import Attachment, IssuedCommitment
from smartfactory.applications.workflow import transition
from smartfactory.audit.models import AuditEvent
from smartfactory.errors import InvalidInput, NotEligible
from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
    attach,
    fill_book,
    text_pdf,
)

pytestmark = pytest.mark.django_db
NOTICE = yaml.safe_load((materials.DATA_DIR / "commitment-2025.yaml").read_text(encoding="utf-8"))
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def text_png(text: str, *, size: tuple[int, int] = (900, 220)) -> bytes:
    """A picture of black Chinese text on white, as a phone photo or scan of a page would carry."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((40, 60), text, fill="black", font=ImageFont.truetype(FONT, 72, index=2))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def scanned_pdf(text: str) -> bytes:
    """A PDF whose page is only an image (no text layer), as a scanner produces."""
    from PIL import Image

    image = Image.open(io.BytesIO(text_png(text, size=(1200, 500)))).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=150)
    return buffer.getvalue()


def signed_scan(app) -> bytes:
    """Stands for the signed and stamped paper: a picture, not the generated file."""
    return text_png(f"承诺 {app.id.hex[:6]}", size=(600, 200))


def ready(setup):
    """A complete draft: the book, the legal representative and three distinct required files."""
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    fill_book(app, user)
    attach(app, user, Attachment.Kind.CMMM_REPORT, "cmmm.pdf", text_pdf("成熟度三级"))
    attach(app, user, Attachment.Kind.TIER_PROOF, "证书.pdf", text_pdf("先进级证书"))
    attach(app, user, Attachment.Kind.COMMITMENT, "承诺书扫描件.png", signed_scan(app))
    return app


# ------------------------------------------------------------------ R8: the commitment
@pytest.mark.rule("R8")
def test_commitment_is_the_notices_text_with_signature_and_date_blank(setup):
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    services.set_legal_representative(app, actor=setup["user"], name="李法人")
    pdf = exports.issue_commitment(app, "pdf", actor=setup["user"])
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = re.sub(r"\s+", "", text)
    assert NOTICE["commitment"]["text"] in flat  # verbatim, the tier not substituted
    assert "我单位申报卓越级（领航级）智能工厂的所有材料" in flat
    assert "李法人" not in flat  # the signature is the legal representative's, by hand
    assert "单位法人签字：申报单位名称（盖章）：" + setup["enterprise"].name + "2042年月日" in flat
    assert "配合" not in flat and "国家秘密" not in flat  # R23 is a separate acknowledgement
    from docx import Document

    docx = Document(io.BytesIO(exports.issue_commitment(app, "docx", actor=setup["user"])))
    paragraphs = [p.text for p in docx.paragraphs]
    assert NOTICE["commitment"]["text"] in paragraphs
    assert "单位法人签字：" in paragraphs and "2042年　　月　　日" in paragraphs
    assert set(IssuedCommitment.objects.filter(application=app).values_list("format", flat=True)) == {"pdf", "docx"}
    assert AuditEvent.objects.filter(action="application.commitment_issued").count() == 2


@pytest.mark.rule("R8")
def test_generated_commitment_is_refused_as_the_signed_scan(setup):
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    for fmt in ("pdf", "docx"):
        generated = exports.issue_commitment(app, fmt, actor=user)
        with pytest.raises(InvalidInput) as exc:
            attach(app, user, Attachment.Kind.COMMITMENT, f"承诺书-签字盖章.{fmt}", generated)
        assert "平台生成的承诺书原稿" in exc.value.message or "扫描件（PDF、JPG 或 PNG）" in exc.value.message
    # the generated file of another application is the platform's too
    other = f.factory(setup["enterprise"], name="二号工厂")
    f.award(other, "advanced", year=2041, by=setup["sichuan"])
    from smartfactory.assessments.models import SelfAssessment

    assessment = SelfAssessment.objects.get(factory=setup["factory"])
    SelfAssessment.objects.create(factory=other, campaign=setup["campaign"], framework_version="2025",
                                  facts=assessment.facts, verdict=assessment.verdict, attained_tier="excellent")
    second = services.create_application(other, setup["campaign"], tier="excellent", actor=user)
    with pytest.raises(InvalidInput):
        attach(second, user, Attachment.Kind.COMMITMENT, "承诺书.pdf", exports.issue_commitment(app, "pdf", actor=user))
    # an XLSX or DOCX is no scan, whoever made it
    with pytest.raises(InvalidInput) as exc:
        attach(app, user, Attachment.Kind.COMMITMENT, "承诺书.docx", _docx(body="承诺"))
    assert "扫描件" in exc.value.message
    assert not Attachment.objects.exists()
    scan = attach(app, user, Attachment.Kind.COMMITMENT, "承诺书扫描件.png", signed_scan(app))
    assert scan.kind == Attachment.Kind.COMMITMENT


@pytest.mark.rule("R8")
def test_generated_commitment_downloaded_from_the_page_is_refused_by_the_api(setup, client_for):
    client = client_for(setup["user"])
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    downloaded = client.get(f"/portal/applications/{app.id}/commitment.pdf")
    assert downloaded.status_code == 200
    data = b"".join(downloaded.streaming_content) if downloaded.streaming else downloaded.content
    response = client.post(f"/api/v1/applications/{app.id}/attachments",
                           {"kind": "commitment", "file": SimpleUploadedFile("scan.pdf", data)})
    assert response.status_code == 422, response.content
    assert "平台生成的承诺书原稿" in response.json()["message"]
    assert client.get(f"/portal/applications/{app.id}/commitment.txt").status_code == 404
    stranger = f.user("stranger", role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("510104"))
    assert client_for(stranger).get(f"/portal/applications/{app.id}/commitment.pdf").status_code == 404


@pytest.mark.rule("R8")
def test_commitment_pdf_that_is_no_scan_is_flagged_for_the_reviewer(setup):
    """The generated form saved again (its hash changed) is not recognised by the hash; a PDF with a
    text layer and no image is not what a scanner makes, so the reviewer is asked to look."""
    from pypdf import PdfReader, PdfWriter

    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(exports.issue_commitment(app, "pdf", actor=user))))
    writer.add_metadata({"/Producer": "打印为PDF"})
    buffer = io.BytesIO()
    writer.write(buffer)
    resaved = attach(app, user, Attachment.Kind.COMMITMENT, "承诺书.pdf", buffer.getvalue())
    assert resaved.manual_check.startswith("承诺书 PDF 只有文字层、没有图像")
    services.remove_attachment(resaved, actor=user)
    scanned = attach(app, user, Attachment.Kind.COMMITMENT, "承诺书扫描.pdf", scanned_pdf("承诺 签字 盖章"))
    assert scanned.manual_check == ""
    other = attach(app, user, Attachment.Kind.OTHER, "说明.pdf", text_pdf("说明"))  # only the commitment is a scan
    assert other.manual_check == ""


# ------------------------------------------------------------------ P30: one file, one material
@pytest.mark.rule("P30")
def test_the_same_file_cannot_stand_for_two_materials(setup, client_for):
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    report = text_pdf("成熟度三级")
    attach(app, user, Attachment.Kind.CMMM_REPORT, "cmmm.pdf", report)
    with pytest.raises(InvalidInput) as exc:
        attach(app, user, Attachment.Kind.TIER_PROOF, "证书.pdf", report)
    assert "已作为“智能制造能力成熟度自评估报告”上传（cmmm.pdf）" in exc.value.message
    response = client_for(user).post(f"/api/v1/applications/{app.id}/attachments",
                                     {"kind": "other", "file": SimpleUploadedFile("again.pdf", report)})
    assert response.status_code == 422
    assert list(app.attachments.values_list("original_name", flat=True)) == ["cmmm.pdf"]
    attach(app, user, Attachment.Kind.TIER_PROOF, "证书.pdf", text_pdf("先进级证书"))  # another file is fine
    assert app.attachments.count() == 2


@pytest.mark.rule("P30", "R8")
def test_submission_rechecks_the_stored_files(setup):
    """Two uploads of one file at the same moment both pass the upload check; files stored before
    the checks existed never had them. Submission looks again."""
    user = setup["user"]
    app = ready(setup)
    report = app.attachments.get(kind=Attachment.Kind.CMMM_REPORT)
    twin = Attachment.objects.create(application=app, kind=Attachment.Kind.OTHER, original_name="副本.pdf",
                                     content_type="application/pdf", size=report.size, sha256=report.sha256)
    with time_machine.travel(BEFORE, tick=False), pytest.raises(NotEligible) as exc:
        transition(app, Action.SUBMIT, actor=user, cooperation=True)
    assert "是同一文件" in exc.value.message
    twin.delete()
    scan = app.attachments.get(kind=Attachment.Kind.COMMITMENT)
    IssuedCommitment.objects.create(application=app, format="pdf", sha256=scan.sha256)
    with time_machine.travel(BEFORE, tick=False), pytest.raises(NotEligible) as exc:
        transition(app, Action.SUBMIT, actor=user, cooperation=True)
    assert "不是签字盖章的真实性承诺书扫描件" in exc.value.message
    IssuedCommitment.objects.filter(application=app).delete()
    with time_machine.travel(BEFORE, tick=False):
        assert transition(app, Action.SUBMIT, actor=user, cooperation=True).state == State.IN_REVIEW


# ------------------------------------------------------------------ R23: cooperation acknowledged
@pytest.mark.rule("R23")
def test_cooperation_is_acknowledged_at_each_submission_and_recorded_with_the_version(setup):
    user = setup["user"]
    app = ready(setup)
    with time_machine.travel(BEFORE, tick=False), pytest.raises(NotEligible) as exc:
        transition(app, Action.SUBMIT, actor=user)
    assert NOTICE["cooperation"]["acknowledgement"] in exc.value.message
    assert app.versions.count() == 0
    county = f.authority("510107", level=AuthorityLevel.COUNTY)
    reviewer = f.user("rev-r23", role=Role.AUTHORITY_REVIEWER, authority=county)
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=user, cooperation=True)
        app = transition(app, Action.RETURN, actor=reviewer, reason="补充材料")
        with pytest.raises(NotEligible):
            transition(app, Action.RESUBMIT, actor=user)  # acknowledged again, for the new version
        app = transition(app, Action.RESUBMIT, actor=user, cooperation=True)
    for version in app.versions.all():
        record = version.snapshot["cooperation"]
        assert record["text"] == NOTICE["cooperation"]["acknowledgement"]
        assert record["acknowledged_by"] == user.username and record["acknowledged_at"].startswith("2042-07-01")
    assert app.versions.count() == 2


@pytest.mark.rule("R23")
def test_cooperation_through_the_page_and_the_api_and_shown_to_the_reviewer(setup, client_for):
    user = setup["user"]
    app = ready(setup)
    client = client_for(user)
    page = client.get(f"/portal/applications/{app.id}/").content.decode()
    assert 'name="cooperation"' in page and NOTICE["cooperation"]["acknowledgement"] in page
    with time_machine.travel(BEFORE, tick=False):
        client = client_for(user)  # a session started at that time (idle sessions expire)
        refused = client.post(f"/portal/applications/{app.id}/submit/", follow=True)
        assert "提交前请勾选确认" in refused.content.decode()
        response = client.post(f"/api/v1/applications/{app.id}/submit", {}, content_type="application/json")
        assert response.status_code == 409 and "提交前请勾选确认" in response.json()["message"]
        response = client.post(f"/api/v1/applications/{app.id}/submit", {"cooperation_acknowledged": True},
                               content_type="application/json")
    assert response.status_code == 200, response.content
    version = response.json()["versions"][0]
    assert version["cooperation"]["text"] == NOTICE["cooperation"]["acknowledgement"]
    county = f.authority("510107", level=AuthorityLevel.COUNTY)
    reviewer = f.user("rev-view", role=Role.AUTHORITY_REVIEWER, authority=county)
    detail = client_for(reviewer).get(f"/console/applications/{app.id}/").content.decode()
    assert "提交时已确认" in detail and NOTICE["cooperation"]["acknowledgement"] in detail


# ------------------------------------------------------------------ R9: what the scan reads
def _docx(*, body: str = "", header: str = "", footer: str = "") -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(body)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(rows: list[list[str]], *, title: str = "设备清单") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.rule("R9")
def test_scan_reads_xlsx_cells_and_docx_headers_and_footers(setup):
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    sheet = attach(app, user, Attachment.Kind.OTHER, "设备.xlsx", _xlsx([["设备", "型号"], ["数控机床", "内部资料"]]))
    assert [(x["term"], x["place"]) for x in sheet.findings] == [("内部", "附件 设备.xlsx 工作表“设备清单” B2")]
    document = attach(app, user, Attachment.Kind.OTHER, "方案.docx", _docx(body="正文", header="秘密★5年", footer="正常页脚"))
    assert {x["place"] for x in document.findings} == {"附件 方案.docx 第1节页眉"}
    assert {x["term"] for x in document.findings} == {"秘密", "★"}
    clean = attach(app, user, Attachment.Kind.OTHER, "清单.xlsx", _xlsx([["一切正常"]], title="汇总"))
    assert clean.findings == [] and clean.manual_check == ""


@pytest.mark.rule("R9")
def test_scan_reads_images_and_scanned_pdf_pages_with_ocr_and_every_file_name(setup):
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    photo = attach(app, user, Attachment.Kind.OTHER, "现场照片.png", text_png("绝密资料"))
    assert ("绝密", "附件 现场照片.png（文字识别）") in {(x["term"], x["place"]) for x in photo.findings}
    assert photo.manual_check == ""
    scanned = attach(app, user, Attachment.Kind.OTHER, "扫描件.pdf", scanned_pdf("机密文件"))
    assert ("机密", "附件 扫描件.pdf 第1页（文字识别）") in {(x["term"], x["place"]) for x in scanned.findings}
    named = attach(app, user, Attachment.Kind.OTHER, "机密图纸.png", text_png("普通图纸"))
    assert [(x["term"], x["place"]) for x in named.findings] == [("机密", "附件文件名 机密图纸.png")]
    event = AuditEvent.objects.filter(action="application.attachment_added").order_by("-seq").first()
    assert event.after["ocr_pages"] == 1
    findings = book_entries.scan(app)
    assert {x["place"] for x in findings} >= {"附件 现场照片.png（文字识别）", "附件 扫描件.pdf 第1页（文字识别）"}


@pytest.mark.rule("R9")
def test_file_that_cannot_be_read_is_flagged_for_the_reviewer(setup, settings, client_for):
    user = setup["user"]
    app = ready(setup)
    settings.OCR_TESSERACT_CMD = "/nonexistent/tesseract"  # a server without tesseract-ocr
    photo = attach(app, user, Attachment.Kind.OTHER, "机房照片.jpg", _jpeg(text_png("机房")))
    assert photo.manual_check == "服务器未安装文字识别程序（tesseract-ocr）"
    settings.OCR_TESSERACT_CMD = "tesseract"
    settings.OCR_TIMEOUT_SECONDS = 0
    slow = attach(app, user, Attachment.Kind.OTHER, "扫描页.pdf", scanned_pdf("正常"))
    assert slow.manual_check == "文字识别超时"
    settings.OCR_TIMEOUT_SECONDS = 60
    settings.OCR_MAX_PAGES = 0
    many = attach(app, user, Attachment.Kind.OTHER, "长扫描件.pdf", scanned_pdf("很多页"))
    assert many.manual_check.startswith("无文字层的页面过多")
    # not a refusal: the reviewer checks these files by hand
    with time_machine.travel(BEFORE, tick=False):
        response = client_for(user).post(f"/api/v1/applications/{app.id}/submit", {"cooperation_acknowledged": True},
                                         content_type="application/json")
    assert response.status_code == 200, response.content
    flagged = {a["name"]: a["manual_check"] for a in response.json()["attachments"] if a["manual_check"]}
    assert set(flagged) == {"机房照片.jpg", "扫描页.pdf", "长扫描件.pdf"}
    recorded = app.versions.get(number=1).snapshot["attachments"]
    assert {a["name"] for a in recorded if a["manual_check"]} == set(flagged)  # kept with the version
    county = f.authority("510107", level=AuthorityLevel.COUNTY)
    reviewer = f.user("rev-manual", role=Role.AUTHORITY_REVIEWER, authority=county)
    detail = client_for(reviewer).get(f"/console/applications/{app.id}/").content.decode()
    assert detail.count('data-testid="manual-check"') == 3 and "需人工核查：文字识别超时" in detail


def _jpeg(png: bytes) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def test_generated_commitment_renders_for_a_draft_without_legal_representative(setup):
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    assert exports.commitment_pdf(app)[:5] == b"%PDF-"
