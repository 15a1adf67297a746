"""An application's book entries and the confidentiality scan of the book and its attachments: the
reads that editing (``services``), the workflow's guards and snapshots, and the exports share."""

from __future__ import annotations

from . import book, confidentiality
from .models import TierApplication


def entries_of(app: TierApplication) -> dict[str, object]:
    return dict(app.book.values_list("key", "value"))


def entry_versions(app: TierApplication) -> dict[str, int]:
    return dict(app.book.values_list("key", "version"))


def keywords_for(app: TierApplication) -> tuple[str, ...]:
    return tuple(book.document_of(app.campaign.framework_version).get("confidentiality_keywords", []))


def exempt_for(app: TierApplication) -> tuple[str, ...]:
    return tuple(book.document_of(app.campaign.framework_version).get("confidentiality_exempt_phrases", []))


def scan(app: TierApplication) -> list[dict]:
    """All confidentiality findings: in the book's text and in the attachments."""
    keywords, exempt = keywords_for(app), exempt_for(app)
    findings = []
    for place, text in book.book_text(app.campaign.framework_version, app.tier, entries_of(app)):
        findings += [f.as_dict() for f in confidentiality.scan_text(text, place, keywords=keywords, exempt=exempt)]
    for attachment in app.attachments.all():
        findings += attachment.findings
    return findings
