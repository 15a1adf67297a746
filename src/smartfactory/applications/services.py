"""Creating and editing applications (drafts and returned ones). State changes: ``workflow.transition``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import Tier
from smartfactory.uploads import MB, check_upload
from smartfactory.versioning import save_versioned

from . import book, confidentiality, materials
from . import content as content_rules
from .book_entries import exempt_for, keywords_for
from .eligibility import reasons_not_eligible
from .enums import BOOK_TIERS, State
from .models import Attachment, BookEntry, TierApplication
from .recommender import recommender_for
from .workflow import is_applicant, transition

EDITABLE_STATES = {State.DRAFT, State.RETURNED}


@transaction.atomic
def create_application(factory, campaign, *, tier: str, actor) -> TierApplication:
    """Opens a draft. Side effects: audit event application.create."""
    from smartfactory.organisations.rules import is_enterprise_user_of

    if not is_enterprise_user_of(actor, factory.enterprise):
        raise NotPermitted()
    if tier not in BOOK_TIERS and tier not in content_rules.FIELDS:
        raise TransitionNotAllowed(_("暂不支持在线申报%(t)s。") % {"t": Tier(tier).label})
    reasons = reasons_not_eligible(factory, campaign, tier)
    if reasons:
        raise NotEligible("；".join(reasons), reasons=reasons)
    try:
        with transaction.atomic():
            app = TierApplication.objects.create(
                factory=factory, campaign=campaign, tier=tier, created_by=actor,
                province_code=recommender_for(factory.enterprise, factory, campaign, tier).province_code,
            )
    except IntegrityError:
        raise Conflict(_("该工厂本年度已有进行中的%(t)s申报。") % {"t": Tier(tier).label}) from None
    if tier in BOOK_TIERS:
        for field in book.fields_by_key(campaign.framework_version, tier).values():
            value = book.prefill(field, factory)
            if value:
                BookEntry.objects.create(application=app, key=field.entry_key, value=value, updated_by=actor)
    record_event("application.create", actor=actor, obj=app, after={"tier": tier, "campaign": campaign.year})
    return app


@transaction.atomic
def update_content(app: TierApplication, *, actor, data: dict) -> TierApplication:
    """The applicant edits a draft or a returned application. Side effects: content saved; audit
    event application.edit listing the changed fields."""
    app = TierApplication.objects.select_for_update(of=("self",)).select_related("factory__enterprise").get(pk=app.pk)
    if not is_applicant(actor, app):
        raise NotPermitted()
    if app.state not in EDITABLE_STATES:
        raise TransitionNotAllowed(_("申报已提交，不能修改；如被退回可修改后重新提交。"))
    cleaned = content_rules.clean(app.tier, data)
    changed = content_rules.diff(app.tier, app.content, {**app.content, **cleaned})
    app.content = {**app.content, **cleaned}
    app.save(update_fields=["content", "updated_at"])
    if changed:
        record_event("application.edit", actor=actor, obj=app, after={"fields": [c["field"] for c in changed]})
    return app


def changes_since_return(app: TierApplication) -> list[dict]:
    """What the enterprise changed after the last return: the version the returning reviewer saw
    against the current (resubmitted) version — the form for the advanced tier, the book entries
    (from the versions' snapshots) for the excellent and leading tiers."""
    returned = app.reviews.filter(decision="return").order_by("-created_at", "-pk").first()
    if returned is None:
        return []
    versions = {v.number: v for v in app.versions.all()}
    old, new = versions.get(returned.version_reviewed), versions.get(app.version)
    if old is None or new is None:
        return []
    if app.tier not in BOOK_TIERS:
        return content_rules.diff(app.tier, old.content, new.content)
    labels = {key: f"{f.label}" for key, f in book.fields_by_key(app.campaign.framework_version, app.tier).items()}
    before, after = old.snapshot.get("book", {}), new.snapshot.get("book", {})

    def text(value) -> str:
        if isinstance(value, dict):
            return "；".join(f"{k}：{v}" for k, v in value.items())
        return "" if value is None else str(value)

    return [
        {"field": key, "label": labels.get(key, key), "old": text(before.get(key)), "new": text(after.get(key))}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


# ------------------------------------------------------------------ the application book


def _editable(app: TierApplication, actor) -> None:
    if not is_applicant(actor, app):
        raise NotPermitted()
    if app.state not in EDITABLE_STATES:
        raise TransitionNotAllowed(_("申报已提交，不能修改；如被退回可修改后重新提交。"))


def latest_milestone_date(app: TierApplication):
    """Cultivation lasts at most two years from the list's publication; at application time the
    bound is two years after the campaign's year end."""
    from datetime import date

    return date(app.campaign.year + 2, 12, 31)


def save_entry(app: TierApplication, key: str, raw, *, expected_version: int, actor):
    """Autosave one book entry (``raw``: a value, or a dict of a row's fields). A save based on an
    older version is refused with Conflict carrying the current value (nothing silently
    overwritten). Not audited per save; the submission snapshot records the book."""
    _editable(app, actor)
    version = app.campaign.framework_version
    fields = book.fields_by_key(version, app.tier)
    document = book.document_of(version)
    if key in fields:
        value = book.clean_field(fields[key], raw)
    elif book.valid_row_key(key, document):
        value = book.clean_row(key, raw if isinstance(raw, dict) else {}, document,
                               latest_milestone=latest_milestone_date(app))
    else:
        raise InvalidInput(_("未知的申报书栏目：%(k)s") % {"k": key}, field=key)
    return save_versioned(
        BookEntry, lookup={"application": app, "key": key}, key_field="key", value=value,
        expected_version=expected_version, actor=actor,
        stale_message=_("该栏目已被他人修改（当前为第%(v)d版），页面已显示最新内容，请核对后再保存。"),
    )


@transaction.atomic
def set_legal_representative(app: TierApplication, *, actor, name: str) -> TierApplication:
    _editable(app, actor)
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput(_("请填写法定代表人姓名。"), field="legal_representative")
    before = app.legal_representative
    app.legal_representative = name
    app.save(update_fields=["legal_representative", "updated_at"])
    record_event("application.legal_representative", actor=actor, obj=app, before={"name": before}, after={"name": name})
    return app


@transaction.atomic
def set_confidentiality_justification(app: TierApplication, *, actor, text: str) -> TierApplication:
    _editable(app, actor)
    app.confidentiality_justification = (text or "").strip()[:2000]
    app.save(update_fields=["confidentiality_justification", "updated_at"])
    record_event("application.confidentiality_justified", actor=actor, obj=app,
                 after={"justification": app.confidentiality_justification})
    return app


# ------------------------------------------------------------------ attachments
ALLOWED_TYPES = {
    "application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
VIDEO_TYPES = {"video/mp4": "mp4"}
SCANNED_TYPES = set(ALLOWED_TYPES)  # read for the confidentiality scan (not the video)


def _limit_mb(app: TierApplication, kind: str) -> int:
    limits = book.document_of(app.campaign.framework_version).get("attachment_limits_mb", {})
    return int(limits.get("video" if kind == Attachment.Kind.VIDEO else "default", 20))


def attach_file(app: TierApplication, *, kind: str, upload, actor) -> Attachment:
    """Checks type by content (the factory video must be MP4; the signed commitment a PDF, JPG or
    PNG scan that is not the platform's generated form; other kinds PDF, JPG, PNG, XLSX, DOCX), size
    against the data's limit, that the same file is not attached twice, refuses PDFs with
    JavaScript or embedded files, stores the file under a random name with its SHA-256, the
    confidentiality findings of its text (OCR for images and scanned pages) and, when it could not
    be read, why it needs a person's check (需人工核查). The scan (OCR may take up to
    ``OCR_TIMEOUT_SECONDS``) runs before the transaction, so no lock is held while it reads.
    Side effects, in one transaction under the application's row lock (parallel uploads of one file
    serialise): the stored file and row; audit event application.attachment_added."""
    _editable(app, actor)
    if kind not in Attachment.Kind.values:
        raise InvalidInput(_("未知的附件类别。"), field="kind")
    allowed = VIDEO_TYPES if kind == Attachment.Kind.VIDEO else ALLOWED_TYPES
    expected = "MP4" if kind == Attachment.Kind.VIDEO else "PDF、JPG、PNG、XLSX、DOCX"
    checked = check_upload(upload, types=allowed, max_bytes=_limit_mb(app, kind) * MB,
                           type_message=_("该类附件只能上传 %(t)s 文件（按文件内容识别）。") % {"t": expected})
    mime = checked.mime
    materials.ensure_commitment_scan(app, kind=kind, mime=mime, sha256=checked.sha256)
    materials.ensure_distinct_file(app, sha256=checked.sha256)
    data = upload.read() if mime in SCANNED_TYPES else b""
    upload.seek(0)
    scanned = confidentiality.scan_attachment(upload.name, mime, data, keywords=keywords_for(app),
                                              exempt=exempt_for(app)) or confidentiality.FileScan()
    findings = [f.as_dict() for f in scanned.findings]
    doubt = materials.commitment_scan_doubt(kind=kind, mime=mime, data=data)
    manual_check = "；".join(reason for reason in (scanned.manual_check, doubt) if reason)
    with transaction.atomic():
        app = TierApplication.objects.select_for_update(of=("self",)).select_related(
            "factory__enterprise", "campaign").get(pk=app.pk)
        _editable(app, actor)
        materials.ensure_distinct_file(app, sha256=checked.sha256)
        attachment = Attachment(
            application=app, kind=kind, original_name=upload.name[:255], content_type=mime, size=upload.size,
            sha256=checked.sha256, findings=findings, manual_check=manual_check[:200], uploaded_by=actor,
        )
        attachment.file.save(f"{attachment.id.hex}.{checked.extension}", upload, save=False)
        attachment.save()
        record_event("application.attachment_added", actor=actor, obj=app,
                     after={"kind": kind, "file": attachment.original_name, "sha256": attachment.sha256,
                            "findings": len(findings), "ocr_pages": scanned.ocr_pages,
                            "manual_check": attachment.manual_check})
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, *, actor) -> None:
    app = attachment.application
    _editable(app, actor)
    record_event("application.attachment_removed", actor=actor, obj=app,
                 before={"kind": attachment.kind, "file": attachment.original_name, "sha256": attachment.sha256})
    attachment.file.delete(save=False)
    attachment.delete()


def bulk_preview(apps, action: str, actor) -> list[dict]:
    """What a bulk decision would do to each application, without doing it: the guards are run in
    a transaction that is rolled back, so the preview names every refusal and its reason."""
    from smartfactory.errors import ProgrammeError

    preview = []
    for app in apps:
        try:
            with transaction.atomic():
                moved = transition(app, action, actor=actor)
                outcome = {"ok": True, "to": moved.get_state_display(),
                           "next": str(moved.current_authority or "")}
                raise _Rollback
        except _Rollback:
            pass
        except ProgrammeError as error:
            outcome = {"ok": False, "reason": error.message}
        preview.append({"application": app, **outcome})
    return preview


class _Rollback(Exception):
    """Used to undo a dry run."""


def bulk_transition(apps, action: str, actor, *, reason: str = "") -> tuple[int, list[str]]:
    """Apply one decision to several applications, each in its own transaction; returns the count
    done and the refusals (each application goes through the transition function and its guards)."""
    from smartfactory.errors import ProgrammeError

    done, refused = 0, []
    for app in apps:
        try:
            transition(app, action, actor=actor, reason=reason)
            done += 1
        except ProgrammeError as error:
            refused.append(f"{app.factory.enterprise.name}：{error.message}")
    return done, refused
