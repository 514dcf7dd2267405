"""The one label font: a TrueType font that covers Latin, Cyrillic and Chinese.

Fonts are installed by the system's packages, never shipped in the repository. On Debian/Ubuntu
that is `fonts-wqy-microhei` (WenQuanYi Micro Hei, Apache-2.0). reportlab has no glyph fallback, so
a font without Chinese would print boxes: the font is checked for all three scripts when it is
loaded, and any character it still lacks is printed as "?" rather than as an empty box.
`PACKDESK_LABEL_FONT=/path/font.ttc` overrides the search.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.errors import UserError

log = logging.getLogger(__name__)

FONT_PACKAGE = "fonts-wqy-microhei"
PDF_FONT_NAME = "PackdeskSans"
# Text that every label font must cover: Latin, Cyrillic, Chinese (and the digits of posting numbers).
COVERAGE_PROBE = "AZaz09-%/:ЁЖЯёжяЪъ№中文打印测试标签收件人"

# Fonts that cover all three scripts with TrueType outlines (reportlab cannot embed CFF/OTF outlines,
# which rules out Noto Sans CJK). Windows and macOS ones are used where they exist, never shipped.
_CANDIDATES = (
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "msyh.ttc",  # Microsoft YaHei (Windows)
    "simsun.ttc",  # SimSun (Windows)
    "Arial Unicode.ttf",  # macOS
)


class FontMissing(UserError):
    def __init__(self, detail: str = "") -> None:
        hint = f"install it with: sudo apt-get install {FONT_PACKAGE}"
        super().__init__(
            "font_missing",
            f"no label font with Latin, Cyrillic and Chinese letters was found ({FONT_PACKAGE}); {hint}"
            + (f" ({detail})" if detail else ""),
            package=FONT_PACKAGE,
        )


@dataclass(frozen=True, slots=True)
class LabelFont:
    path: str
    index: int
    pdf_name: str
    codepoints: frozenset[int]
    ascent: float  # of the em (0..1)
    descent: float  # negative

    def covers(self, text: str) -> bool:
        return all(ord(ch) in self.codepoints for ch in text)

    def missing(self, text: str) -> set[str]:
        return {ch for ch in text if ord(ch) not in self.codepoints}


def font_dirs() -> list[Path]:
    home = Path.home()
    dirs = [home / ".local/share/fonts", home / ".fonts", Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    if sys.platform == "darwin":
        dirs += [home / "Library/Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft/Windows/Fonts")
        dirs.append(Path(os.environ.get("WINDIR", "C:\\Windows")) / "Fonts")
    return [d for d in dirs if d.is_dir()]


def _found_files() -> Iterator[Path]:
    override = os.environ.get("PACKDESK_LABEL_FONT")
    if override:
        yield Path(override)
        return
    wanted = {name.lower(): rank for rank, name in enumerate(_CANDIDATES)}
    hits: list[tuple[int, Path]] = []
    for folder in font_dirs():
        for root, _dirs, files in os.walk(folder):
            hits += [(wanted[f.lower()], Path(root) / f) for f in files if f.lower() in wanted]
    yield from (path for _rank, path in sorted(hits))


def _load(path: Path) -> tuple[LabelFont, TTFont]:
    ttf = TTFont(PDF_FONT_NAME, str(path), subfontIndex=0)
    face = ttf.face
    font = LabelFont(str(path), 0, PDF_FONT_NAME, frozenset(face.charToGlyph), face.ascent / 1000, face.descent / 1000)
    return font, ttf


_lock = threading.Lock()
_font: LabelFont | None = None


def label_font() -> LabelFont:
    """Find, check and register the label font (once per process); FontMissing names the package."""
    global _font
    with _lock:
        if _font is not None:
            return _font
        problems = []
        for path in _found_files():
            try:
                font, ttf = _load(path)
            except Exception as exc:  # a damaged or CFF-outline font: try the next one
                problems.append(f"{path.name}: {exc}")
                continue
            lacking = font.missing(COVERAGE_PROBE)
            if lacking:
                problems.append(f"{path.name} lacks {''.join(sorted(lacking))}")
                continue
            pdfmetrics.registerFont(ttf)
            log.info("label font: %s", font.path)
            _font = font
            return font
        raise FontMissing("; ".join(problems))


def printable(text: str) -> str:
    """The text as it will print: characters the font lacks become '?', control characters a space."""
    font = label_font()
    if font.covers(text) and text.isprintable():
        return text
    return "".join((" " if not ch.isprintable() else ch if ord(ch) in font.codepoints else "?") for ch in text)


def text_width(text: str, size: float) -> float:
    """Advance width of `text` at em size `size` (in the same unit as `size`, e.g. dots)."""
    label_font()
    return float(pdfmetrics.stringWidth(text, PDF_FONT_NAME, size))


@functools.lru_cache(maxsize=64)
def pil_font(size: int) -> ImageFont.FreeTypeFont:
    """The label font for Pillow at an em size in pixels (printer dots)."""
    font = label_font()
    return ImageFont.truetype(font.path, size, index=font.index, layout_engine=ImageFont.Layout.BASIC)
