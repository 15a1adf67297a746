"""What every part of the demo world shares: the demo accounts' password, the demo enterprise and a
blank PDF for uploads."""

from __future__ import annotations

import io
import os

from smartfactory.accounts.models import User

from .identifiers import make_uscc

DEFAULT_PASSWORD = "demo-pass-2026"  # noqa: S105  (public demo password, stated in README; DEMO_PASSWORD overrides)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)


_HASHED: dict[str, str] = {}


def set_demo_password(user: User) -> None:
    """Give a demo account the (public) demo password. The hash is computed once per run and shared
    by every demo account: hashing costs about a third of a second each, and the password is public
    anyway (a shared salt reveals nothing)."""
    from django.contrib.auth.hashers import make_password

    password = demo_password()
    if password not in _HASHED:
        _HASHED[password] = make_password(password)
    user.password = _HASHED[password]


DEMO_ENTERPRISE_USCC = make_uscc("510107", 1)


def blank_pdf(label: str = "") -> bytes:
    """A small one-page PDF without text: nothing for the confidentiality scan to find. ``label``
    (in the metadata) makes each material its own file: one file cannot stand for two (P30)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if label:
        writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
