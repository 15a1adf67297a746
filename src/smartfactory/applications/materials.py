"""The materials of an excellent or leading application as the notice requires them.

- R8: the authenticity commitment is the notice's own text (``data/commitment-<version>.yaml``),
  printed with blank signature and date lines; what comes back must be a scan of the signed and
  stamped paper (PDF, JPG or PNG), never the platform's generated file (known by its SHA-256).
- P30: one file stands for one material: the same SHA-256 twice in one application is refused.
- R23: the undertaking to cooperate with on-site verification, technology promotion and case
  exchange is a separate acknowledgement at each submission, recorded in the submitted version.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.errors import InvalidInput, NotEligible
from smartfactory.guards import guard
from smartfactory.organisations.enums import Tier
from smartfactory.uploads import PDF_OR_IMAGE
from smartfactory.workflow import when_taken

from .models import Attachment, IssuedCommitment, TierApplication

DATA_DIR = Path(__file__).resolve().parent / "data"
BOOK_TIERS = {Tier.EXCELLENT, Tier.LEADING}
FORMATS = ("pdf", "docx")


@functools.cache
def _data(framework_version: str) -> dict:
    path = DATA_DIR / f"commitment-{framework_version}.yaml"
    if not path.exists():
        raise InvalidInput(_("该年度没有真实性承诺书的文本数据，请联系平台管理员。"), field="commitment")
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def commitment_data(app: TierApplication) -> dict:
    """The commitment of the application's campaign: title, verbatim text, blank lines, source."""
    return _data(app.campaign.framework_version)["commitment"]


def cooperation_text(app: TierApplication) -> str:
    return _data(app.campaign.framework_version)["cooperation"]["acknowledgement"]


def commitment_context(app: TierApplication) -> dict:
    data = commitment_data(app)
    return {
        "title": data["title"], "text": data["text"], "signature_lines": data["signature_lines"],
        "enterprise": app.factory.enterprise.name, "date": data["date_line"].format(year=app.campaign.year),
    }


# ------------------------------------------------------------------ guards at upload
@guard("R8")
def ensure_commitment_scan(app: TierApplication, *, kind: str, mime: str, sha256: str) -> None:
    """The signed commitment is a scan (PDF, JPG, PNG) and not a file the platform generated."""
    if kind != Attachment.Kind.COMMITMENT:
        return
    if mime not in PDF_OR_IMAGE:
        raise InvalidInput(_("签字盖章的真实性承诺书须上传纸质件的扫描件（PDF、JPG 或 PNG）。"), field="file")
    if IssuedCommitment.objects.filter(sha256=sha256).exists():
        raise InvalidInput(
            _("该文件是平台生成的承诺书原稿，没有签字和盖章。请打印后由法定代表人签字、加盖公章，再上传扫描件。"), field="file",
        )


@guard("R8")
def commitment_scan_doubt(*, kind: str, mime: str, data: bytes) -> str | None:
    """A commitment PDF with a text layer and no image on any page is not what a scanner makes (a
    re-saved copy of the generated form, say, whose hash no longer matches): the reviewer is asked
    to check it by hand (需人工核查). Returns the reason, or None."""
    if kind != Attachment.Kind.COMMITMENT or mime != "application/pdf":
        return None
    import io

    from pypdf import PdfReader

    try:
        pages = PdfReader(io.BytesIO(data)).pages
        texts = [(page.extract_text() or "").strip() for page in pages]
        images = sum(len(page.images) for page in pages)
    except Exception:  # noqa: BLE001  (an unreadable PDF is doubtful too)
        return "承诺书 PDF 无法解析，请核对纸质件"
    if images == 0 and any(texts):
        return "承诺书 PDF 只有文字层、没有图像，不像纸质件的扫描件，请核对签字和公章"
    return None


@guard("P30")
def ensure_distinct_file(app: TierApplication, *, sha256: str) -> None:
    """A file already attached to this application cannot be attached again (as any material)."""
    same = app.attachments.filter(sha256=sha256).first()
    if same is not None:
        raise InvalidInput(
            _("该文件已作为“%(k)s”上传（%(n)s）。一份文件不能充当多项申报材料，请上传相应的材料。")
            % {"k": same.get_kind_display(), "n": same.original_name}, field="file",
        )


# ------------------------------------------------------------------ guards at submission
@guard("R8", "P30")
def materials_sound(ctx) -> None:
    """At submission the stored attachments are checked again: two uploads of the same file at
    the same moment both pass the upload check, and files stored before these checks existed were
    never checked."""
    app = ctx.app
    if app.tier not in BOOK_TIERS:
        return
    rows = list(app.attachments.values_list("kind", "sha256", "content_type", "original_name"))
    seen: dict[str, str] = {}
    for _kind, sha256, _mime, name in rows:
        if sha256 in seen:
            raise NotEligible(
                _("附件“%(a)s”与“%(b)s”是同一文件。一份文件不能充当多项申报材料，请删除其一并上传相应的材料。")
                % {"a": seen[sha256], "b": name}, field="attachments",
            )
        seen[sha256] = name
    issued = set(IssuedCommitment.objects.filter(sha256__in=list(seen)).values_list("sha256", flat=True))
    for kind, sha256, mime, name in rows:
        if kind == Attachment.Kind.COMMITMENT and (mime not in PDF_OR_IMAGE or sha256 in issued):
            raise NotEligible(
                _("“%(n)s”不是签字盖章的真实性承诺书扫描件。请上传由法定代表人签字并加盖公章的纸质件扫描件（PDF、JPG 或 PNG）。")
                % {"n": name}, field="commitment",
            )


@guard("R23")
@when_taken
def cooperation_acknowledged(ctx) -> None:
    """Excellent and leading: the applicant confirms, at this submission, that it will cooperate
    with on-site verification, technology promotion and case exchange."""
    if ctx.app.tier in BOOK_TIERS and not ctx.cooperation:
        raise NotEligible(_("提交前请勾选确认：%(t)s") % {"t": cooperation_text(ctx.app)}, field="cooperation")


def cooperation_record(ctx) -> dict | None:
    """What the submitted version records of the acknowledgement (the text as acknowledged)."""
    if ctx.app.tier not in BOOK_TIERS or not ctx.cooperation:
        return None
    return {"text": cooperation_text(ctx.app), "acknowledged_by": getattr(ctx.actor, "username", ""),
            "acknowledged_at": timezone.now().isoformat()}
