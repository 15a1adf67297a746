"""HTTP responses for generated documents, with Chinese file names that every browser keeps."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._()\- ]+")
# RFC 5987 attr-char, besides letters and digits (which quote() never escapes).
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="ascii.xlsx"; filename*=UTF-8''%E5%9B%9B….xlsx`` (RFC 6266/5987).

    The quoted ASCII ``filename`` is for old clients; every current browser uses ``filename*``.
    """
    name = _clean(filename)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHAR_SAFE)}"


def ascii_fallback(filename: str) -> str:
    """An ASCII stand-in for ``filename`` that keeps its extension: ``四川省名单.xlsx`` → ``document.xlsx``."""
    path = PurePosixPath(_clean(filename))
    suffix = _ascii_only(path.suffix)
    stem = _ascii_only(path.stem if suffix else path.name).strip(" .-") or "document"
    return stem + (suffix if re.fullmatch(r"\.[A-Za-z0-9]+", suffix) else "")


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return _file_response(content, filename, XLSX_CONTENT_TYPE, inline=False)


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    return _file_response(content, filename, PDF_CONTENT_TYPE, inline=inline)


def _file_response(content: bytes, filename: str, content_type: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _clean(filename: str) -> str:
    """No control characters (no header splitting) and no folders in a download's name."""
    name = _CONTROL.sub("", str(filename)).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or "document"


def _ascii_only(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", _UNSAFE_ASCII.sub("_", folded)).strip("_ ")
