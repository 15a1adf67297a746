"""Reading the text of images and of image-only PDF pages with OCR, for the confidentiality scan
(R9). Tesseract with the simplified-Chinese model (Debian's tesseract-ocr, tesseract-ocr-chi-sim)
through pytesseract; PDF pages are rasterised with poppler's pdftoppm. Every file gets one time
budget (``OCR_TIMEOUT_SECONDS``) and at most ``OCR_MAX_PAGES`` pages; whatever cannot be read
raises ``OcrImpossible`` with the reason, and the caller flags the file 需人工核查."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings

LANGUAGE = "chi_sim+eng"
# sparse text: finds words anywhere on a page or photo (the automatic layout mode returns nothing
# for a picture with a few large characters); the order of lines does not matter for the scan
CONFIG = "--psm 11"
DPI = 200


class OcrImpossible(Exception):  # noqa: N818  (a condition the caller reports, not a programming error)
    """OCR could not read the file; ``str(error)`` is the reason shown to the reviewer."""


def _command() -> str:
    return getattr(settings, "OCR_TESSERACT_CMD", "tesseract")


def _budget() -> float:
    return float(getattr(settings, "OCR_TIMEOUT_SECONDS", 60))


def max_pages() -> int:
    return int(getattr(settings, "OCR_MAX_PAGES", 20))


@functools.cache
def _languages(command: str) -> frozenset[str]:
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = command
    return frozenset(pytesseract.get_languages(config=""))


def ensure_available() -> None:
    """Tesseract and its Chinese model are installed (or OcrImpossible says what is missing)."""
    command = _command()
    if shutil.which(command) is None:
        raise OcrImpossible("服务器未安装文字识别程序（tesseract-ocr）")
    try:
        languages = _languages(command)
    except Exception as error:  # noqa: BLE001  (any failure to start tesseract means no OCR)
        raise OcrImpossible(f"文字识别程序无法运行（{error.__class__.__name__}）") from None
    if "chi_sim" not in languages:
        raise OcrImpossible("服务器未安装中文识别语言包（tesseract-ocr-chi-sim）")


class Budget:
    """The time left for one file."""

    def __init__(self, seconds: float | None = None):
        self.ends = time.monotonic() + (_budget() if seconds is None else seconds)

    def left(self) -> float:
        remaining = self.ends - time.monotonic()
        if remaining <= 0:
            raise OcrImpossible("文字识别超时")
        return remaining


def image_text(data: bytes, budget: Budget) -> str:
    """The text of one image (JPG or PNG bytes)."""
    import pytesseract
    from PIL import Image

    ensure_available()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = image.convert("L")
    except Exception as error:  # noqa: BLE001  (an undecodable or oversized image cannot be read)
        raise OcrImpossible(f"图片无法解码（{error.__class__.__name__}）") from None
    pytesseract.pytesseract.tesseract_cmd = _command()
    try:
        return pytesseract.image_to_string(picture, lang=LANGUAGE, config=CONFIG, timeout=budget.left())
    except RuntimeError as error:  # pytesseract signals its timeout with RuntimeError
        if "timeout" in str(error).lower():
            raise OcrImpossible("文字识别超时") from None
        raise OcrImpossible("文字识别失败") from None
    except Exception:  # noqa: BLE001  (TesseractError, a missing binary, …)
        raise OcrImpossible("文字识别失败") from None


def pdf_page_image(data: bytes, number: int, budget: Budget) -> bytes:
    """Page ``number`` (1-based) of a PDF as a PNG, rasterised by pdftoppm."""
    program = shutil.which("pdftoppm")
    if program is None:
        raise OcrImpossible("服务器未安装 PDF 渲染程序（poppler-utils）")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(data)
        try:
            done = subprocess.run(  # noqa: S603  (fixed program, arguments are ours)
                [program, "-png", "-r", str(DPI), "-f", str(number), "-l", str(number), "-singlefile",
                 str(source), str(Path(folder) / "page")],
                capture_output=True, timeout=budget.left(), check=False,
            )
        except subprocess.TimeoutExpired:
            raise OcrImpossible("文字识别超时") from None
        page = Path(folder) / "page.png"
        if done.returncode != 0 or not page.exists():
            raise OcrImpossible(f"PDF 第{number}页无法渲染")
        return page.read_bytes()


def pdf_pages_text(data: bytes, numbers: list[int], budget: Budget) -> dict[int, str]:
    """OCR text of the given pages (the ones without a text layer)."""
    if len(numbers) > max_pages():
        raise OcrImpossible(f"无文字层的页面过多（{len(numbers)}页，自动识别上限{max_pages()}页）")
    return {number: image_text(pdf_page_image(data, number, budget), budget) for number in numbers}
