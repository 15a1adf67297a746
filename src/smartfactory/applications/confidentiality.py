"""The confidentiality scan before submission (the notice: materials must not contain state or
commercial secrets). Classification markings and configured keywords are searched in the book's
text and in the text of attached PDF and DOCX files; each finding says where it is."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

MARKINGS = ("绝密", "机密", "秘密", "★", "内部")
CONTEXT = 12


@dataclass(frozen=True)
class Finding:
    term: str
    place: str  # e.g. "申报书：场景建设 · 24. 在线智能检测" or "附件 设备清单.pdf 第3页"
    excerpt: str

    def as_dict(self) -> dict:
        return {"term": self.term, "place": self.place, "excerpt": self.excerpt}


def _pattern(keywords: tuple[str, ...]) -> re.Pattern:
    terms = sorted({t for t in (*MARKINGS, *keywords) if t}, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in terms))


def _normalise(text: str, exempt: tuple[str, ...]) -> str:
    """Line breaks and spaces removed (PDF text extraction splits Chinese phrases across lines), then
    the exempt phrases blanked out."""
    text = re.sub(r"\s+", "", text or "")
    for phrase in sorted(exempt, key=len, reverse=True):
        text = text.replace(phrase, "□" * len(phrase))
    return text


def scan_text(text: str, place: str, *, keywords: tuple[str, ...] = (), exempt: tuple[str, ...] = ()) -> list[Finding]:
    findings = []
    text = _normalise(text, exempt)
    for match in _pattern(keywords).finditer(text):
        start, end = max(match.start() - CONTEXT, 0), min(match.end() + CONTEXT, len(text))
        excerpt = re.sub(r"\s+", " ", text[start:end]).strip()
        findings.append(Finding(match.group(0), place, excerpt))
    return findings


def pdf_pages(data: bytes) -> list[str]:
    """Text of each page of a PDF (empty strings for pages without a text layer)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [(page.extract_text() or "") for page in reader.pages]


def docx_paragraphs(data: bytes) -> list[str]:
    from docx import Document

    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


def scan_file(name: str, content_type: str, data: bytes, *, keywords: tuple[str, ...] = (),
              exempt: tuple[str, ...] = ()) -> list[Finding]:
    findings: list[Finding] = []
    if content_type == "application/pdf":
        for number, text in enumerate(pdf_pages(data), start=1):
            findings += scan_text(text, f"附件 {name} 第{number}页", keywords=keywords, exempt=exempt)
    elif content_type.endswith("wordprocessingml.document"):
        for number, text in enumerate(docx_paragraphs(data), start=1):
            findings += scan_text(text, f"附件 {name} 第{number}段", keywords=keywords, exempt=exempt)
    findings += scan_text(name, f"附件文件名 {name}", keywords=keywords, exempt=exempt)
    return findings
