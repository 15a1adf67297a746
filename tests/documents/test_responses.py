"""Download responses: content types, nosniff, and Chinese file names (RFC 6266 / 5987)."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest

from smartfactory.documents.responses import (
    PDF_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ascii_fallback,
    content_disposition,
    pdf_response,
    xlsx_response,
)

NAME = "四川省先进级名单.xlsx"


def test_xlsx_response_with_chinese_filename():
    response = xlsx_response(b"PK\x03\x04data", NAME)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == "8"
    assert response.content == b"PK\x03\x04data"
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    assert "filename*=UTF-8''%E5%9B%9B%E5%B7%9D%E7%9C%81" in header
    assert f"filename*=UTF-8''{quote(NAME)}" in header
    assert 'filename="document.xlsx"' in header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == NAME
    header.encode("ascii")  # the header itself is pure ASCII


def test_pdf_response_attachment_and_inline():
    assert pdf_response(b"%PDF-", "自评估报告.pdf")["Content-Type"] == PDF_CONTENT_TYPE
    assert pdf_response(b"%PDF-", "自评估报告.pdf")["Content-Disposition"].startswith("attachment; ")
    inline = pdf_response(b"%PDF-", "自评估报告.pdf", inline=True)
    assert inline["Content-Disposition"].startswith("inline; ")
    assert inline["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        (NAME, "document.xlsx"),
        ("2025年名单.xlsx", "2025.xlsx"),
        ("report-2025.pdf", "report-2025.pdf"),
        ('a"b;c.pdf', "a_b_c.pdf"),
        ("Café Ünïcode.pdf", "Cafe Unicode.pdf"),
        ("名单", "document"),
        ("../../etc/passwd", "passwd"),
    ],
)
def test_ascii_fallback(filename, fallback):
    assert ascii_fallback(filename) == fallback


def test_no_header_injection_or_folders():
    header = content_disposition('x"\r\nSet-Cookie: a=b\r\n/../名单.pdf')
    assert "\r" not in header and "\n" not in header
    assert 'filename="' in header
    assert header.count('"') == 2
    assert "filename*=UTF-8''%E5%90%8D%E5%8D%95.pdf" in header
