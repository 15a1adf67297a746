"""Checking an uploaded file before it is stored: its size, its type by content (never by its name
or the browser's claim), for a PDF its active content (JavaScript, launch or open actions, embedded
files) and its SHA-256. Every upload of the platform goes through ``check_upload``, so the same
refusal holds for application attachments, self-assessment evidence, acceptance evidence, stamped
scans and site-visit photos alike."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from smartfactory.errors import InvalidInput
from smartfactory.guards import guard

PDF_OR_IMAGE = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGES = {"image/jpeg": "jpg", "image/png": "png"}
MB = 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    mime: str
    extension: str  # the extension the file is stored under (from ``types``)
    sha256: str


def check_upload(upload, *, types: dict[str, str], max_bytes: int, type_message: str) -> CheckedUpload:
    """Refuses a missing file, one over ``max_bytes`` and one whose content is none of ``types``
    (mime → stored extension), with ``type_message``; returns the type and the SHA-256. The upload
    is left at its start, ready to be saved."""
    import filetype

    if upload is None:
        raise InvalidInput(_("请选择文件。"), field="file")
    if upload.size > max_bytes:
        raise InvalidInput(_("文件不能超过%(mb)dMB。") % {"mb": max_bytes // MB}, field="file")
    head = upload.read(8192)
    upload.seek(0)
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed is not None else None
    if mime not in types:
        raise InvalidInput(type_message, field="file")
    if mime == "application/pdf":
        refuse_active_pdf(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(mime=mime, extension=types[mime], sha256=digest.hexdigest())


def pdf_active_content(data: bytes) -> list[str]:
    """What makes a PDF unsafe to accept: JavaScript, launch/open actions, embedded files."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    problems = []
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names:
        problems.append("JavaScript")
    if "/EmbeddedFiles" in names:
        problems.append("embedded files")
    if "/OpenAction" in root or "/AA" in root:
        action = root.get("/OpenAction")
        action = action.get_object() if action is not None else None
        if isinstance(action, dict) and action.get("/S") in ("/JavaScript", "/Launch"):
            problems.append("open action")
        if "/AA" in root:
            problems.append("additional actions")
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            if obj.get("/Subtype") == "/FileAttachment":
                problems.append("file attachment")
            act = obj.get("/A")
            act = act.get_object() if act is not None else None
            if isinstance(act, dict) and act.get("/S") in ("/JavaScript", "/Launch"):
                problems.append("link action")
    return sorted(set(problems))


@guard("P80")
def refuse_active_pdf(upload) -> None:
    """A PDF that would run code or carry other files when opened is refused, whatever the upload is
    for; one that cannot be parsed is refused too (nobody can vouch for it). The upload is left at its
    start."""
    data = upload.read()
    upload.seek(0)
    try:
        problems = pdf_active_content(data)
    except Exception:  # noqa: BLE001  (any parse failure means we cannot vouch for the file)
        raise InvalidInput(_("无法读取该 PDF 文件，请重新导出后上传。"), field="file") from None
    if problems:
        raise InvalidInput(_("PDF 中含有脚本或嵌入文件（%(p)s），出于安全原因不能上传。") % {"p": "、".join(problems)},
                           field="file")
