from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture
def test_templates(settings):
    """Makes tests/documents/templates loadable (``documents_test/…``)."""
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEMPLATES_DIR]
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]


def poppler(tool: str, pdf: bytes, *args: str, tmp_path: Path) -> str:
    """Output of a poppler-utils tool (pdffonts, pdftotext) run on ``pdf``."""
    program = shutil.which(tool)
    assert program, f"{tool} is missing: install the Debian package poppler-utils (make install-dev does)"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    command = [program, *args, str(path)]
    if tool == "pdftotext":
        command.append("-")  # text to stdout
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


def squeeze(text: str) -> str:
    """Text without whitespace: pdftotext drops or adds spaces between Chinese characters."""
    return "".join(text.split())
