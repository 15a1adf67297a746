"""Excellent and leading applications: eligibility with every reason, the book (autosave with
optimistic versions), attachments, the confidentiality scan, the commitment, submission with a
snapshot, verification codes that change after a return, and /verify."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from smartfactory.applications import book_entries, exports, services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import ApplicationVersion, Attachment
from smartfactory.applications.workflow import transition
from smartfactory.campaigns.models import ChannelRule
from smartfactory.errors import Conflict, DeadlinePassed, InvalidInput, NotEligible, TransitionNotAllowed
from smartfactory.organisations.enums import AuthorityLevel, LegalStatus, Role
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
    EXCELLENT_DEADLINE,
    attach,
    fill_book,
    text_pdf,
)

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")


# ------------------------------------------------------------------ eligibility
@pytest.mark.rule("R6")
def test_without_advanced_award_excellent_is_refused_with_reasons(setup):
    setup["factory"].tier_awards.filter(tier="advanced").delete()
    with pytest.raises(NotEligible) as exc:
        services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    assert "申报卓越级须已获评先进级" in exc.value.message


@pytest.mark.rule("R16")
def test_leading_without_excellent_is_refused(setup):
    with pytest.raises(NotEligible) as exc:
        services.create_application(setup["factory"], setup["campaign"], tier="leading", actor=setup["user"])
    assert "须已获评卓越级" in exc.value.message
    assert "自评估未达到领航级要素条件" in exc.value.message  # every reason, not only the first


@pytest.mark.rule("R5")
def test_branch_outside_special_industries_is_refused_inside_allowed(setup):
    e = setup["enterprise"]
    e.legal_status, e.parent_uscc, e.industry_id = LegalStatus.BRANCH, f.enterprise("110108").uscc, "34"
    e.save()
    with pytest.raises(NotEligible) as exc:
        services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    assert "法人分支机构仅限" in exc.value.message
    e.industry_id = "32"  # 有色金属冶炼和压延加工业
    e.save()
    assert services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])


@pytest.mark.rule("R21")
def test_province_channel_restricted_to_applicants_registered_there(setup):
    setup["campaign"].recommender_basis = "factory"  # recommended where the factory is: Sichuan's rule applies
    setup["campaign"].save()
    ChannelRule.objects.create(campaign=setup["campaign"], province_code="510000", province_name="四川省",
                               registered_in_province_only=True, basis="川经信智能函〔2025〕319号")
    outsider = f.enterprise("330203")  # registered in Ningbo
    factory = f.factory(outsider)
    factory.county = f.division("510107")  # but its factory is in Chengdu → Sichuan's channel
    factory.save()
    f.award(factory, "advanced", year=2041, by=setup["sichuan"])
    user = f.user("ningbo", role=Role.ENTERPRISE_ADMIN, enterprise=outsider)
    f.self_assessment(factory, setup["campaign"], "excellent")
    with pytest.raises(NotEligible) as exc:
        services.create_application(factory, setup["campaign"], tier="excellent", actor=user)
    assert "四川省仅受理在本省注册的申报主体" in exc.value.message


# ------------------------------------------------------------------ book, scan, submission
def test_book_autosave_sanitises_and_conflicts(setup):
    setup["factory"].address = "成都市武侯区武侯大道1号"
    setup["factory"].save()
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    entry = services.save_entry(app, "part2.overall_situation", "<p onclick='x'>好<script>alert(1)</script></p>",
                                expected_version=0, actor=setup["user"])
    assert entry.value == "<p>好</p>"
    with pytest.raises(Conflict):
        services.save_entry(app, "part2.overall_situation", "<p>旧页面</p>", expected_version=0, actor=setup["user"])
    assert book_entries.entries_of(app)["part1.factory_address"] == "成都市武侯区武侯大道1号"  # prefilled from the profile


@pytest.mark.rule("R9", "P2")
def test_confidential_marking_in_attached_pdf_blocks_submit_naming_file_and_page(setup):
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    fill_book(app, user)
    attach(app, user, Attachment.Kind.CMMM_REPORT, "c3mep.pdf", text_pdf("成熟度三级"))
    attach(app, user, Attachment.Kind.TIER_PROOF, "先进级证书.pdf", text_pdf("此件为机密文件"))
    attach(app, user, Attachment.Kind.COMMITMENT, "承诺书.pdf", exports.commitment_pdf(app))
    with time_machine.travel(BEFORE, tick=False), pytest.raises(NotEligible) as exc:
        transition(app, Action.SUBMIT, actor=user, cooperation=True)
    assert "机密" in exc.value.message and "先进级证书.pdf 第1页" in exc.value.message
    services.set_confidentiality_justification(app, actor=user, text="“机密”为产品型号“机密型”，不涉密。")
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=user, cooperation=True)
    assert app.state == State.IN_REVIEW
    version = ApplicationVersion.objects.get(application=app, number=1)
    assert version.snapshot["book"]["cover.project_name"] == "武侯卓越工厂"
    assert version.snapshot["confidentiality"]["justification"].startswith("“机密”")
    assert len(version.verification_code) == 10 and len(version.content_hash) == 64
    # double submit: refused, still one version
    with time_machine.travel(BEFORE, tick=False), pytest.raises(TransitionNotAllowed):
        transition(app, Action.SUBMIT, actor=user, cooperation=True)
    assert app.versions.count() == 1


def test_pdf_with_javascript_is_refused(setup):
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)  # what a hostile PDF carries
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(InvalidInput) as exc:
        attach(app, setup["user"], Attachment.Kind.OTHER, "a.pdf", buffer.getvalue())
    assert "脚本" in exc.value.message
    with pytest.raises(InvalidInput):
        attach(app, setup["user"], Attachment.Kind.OTHER, "a.pdf", b"<html>not a pdf</html>")
    with pytest.raises(InvalidInput) as exc:
        attach(app, setup["user"], Attachment.Kind.VIDEO, "v.mp4", text_pdf("not a video"))
    assert "MP4" in exc.value.message
    assert not app.attachments.exists()


@pytest.mark.rule("R7")
@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (1, False)])
def test_submission_deadline(setup, offset, allowed):
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    fill_book(app, user)
    for kind in (Attachment.Kind.CMMM_REPORT, Attachment.Kind.TIER_PROOF, Attachment.Kind.COMMITMENT):
        attach(app, user, kind, f"{kind}.pdf", text_pdf(f"正常材料 {kind}"))
    with time_machine.travel(EXCELLENT_DEADLINE + timedelta(seconds=offset), tick=False):
        if allowed:
            assert transition(app, Action.SUBMIT, actor=user, cooperation=True).state == State.IN_REVIEW
        else:
            with pytest.raises(DeadlinePassed):
                transition(app, Action.SUBMIT, actor=user, cooperation=True)


def test_verification_code_changes_after_return_and_verify_page(setup, client, tmp_path):
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    fill_book(app, user)
    for kind in (Attachment.Kind.CMMM_REPORT, Attachment.Kind.TIER_PROOF, Attachment.Kind.COMMITMENT):
        attach(app, user, kind, f"{kind}.pdf", text_pdf(f"正常材料 {kind}"))
    county = f.authority("510107", level=AuthorityLevel.COUNTY)
    reviewer = f.user("rev", role=Role.AUTHORITY_REVIEWER, authority=county)
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=user, cooperation=True)
        first = app.versions.get(number=1).verification_code
        app = transition(app, Action.RETURN, actor=reviewer, reason="补充")
        services.save_entry(app, "part1.revenue", "53000", expected_version=book_entries.entry_versions(app)["part1.revenue"],
                            actor=user)
        app = transition(app, Action.RESUBMIT, actor=user, cooperation=True)
    second = app.versions.get(number=2).verification_code
    assert first != second
    page = client.get(f"/verify/{first}/")
    assert page.status_code == 200 and "已被第2版取代" in page.content.decode()
    body = client.get(f"/verify/{second}/").content.decode()
    assert "最新提交版本" in body and "53000" not in body  # nothing confidential on the public page
    assert client.get("/verify/ZZZZZZZZZZ/").status_code == 404
    pdf = exports.book_pdf(app, app.versions.get(number=2))
    if shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils is required (make test installs it)")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert text.count(f"校验码 {second}") >= 2  # in the footer of every page (and the header table)
    path = tmp_path / "book.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column of every font


def test_commitment_documents(setup):
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    services.set_legal_representative(app, actor=setup["user"], name="李法人")
    pdf = exports.commitment_pdf(app)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    # the notice's form: its title and text, the applicant's name for the seal, signature left blank
    assert "真实性承诺" in text and "卓越级（领航级）" in text and setup["enterprise"].name in text and "李法人" not in text
    from docx import Document

    docx = Document(io.BytesIO(exports.commitment_docx(app)))
    joined = "\n".join(p.text for p in docx.paragraphs)
    assert "真实性承诺" in joined and "李法人" not in joined and "单位法人签字：\n" in joined


def test_generated_commitment_does_not_flag_itself_but_real_markings_do(setup):
    from smartfactory.applications import confidentiality

    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    services.set_legal_representative(app, actor=setup["user"], name="李法人")
    attachment = attach(app, setup["user"], Attachment.Kind.COMMITMENT, "承诺书.pdf", exports.commitment_pdf(app))
    assert attachment.findings == []
    docx = attach(app, setup["user"], Attachment.Kind.OTHER, "承诺书.docx", exports.commitment_docx(app))
    assert docx.findings == []
    # a marking split across lines by the PDF text layer is still found
    found = confidentiality.scan_text("本文件\n机\n密，请勿外传", "x")
    assert [f.term for f in found] == ["机密"]
    assert [f.term for f in confidentiality.scan_text("该资料涉及国家秘密", "x", keywords=("国家秘密",),
                                                      exempt=("不涉及国家秘密",))] == ["国家秘密"]


def test_reviewer_sees_book_changes_after_a_return(setup):
    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=user)
    fill_book(app, user)
    for kind in (Attachment.Kind.CMMM_REPORT, Attachment.Kind.TIER_PROOF, Attachment.Kind.COMMITMENT):
        attach(app, user, kind, f"{kind}.pdf", text_pdf(f"正常 {kind}"))
    county = f.authority("510107", level=AuthorityLevel.COUNTY)
    reviewer = f.user("rev-diff", role=Role.AUTHORITY_REVIEWER, authority=county)
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=user, cooperation=True)
        app = transition(app, Action.RETURN, actor=reviewer, reason="营业收入有误")
        services.save_entry(app, "part1.revenue", "61800", expected_version=book_entries.entry_versions(app)["part1.revenue"],
                            actor=user)
        app = transition(app, Action.RESUBMIT, actor=user, cooperation=True)
    changes = services.changes_since_return(app)
    assert changes == [{"field": "part1.revenue", "label": "上年度营业收入（万元）", "old": "52000", "new": "61800"}]
