"""The application's documents: the commitment form (PDF and DOCX, the notice's text from
``data/commitment-<version>.yaml``; issue it through ``issue_commitment``), the application book as printed (paper equals online: content hash and
verification code in every page's footer) and the submission receipt."""

from __future__ import annotations

import hashlib
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.documents.pdf import render_pdf
from smartfactory.errors import InvalidInput
from smartfactory.organisations.enums import Tier

from . import book as book_rules
from . import content, materials
from .book_entries import entries_of
from .materials import commitment_context
from .models import ApplicationVersion, IssuedCommitment, TierApplication


def commitment_pdf(app: TierApplication) -> bytes:
    """The notice's commitment form, verbatim from the data, signature and date left blank."""
    return render_pdf("applications/commitment_pdf.html", commitment_context(app))


def commitment_docx(app: TierApplication) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    ctx = commitment_context(app)
    document = Document()
    document.core_properties.title = ctx["title"]
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(ctx["title"])
    run.bold = True
    run.font.size = Pt(22)
    body = document.add_paragraph(ctx["text"])
    body.paragraph_format.first_line_indent = Pt(32)
    document.add_paragraph("")
    signature, applicant = ctx["signature_lines"]
    document.add_paragraph(signature)
    document.add_paragraph(f"{applicant}{ctx['enterprise']}")
    document.add_paragraph(ctx["date"])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _book_rows(version: str, tier: str, entries: dict, document: dict) -> list[dict]:
    scenarios = {s["number"]: s for s in document["scenarios"]}
    kpis = {k["id"]: k for k in document.get("kpis", [])}
    levels = {level["id"]: level["name"] for level in document["kpi_benchmark_levels"]}
    out = []
    for section in book_rules.sections(version, tier):
        fields = []
        for f in section["fields"]:
            if f.kind == "scenarios":
                rows = [(scenarios[int(k.split(".")[1])], v) for k, v in sorted(
                    entries.items(), key=lambda kv: int(kv[0].split(".")[1]) if kv[0].startswith("scenario.") else 0)
                    if k.startswith("scenario.") and v]
                fields.append({"label": f.label, "kind": "scenarios", "rows": rows})
            elif f.kind == "kpis":
                rows = [(kpis[k.split(".", 1)[1]], v, levels.get(v.get("benchmark"), ""))
                        for k, v in sorted(entries.items()) if k.startswith("kpi.") and v]
                fields.append({"label": f.label, "kind": "kpis", "rows": rows})
            elif f.kind in ("targets", "milestones"):
                prefix = "target." if f.kind == "targets" else "milestone."
                rows = [v for k, v in sorted(entries.items(), key=lambda kv: kv[0]) if k.startswith(prefix) and v]
                fields.append({"label": f.label, "kind": f.kind, "rows": rows})
            else:
                fields.append({"label": f.label, "kind": f.kind, "value": entries.get(f.entry_key) or ""})
        out.append({"title": section["title"], "fields": fields})
    return out


def _form_rows(app: TierApplication, version: ApplicationVersion | None) -> list[dict]:
    """A 先进级 application has no book (no material checklist in the framework data): its PDF shows
    the application form's fields, as submitted or as they stand."""
    values = (version.content if version is not None else app.content) or {}
    return [{"title": "申报内容", "fields": [{"label": str(label), "kind": kind, "value": values.get(key) or ""}
                                          for key, label, kind, _required in content.fields_for(app.tier)]}]


def version_names(version: ApplicationVersion) -> dict:
    """The applicant's name as submitted in ``version`` (paper copies and /verify/ keep it) and its
    current registered name when a confirmed change has renamed it since (else empty)."""
    now = version.application.factory.enterprise.name
    issued = (version.snapshot.get("enterprise") or {}).get("name") or now
    return {"enterprise_name": issued, "current_name": now if now != issued else ""}


def book_pdf(app: TierApplication, version: ApplicationVersion | None) -> bytes:
    """The book as submitted (``version``) or, for a draft, as it stands (marked 草稿). For the tiers
    without a book (先进级) the application form's fields; it once raised there, a 500 for every
    returned or awarded 先进级 application."""
    if app.tier not in (Tier.EXCELLENT, Tier.LEADING):
        footer = (f"校验码 {version.verification_code} · 第{version.number}版 · SM3 {version.content_hash[:16]}"
                  if version is not None else "草稿 · 未提交，不能作为纸质报送材料")
        return render_pdf("applications/book_pdf.html", {
            "app": app, "tier": Tier(app.tier).label, "sections": _form_rows(app, version),
            "attachments": version.snapshot.get("attachments", []) if version is not None else [
                {"kind": a.kind, "name": a.original_name, "sha256": a.sha256} for a in app.attachments.all()],
            "version": version, "footer_text": footer,
        })
    framework = app.campaign.framework_version
    document = book_rules.document_of(framework)
    if version is not None:
        entries = version.snapshot.get("book", {})
        footer = f"校验码 {version.verification_code} · 第{version.number}版 · SM3 {version.content_hash[:16]}"
        attachments = version.snapshot.get("attachments", [])
    else:
        entries = entries_of(app)
        footer = "草稿 · 未提交，不能作为纸质报送材料"
        attachments = [{"kind": a.kind, "name": a.original_name, "sha256": a.sha256} for a in app.attachments.all()]
    return render_pdf("applications/book_pdf.html", {
        "app": app, "tier": Tier(app.tier).label, "sections": _book_rows(framework, app.tier, entries, document),
        "attachments": attachments, "version": version, "footer_text": footer,
        **(version_names(version) if version is not None else {"enterprise_name": app.factory.enterprise.name}),
    })


def receipt_pdf(app: TierApplication, version: ApplicationVersion) -> bytes:
    return render_pdf("applications/receipt_pdf.html", {
        "app": app, "tier": Tier(app.tier).label, "version": version,
        "submitted_at": timezone.localtime(version.submitted_at),
        "footer_text": f"回执 · 校验码 {version.verification_code}", **version_names(version),
    })


@transaction.atomic
def issue_commitment(app: TierApplication, fmt: str, *, actor) -> bytes:
    """The commitment form as PDF or DOCX for printing and signing. Side effects, in order: its
    SHA-256 recorded (once per distinct file) so that it is refused if uploaded as the signed scan;
    audit event application.commitment_issued the first time a file is issued."""
    if fmt not in materials.FORMATS:
        raise InvalidInput(_("承诺书只能下载 PDF 或 Word 格式。"), field="format")
    data = commitment_pdf(app) if fmt == "pdf" else commitment_docx(app)
    digest = hashlib.sha256(data).hexdigest()
    _issued, created = IssuedCommitment.objects.get_or_create(
        application=app, sha256=digest, defaults={"format": fmt, "issued_by": actor if actor.is_authenticated else None},
    )
    if created:
        record_event("application.commitment_issued", actor=actor, obj=app, after={"format": fmt, "sha256": digest})
    return data
