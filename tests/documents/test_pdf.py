"""PDF documents: Chinese fonts embedded, page counter and footer on every page, user text stays text,
nothing fetched from the network."""

from __future__ import annotations

import re
import socket

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test.utils import override_settings

from smartfactory.documents import fonts
from smartfactory.documents.pdf import LocalOnlyURLFetcher, RefusedURL, render_pdf

from .conftest import TEMPLATES_DIR, poppler, squeeze

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
FOOTER = "验证码 7KQ2-M9XD · SHA-256 " + "3f9a" * 16
# pdffonts: name, type (may contain spaces), encoding, then emb sub uni (yes/no) and the object id
PDFFONTS_ROW = re.compile(
    r"^(?P<name>\S+)\s.*?\s(?P<emb>yes|no)\s+(?P<sub>yes|no)\s+(?P<uni>yes|no)\s+\d+\s+\d+\s*$"
)


def report_context(rows: int) -> dict:
    return {
        "title": "四川省智能工厂梯度培育自评估报告",
        "organisation": "成都市精密制造有限公司",
        "footer_text": FOOTER,
        "rows": [
            (i, f"成都市第{i}精密制造有限公司", f"91510100MA6C{i:06d}", "通用设备制造业", 60 + i % 40)
            for i in range(1, rows + 1)
        ],
    }


@pytest.fixture(scope="module")
def long_report():
    """A 6-page report rendered once for the module (no database involved)."""
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEMPLATES_DIR]
    with override_settings(TEMPLATES=[engine]):
        return render_pdf("documents_test/report.html", report_context(140))


def test_every_font_is_embedded_and_is_ours(long_report, tmp_path):
    output = poppler("pdffonts", long_report, tmp_path=tmp_path)
    rows = [m for line in output.splitlines()[2:] if (m := PDFFONTS_ROW.match(line))]
    assert rows, output
    assert len(rows) == len(output.splitlines()[2:]), output  # every row parsed
    assert all(row["emb"] == "yes" for row in rows), output
    assert all(row["uni"] == "yes" for row in rows), output  # text extractable (ToUnicode)
    # only the pinned Noto SC files: no system font slipped in, so the PDF is the same everywhere
    assert all("SmartFactory-" in row["name"] for row in rows), output


def test_chinese_text_heading_and_footer(long_report, tmp_path):
    assert long_report.startswith(b"%PDF-")
    text = squeeze(poppler("pdftotext", long_report, "-layout", tmp_path=tmp_path))
    assert "四川省智能工厂梯度培育自评估报告" in text
    assert "智能工厂梯度培育平台" in text
    assert "成都市第140精密制造有限公司" in text
    assert squeeze(FOOTER) in text


def test_page_counter_and_footer_on_page_two(long_report, tmp_path):
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", long_report, tmp_path=tmp_path))[1])
    assert pages == 6
    page_two = squeeze(poppler("pdftotext", long_report, "-f", "2", "-l", "2", tmp_path=tmp_path))
    assert f"第2页/共{pages}页" in page_two
    assert squeeze(FOOTER) in page_two
    last = squeeze(poppler("pdftotext", long_report, "-f", "6", "-l", "6", tmp_path=tmp_path))
    assert "第6页/共6页" in last


def test_same_input_gives_the_same_bytes(test_templates):
    context = report_context(3)
    assert render_pdf("documents_test/report.html", context) == render_pdf(
        "documents_test/report.html", context
    )


def test_user_text_is_text_not_markup(test_templates, tmp_path):
    context = {**report_context(2), "organisation": XSS, "title": XSS}
    html = render_to_string("documents_test/report.html", context)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    text = squeeze(poppler("pdftotext", render_pdf("documents_test/report.html", context), tmp_path=tmp_path))
    assert squeeze("申报单位：" + XSS) in text


def test_remote_resources_are_refused_and_the_pdf_still_renders(
    test_templates, tmp_path, monkeypatch, caplog
):
    attempts = []

    def no_network(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("a PDF render tried to use the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)

    with caplog.at_level("WARNING", logger="smartfactory.documents.pdf"):
        pdf = render_pdf("documents_test/remote.html", {"footer_text": "页脚"})

    assert attempts == []
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "smartfactory.documents.pdf")
    for url in (
        "http://example.invalid/x.png",
        "https://example.invalid/y.png",
        "http://example.invalid/style.css",
        "file:///etc/hostname",
        "file:///etc/passwd",
    ):
        assert url in refused
    text = squeeze(poppler("pdftotext", pdf, tmp_path=tmp_path))
    assert "外部资源测试" in text
    assert "正文照常生成" in text
    assert b"/EmbeddedFiles" not in pdf  # the <link rel=attachment> to /etc/passwd was not attached


class TestLocalOnlyURLFetcher:
    def test_serves_files_under_allowed_dirs_and_data_urls(self, tmp_path):
        (tmp_path / "logo.png").write_bytes(b"\x89PNG fake")
        fetcher = LocalOnlyURLFetcher([tmp_path])
        response = fetcher.fetch((tmp_path / "logo.png").as_uri())
        assert response.read() == b"\x89PNG fake"
        assert response.content_type == "image/png"
        assert fetcher.fetch("data:text/plain;base64,5Lit5paH").read() == "中文".encode()

    @pytest.mark.parametrize(
        "url",
        [
            "http://example.invalid/x.png",
            "https://example.invalid/x.png",
            "ftp://example.invalid/x.png",
            "file:///etc/passwd",
            "file://example.invalid/etc/passwd",
            "gopher://example.invalid/",
        ],
    )
    def test_refuses_the_rest(self, tmp_path, url):
        fetcher = LocalOnlyURLFetcher([tmp_path])
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
        assert fetcher.refused == [url]

    def test_refuses_escaping_the_allowed_dir(self, tmp_path):
        inside = tmp_path / "inside"
        inside.mkdir()
        (tmp_path / "secret.txt").write_text("secret")
        (inside / "link.txt").symlink_to(tmp_path / "secret.txt")
        fetcher = LocalOnlyURLFetcher([inside])
        for url in (inside.as_uri() + "/../secret.txt", (inside / "link.txt").as_uri()):
            with pytest.raises(RefusedURL):
                fetcher.fetch(url)


class TestFonts:
    def test_packaged_fonts_come_first(self):
        chosen = fonts.cjk_fonts()
        assert chosen.source.startswith("pylopdf-fonts-zh-cn")
        assert chosen.sans.name == "NotoSansSC-Regular.otf"
        assert chosen.serif is not None and chosen.serif.name == "NotoSerifSC-Regular.otf"
        css = fonts.font_face_css()
        assert chosen.sans.as_uri() in css and chosen.serif.as_uri() in css

    def test_debian_fallback_extracts_the_sc_face(self, monkeypatch, settings, tmp_path):
        if (
            fonts._fc_match("Noto Sans CJK SC") is None
            and fonts._probe_debian_dirs("Noto Sans CJK SC") is None
        ):
            pytest.skip("Debian fonts-noto-cjk is not installed")
        from fontTools.ttLib import TTFont

        settings.VAR_DIR = tmp_path
        monkeypatch.setattr(fonts, "_packaged_fonts", lambda: None)
        fonts.cjk_fonts.cache_clear()
        try:
            chosen = fonts.cjk_fonts()
        finally:
            fonts.cjk_fonts.cache_clear()
        assert chosen.source == "Debian fonts-noto-cjk"
        assert chosen.sans.suffix == ".otf"
        with TTFont(str(chosen.sans), lazy=True) as font:
            assert font["name"].getDebugName(1) == "Noto Sans CJK SC"

    def test_path_scan_finds_the_sc_face_without_fc_match(self):
        located = fonts._probe_debian_dirs("Noto Sans CJK SC")
        if located is None:
            pytest.skip("Debian fonts-noto-cjk is not installed")
        path, index = located
        if path.suffix == ".ttc":
            assert index == 2  # JP, KR, SC, TC, HK in Debian's collection

    def test_no_font_at_all_says_what_to_install(self, monkeypatch):
        monkeypatch.setattr(fonts, "_packaged_fonts", lambda: None)
        monkeypatch.setattr(fonts, "_debian_face", lambda family: None)
        fonts.cjk_fonts.cache_clear()
        try:
            with pytest.raises(fonts.FontsMissing, match="fonts-noto-cjk") as raised:
                fonts.cjk_fonts()
        finally:
            fonts.cjk_fonts.cache_clear()
        assert "pylopdf-fonts-zh-cn" in str(raised.value)
