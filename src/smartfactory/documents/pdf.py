"""PDF documents: a Django template rendered to HTML, then to PDF by WeasyPrint.

Every PDF embeds its Chinese fonts (see ``fonts``), is A4 with a page counter "第 X 页 / 共 Y 页"
in the footer next to an optional ``footer_text`` from the context (a verification code, a content
hash), and is made without touching the network: the URL fetcher serves ``data:`` URLs and
``file:`` URLs inside the project's own folders, and refuses everything else.

Templates extend ``documents/base_pdf.html``; autoescaping stays on, so user text is text.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .fonts import SANS_FAMILY, SERIF_FAMILY, cjk_fonts, font_face_css

logger = logging.getLogger(__name__)

PAGE_COUNTER = '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'

BASE_CSS = f"""
@page {{
  size: A4;
  margin: 22mm 18mm 24mm 18mm;
  @bottom-left {{
    content: element(pdfFooter);
    width: 72%;
    vertical-align: top;
    padding-top: 4mm;
  }}
  @bottom-right {{
    content: {PAGE_COUNTER};
    font-family: "{SANS_FAMILY}";
    font-size: 8pt;
    color: #555;
    vertical-align: top;
    padding-top: 4mm;
  }}
}}
html {{
  font-family: "{SANS_FAMILY}";
  font-size: 10.5pt;
  line-height: 1.6;
  color: #111;
}}
h1, h2, h3, h4, h5, h6 {{
  font-family: "{SERIF_FAMILY}", "{SANS_FAMILY}";
  line-height: 1.35;
}}
.pdf-footer-text {{
  position: running(pdfFooter);
  font-family: "{SANS_FAMILY}";
  font-size: 7.5pt;
  line-height: 1.4;
  color: #555;
  overflow-wrap: anywhere;
}}
"""


class RefusedURL(ValueError):
    """A PDF asked for a resource outside ``data:`` and the project's own files."""


class LocalOnlyURLFetcher(URLFetcher):
    """Serves ``data:`` URLs and ``file:`` URLs under ``allowed_dirs``; refuses everything else.

    WeasyPrint catches the refusal, logs it and leaves the resource out (an image is not drawn),
    so a template or a user-supplied URL can neither reach the network nor embed arbitrary local
    files (``<link rel="attachment">`` would otherwise attach any readable file to the PDF).
    """

    def __init__(self, allowed_dirs: Iterable[Path]):
        super().__init__(timeout=5, allowed_protocols=("data",), allow_redirects=False)
        self.allowed_dirs = tuple(Path(d).resolve() for d in allowed_dirs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._local_path(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
        self.refused.append(url)
        logger.warning("PDF resource refused (only data: and project files are fetched): %.200s", url)
        raise RefusedURL(f"refused to fetch {url[:200]!r}: PDFs use only data: URLs and project files")

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_file() or not any(path.is_relative_to(d) for d in self.allowed_dirs):
            return None
        return path


def render_pdf(template_name: str, context: dict, *, base_url: str | Path | None = None) -> bytes:
    """The PDF of ``template_name`` rendered with ``context``.

    ``context["footer_text"]`` (optional) is printed at the foot of every page, beside the page
    counter. ``base_url`` resolves relative URLs; by default the project's static folder, so
    ``<img src="img/logo.png">`` works. A ``file:`` base URL also allows files under that folder.
    """
    html = render_to_string(template_name, context)
    base = _file_base_url(base_url)
    allowed = [*cjk_fonts().directories, Path(settings.BASE_DIR), Path(settings.STATIC_ROOT)]
    if base.startswith("file:"):
        allowed.append(Path(url2pathname(urlsplit(base).path)))
    fetcher = LocalOnlyURLFetcher(allowed)
    font_config = FontConfiguration()
    stylesheet = CSS(string=font_face_css() + BASE_CSS, font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)


def _file_base_url(base_url: str | Path | None) -> str:
    if base_url is None:
        base_url = Path(settings.BASE_DIR) / "static"
    if isinstance(base_url, Path):
        # a trailing slash makes relative URLs resolve inside the folder, not beside it
        return base_url.resolve().as_uri() + "/"
    return base_url
