"""The confidentiality scan before submission (R9: materials must not contain state or commercial
secrets). Classification markings and configured keywords are searched in the book's text and in
every attachment: the text of PDF pages (OCR for pages without a text layer), DOCX paragraphs,
tables, headers and footers, XLSX cells and sheet names, images (OCR) and every file name. A file
that cannot be read is flagged 需人工核查 for the reviewer. Each finding says where it is."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from smartfactory.guards import guard

from . import ocr

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


def _block_texts(container) -> list[str]:
    """Paragraphs, then every table cell, of a document body, header or footer."""
    texts = [p.text for p in container.paragraphs]
    for table in container.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


def docx_paragraphs(data: bytes) -> list[str]:
    from docx import Document

    return _block_texts(Document(io.BytesIO(data)))


def docx_headers_footers(data: bytes) -> list[tuple[str, str]]:
    """(place, text) of every header and footer of every section (default, first-page, even-page)."""
    from docx import Document

    out = []
    for number, section in enumerate(Document(io.BytesIO(data)).sections, start=1):
        for label, part in (("页眉", section.header), ("首页页眉", section.first_page_header),
                            ("偶数页页眉", section.even_page_header), ("页脚", section.footer),
                            ("首页页脚", section.first_page_footer), ("偶数页页脚", section.even_page_footer)):
            if part.is_linked_to_previous:
                continue
            text = " ".join(t for t in _block_texts(part) if t)
            if text:
                out.append((f"第{number}节{label}", text))
    return out


def xlsx_cells(data: bytes) -> list[tuple[str, str]]:
    """(place, text) of every sheet name and every non-empty cell."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = []
    try:
        for sheet in workbook.worksheets:
            out.append((f"工作表“{sheet.title}”名称", sheet.title))
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value not in (None, "") and getattr(cell, "coordinate", None):
                        out.append((f"工作表“{sheet.title}” {cell.coordinate}", str(cell.value)))
    finally:
        workbook.close()
    return out


@dataclass
class FileScan:
    findings: list[Finding] = field(default_factory=list)
    manual_check: str = ""  # why the file must be checked by a person (需人工核查), empty when fully read
    ocr_pages: int = 0


def _read(name: str, content_type: str, data: bytes, result: FileScan, places: list[tuple[str, str]]) -> None:
    """Adds (place, text) of everything readable in the file to ``places``; OCR where there is no
    text layer (the text layer read before an OCR failure stays in ``places``)."""
    if content_type == "application/pdf":
        pages = pdf_pages(data)
        places += [(f"附件 {name} 第{n}页", text) for n, text in enumerate(pages, start=1) if text.strip()]
        blank = [n for n, text in enumerate(pages, start=1) if not text.strip()]
        if blank:
            for n, text in ocr.pdf_pages_text(data, blank, ocr.Budget()).items():
                places.append((f"附件 {name} 第{n}页（文字识别）", text))
                result.ocr_pages += 1
    elif content_type.endswith("wordprocessingml.document"):
        places += [(f"附件 {name} 第{n}段", t) for n, t in enumerate(docx_paragraphs(data), start=1)]
        places += [(f"附件 {name} {where}", t) for where, t in docx_headers_footers(data)]
    elif content_type.endswith("spreadsheetml.sheet"):
        places += [(f"附件 {name} {where}", t) for where, t in xlsx_cells(data)]
    elif content_type in ("image/jpeg", "image/png"):
        places.append((f"附件 {name}（文字识别）", ocr.image_text(data, ocr.Budget())))
        result.ocr_pages += 1


@guard("R9")
def scan_attachment(name: str, content_type: str, data: bytes, *, keywords: tuple[str, ...] = (),
                    exempt: tuple[str, ...] = ()) -> FileScan:
    """Every finding in one attachment and its name. A file that cannot be read (no OCR on this
    server, OCR timed out, too many scanned pages, a damaged file) is flagged 需人工核查 with the
    reason, and what could be read is still scanned."""
    result, places = FileScan(), []
    try:
        _read(name, content_type, data, result, places)
    except ocr.OcrImpossible as error:
        result.manual_check = str(error)
    except Exception as error:  # noqa: BLE001  (a damaged text layer is reported, never fatal)
        result.manual_check = f"无法提取文字（{error.__class__.__name__}）"
    places.append((f"附件文件名 {name}", name))
    for place, text in places:
        result.findings += scan_text(text, place, keywords=keywords, exempt=exempt)
    return result


def scan_file(name: str, content_type: str, data: bytes, *, keywords: tuple[str, ...] = (),
              exempt: tuple[str, ...] = ()) -> list[Finding]:
    scanned = scan_attachment(name, content_type, data, keywords=keywords, exempt=exempt)
    return scanned.findings if scanned else []
