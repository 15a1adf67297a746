"""Checking an uploaded file before it is stored: its size, its type by content (never by its name
or the browser's claim) and its SHA-256. Every upload of the platform goes through ``check_upload``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from smartfactory.errors import InvalidInput

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
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(mime=mime, extension=types[mime], sha256=digest.hexdigest())
