"""One upload check everywhere (issue 12, point 10.6): a PDF carrying JavaScript (a name tree or an
open action) or embedded files was refused as an application attachment but accepted as
self-assessment evidence, acceptance evidence and a stamped scan. Each upload path is tried with each
hostile PDF; nothing is stored."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from smartfactory.applications import services as applications
from smartfactory.applications.models import Attachment
from smartfactory.assessments import services as assessments
from smartfactory.cultivation import acceptance as flow
from smartfactory.errors import InvalidInput
from smartfactory.recommendations import services as recommendations
from smartfactory.uploads import MB, PDF_OR_IMAGE, check_upload
from tests import factories as f
from tests.factories.applications import (
    text_pdf,
)
from tests.factories.cultivation import SUMMARY, acceptance_results

pytestmark = pytest.mark.django_db


def _pdf(hostile: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if hostile == "javascript":
        script = writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                      NameObject("/JS"): TextStringObject("app.alert(1)")}))
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), script])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    elif hostile == "open_action":
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert(1)")})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif hostile == "embedded":
        writer.add_attachment("payload.exe", b"MZ\x90\x00")  # /Names /EmbeddedFiles
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


HOSTILE = ("javascript", "open_action", "embedded")


def _hostile_uploads():
    for kind in HOSTILE:
        yield kind, SimpleUploadedFile(f"{kind}.pdf", _pdf(kind), content_type="application/pdf")


def _refused(call) -> None:
    for kind, upload in _hostile_uploads():
        with pytest.raises(InvalidInput) as exc:
            call(upload)
        assert "脚本或嵌入文件" in exc.value.message, kind
        assert exc.value.field == "file"


@pytest.mark.rule("P80")
def test_check_upload_refuses_each_hostile_pdf_and_accepts_a_clean_one():
    _refused(lambda upload: check_upload(upload, types=PDF_OR_IMAGE, max_bytes=20 * MB, type_message="x"))
    clean = SimpleUploadedFile("clean.pdf", _pdf("none"))
    assert check_upload(clean, types=PDF_OR_IMAGE, max_bytes=20 * MB, type_message="x").extension == "pdf"
    assert clean.read(5) == b"%PDF-"  # left at its start, ready to be saved


@pytest.mark.rule("P80")
def test_application_attachment_refuses_hostile_pdfs(setup):  # noqa: F811
    app = applications.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    _refused(lambda upload: applications.attach_file(app, kind=Attachment.Kind.OTHER, upload=upload, actor=setup["user"]))
    assert not app.attachments.exists()


@pytest.mark.rule("P80")
def test_self_assessment_evidence_refuses_hostile_pdfs(setup):  # noqa: F811
    factory = f.factory(setup["enterprise"], name="第二工厂")
    assessment = assessments.start_assessment(factory, setup["campaign"], actor=setup["user"])
    _refused(lambda upload: assessments.attach_evidence(assessment, "cmmm:level", upload, actor=setup["user"]))
    assert not assessment.evidence.exists()


@pytest.mark.rule("P80")
def test_acceptance_evidence_refuses_hostile_pdfs(leading):  # noqa: F811
    x = leading
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    _refused(lambda upload: flow.attach_evidence(a, actor=x["enterprise_user"], target_number=1, upload=upload))
    assert not a.evidence.exists()


@pytest.mark.rule("P80")
def test_stamped_scan_refuses_hostile_pdfs(batch):  # noqa: F811
    b = batch
    _refused(lambda upload: recommendations.attach_scan(b["batch"], kind="letter", upload=upload, actor=b["leader"]))
    assert not b["batch"].scans.exists()
    recommendations.attach_scan(b["batch"], kind="letter", upload=SimpleUploadedFile("l.pdf", text_pdf("盖章")),
                                actor=b["leader"])  # a clean scan still goes through
    assert b["batch"].scans.count() == 1
