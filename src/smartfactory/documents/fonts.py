"""The Chinese fonts every PDF embeds, found once per process.

1. ``pylopdf-fonts-zh-cn`` (pinned in requirements.lock): Noto Sans SC and Noto Serif SC as single
   OpenType files, the same bytes on every machine, so a PDF renders identically everywhere.
2. Fallback: Debian's ``fonts-noto-cjk`` (Noto Sans/Serif CJK), located with ``fc-match`` or by
   probing the standard Debian font folders. Those ship as ``.ttc`` collections (JP, KR, SC, TC, HK
   faces in one file) and an ``@font-face`` rule cannot pick a face out of a collection, so the SC
   face is copied once into a plain ``.otf`` under ``VAR_DIR/cache/fonts``.

If neither is there, :class:`FontsMissing` says what to install.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SANS_FAMILY = "SmartFactory Sans"
SERIF_FAMILY = "SmartFactory Serif"

# Standard Debian locations of fonts-noto-cjk (older releases used truetype/ or noto-cjk/).
DEBIAN_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/opentype/noto-cjk"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/noto-cjk"),
)
_DEBIAN_FILES = {
    "Noto Sans CJK SC": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf"),
    "Noto Serif CJK SC": (
        "NotoSerifCJK-Regular.ttc",
        "NotoSerifCJKsc-Regular.otf",
        "NotoSerifSC-Regular.otf",
    ),
}


class FontsMissing(ImproperlyConfigured):
    """No Chinese font to embed: PDFs would come out with boxes instead of characters."""


@dataclass(frozen=True)
class CJKFonts:
    sans: Path
    serif: Path | None
    source: str

    @property
    def directories(self) -> tuple[Path, ...]:
        return tuple({p.parent for p in (self.sans, self.serif) if p is not None})


@functools.cache
def cjk_fonts() -> CJKFonts:
    """The font files to embed; the first call decides for the life of the process."""
    packaged = _packaged_fonts()
    if packaged is not None:
        return packaged
    sans = _debian_face("Noto Sans CJK SC")
    if sans is None:
        raise FontsMissing(
            "No Chinese font found for PDF documents. Install the Python package pinned in "
            "requirements.lock (`pip install -r requirements.lock`, which brings pylopdf-fonts-zh-cn), "
            "or the Debian package fonts-noto-cjk (`apt-get install fonts-noto-cjk`)."
        )
    return CJKFonts(sans=sans, serif=_debian_face("Noto Serif CJK SC"), source="Debian fonts-noto-cjk")


def font_face_css() -> str:
    """``@font-face`` rules for the two families, with ``file:`` URLs of the chosen files."""
    fonts = cjk_fonts()
    rules = [_font_face(SANS_FAMILY, fonts.sans)]
    # Without a serif file, headings use the sans file under the serif family name.
    rules.append(_font_face(SERIF_FAMILY, fonts.serif or fonts.sans))
    return "\n".join(rules)


def _font_face(family: str, path: Path) -> str:
    # Only a Regular face exists and no weight is declared: a bold heading still matches this family
    # (family outranks weight in Fontconfig) and is emboldened from the regular outlines, so no other
    # installed font slips into the document.
    return f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}'


def _packaged_fonts() -> CJKFonts | None:
    try:
        import pylopdf_fonts_zh_cn as package
    except ImportError:
        return None
    sans, serif = Path(package.sans_path()), Path(package.serif_path())
    if not sans.is_file():
        return None
    return CJKFonts(
        sans=sans,
        serif=serif if serif.is_file() else None,
        source=f"pylopdf-fonts-zh-cn {getattr(package, '__version__', '?')}",
    )


def _debian_face(family: str) -> Path | None:
    """A single-face font file for ``family`` from the system, or None."""
    located = _fc_match(family) or _probe_debian_dirs(family)
    if located is None:
        return None
    path, index = located
    if path.suffix.lower() not in {".ttc", ".otc"}:
        return path
    return _extract_face(path, index)


def _fc_match(family: str) -> tuple[Path, int] | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, no shell, family is a constant
            [fc_match, "-f", "%{file}\n%{index}\n%{family}", f"{family}:style=Regular"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split("\n")
    if result.returncode != 0 or len(lines) < 3:
        return None
    # fc-match always answers with something (DejaVu when nothing matches): check the family.
    if family not in lines[2].split(","):
        return None
    path = Path(lines[0])
    return (path, int(lines[1] or 0)) if path.is_file() else None


def _probe_debian_dirs(family: str) -> tuple[Path, int] | None:
    for folder in DEBIAN_FONT_DIRS:
        for name in _DEBIAN_FILES[family]:
            path = folder / name
            if not path.is_file():
                continue
            if path.suffix.lower() != ".ttc":
                return path, 0
            index = _collection_index(path, family)
            if index is not None:
                return path, index
    return None


def _collection_index(path: Path, family: str) -> int | None:
    from fontTools.ttLib import TTCollection

    with TTCollection(str(path), lazy=True) as collection:
        for index, font in enumerate(collection.fonts):
            if font["name"].getDebugName(1) == family:
                return index
    return None


def _extract_face(path: Path, index: int) -> Path:
    """Copy face ``index`` of a collection to a cached standalone file (about 0.3 s, once)."""
    from fontTools.ttLib import TTFont

    stat = path.stat()
    cache_dir = Path(settings.VAR_DIR) / "cache" / "fonts"
    target = cache_dir / f"{path.stem}-{index}-{stat.st_size}-{stat.st_mtime_ns}.otf"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".part")
    os.close(handle)
    try:
        with TTFont(str(path), fontNumber=index, lazy=True) as font:
            font.save(temporary, reorderTables=False)
        Path(temporary).replace(target)  # atomic: concurrent workers never see half a font
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target
