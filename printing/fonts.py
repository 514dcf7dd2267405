"""The label font: a TrueType font that covers Latin, Cyrillic and Chinese, plus fallbacks for the rest.

Fonts are installed by the system's packages, never shipped in the repository. On Debian/Ubuntu
that is `fonts-wqy-microhei` (WenQuanYi Micro Hei, Apache-2.0). reportlab has no glyph fallback, so
a font without Chinese would print boxes: the font is checked for all three scripts when it is
loaded. Characters it lacks (Hebrew, Arabic, Georgian…) are drawn with the first fallback font that
has them (DejaVu Sans from `fonts-dejavu-core`, Arial or Tahoma on Windows); Arabic is shaped into its
joined forms and right-to-left runs are reordered for drawing left to right (`visual`). Whatever no
font has prints as "[?]" and is logged once as a warning, never as a row of "?" or empty boxes.
`PACKDESK_LABEL_FONT=/path/font.ttc` overrides the search for the main font.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.errors import UserError

log = logging.getLogger(__name__)

FONT_PACKAGE = "fonts-wqy-microhei"
FALLBACK_PACKAGE = "fonts-dejavu-core"
PDF_FONT_NAME = "PackdeskSans"
UNSUPPORTED = "[?]"  # printed for a run of characters that no installed font has
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
# Fallbacks for the scripts the main font lacks, first match wins per character (TrueType outlines).
_FALLBACKS = (
    "DejaVuSans.ttf",  # Hebrew, Arabic, Georgian, Armenian, Greek… (fonts-dejavu-core)
    "Arial Unicode.ttf",  # macOS
    "arial.ttf",  # Windows: Hebrew and Arabic
    "tahoma.ttf",
    "FreeSans.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansArabic-Regular.ttf",
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
    chars: frozenset[str] = frozenset()  # the same as characters, for a set test in C (see `covers`)

    def covers(self, text: str) -> bool:
        return self.chars.issuperset(text)

    def missing(self, text: str) -> set[str]:
        return set(text) - self.chars


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


def _found_files(candidates: tuple[str, ...] = _CANDIDATES, override: str | None = None) -> Iterator[Path]:
    if override:
        yield Path(override)
        return
    wanted = {name.lower(): rank for rank, name in enumerate(candidates)}
    hits: list[tuple[int, Path]] = []
    for folder in font_dirs():
        for root, _dirs, files in os.walk(folder):
            hits += [(wanted[f.lower()], Path(root) / f) for f in files if f.lower() in wanted]
    yield from (path for _rank, path in sorted(hits))


def _load(path: Path, pdf_name: str = PDF_FONT_NAME) -> tuple[LabelFont, TTFont]:
    ttf = TTFont(pdf_name, str(path), subfontIndex=0)
    face = ttf.face
    codepoints = frozenset(face.charToGlyph)
    chars = frozenset(chr(c) for c in codepoints if c < 0x110000)
    font = LabelFont(str(path), 0, pdf_name, codepoints, face.ascent / 1000, face.descent / 1000, chars)
    return font, ttf


_lock = threading.Lock()
_font: LabelFont | None = None
_fallbacks: tuple[LabelFont, ...] | None = None
_warned: set[str] = set()


def label_font() -> LabelFont:
    """Find, check and register the label font (once per process); FontMissing names the package."""
    global _font
    with _lock:
        if _font is not None:
            return _font
        problems = []
        for path in _found_files(override=os.environ.get("PACKDESK_LABEL_FONT")):
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


def fallback_fonts() -> tuple[LabelFont, ...]:
    """The installed fallback fonts (found and registered once per process, only when needed)."""
    global _fallbacks
    main = label_font()
    with _lock:
        if _fallbacks is None:
            found: list[LabelFont] = []
            for path in _found_files(_FALLBACKS):
                if str(path) == main.path:
                    continue
                try:
                    font, ttf = _load(path, f"{PDF_FONT_NAME}{len(found) + 1}")
                except Exception as exc:  # a damaged or CFF-outline font: skip it
                    log.info("fallback font %s not usable: %s", path, exc)
                    continue
                pdfmetrics.registerFont(ttf)
                found.append(font)
            _fallbacks = tuple(found)
            log.info("fallback label fonts: %s", ", ".join(f.path for f in found) or "none")
        return _fallbacks


def font_for(ch: str) -> LabelFont | None:
    """The font that draws `ch`: the label font, else the first fallback that has it."""
    main = label_font()
    if ord(ch) in main.codepoints:
        return main
    return next((f for f in fallback_fonts() if ord(ch) in f.codepoints), None)


def runs(text: str) -> list[tuple[LabelFont, str]]:
    """`text` split into runs drawn with one font each (a character no font has goes with the main one)."""
    main = label_font()
    if main.covers(text):
        return [(main, text)] if text else []
    result: list[tuple[LabelFont, str]] = []
    for ch in text:
        font = font_for(ch) or main
        if result and result[-1][0] is font:
            result[-1] = (font, result[-1][1] + ch)
        else:
            result.append((font, ch))
    return result


def printable(text: str) -> str:
    """The text as it will print: control characters become a space, Arabic is shaped, and a run of
    characters no font has becomes "[?]" (with a warning in the log, once per character)."""
    font = label_font()
    if font.covers(text) and text.isprintable():
        return text
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    if any(_is_arabic(ch) for ch in text):
        text = shape_arabic(text)
    out: list[str] = []
    lacking: list[str] = []
    for ch in text:
        if ord(ch) in font.codepoints or font_for(ch) is not None:
            out.append(ch)
            continue
        letters = _letters_of(ch)  # a joined Arabic form no font has: its plain letters, unjoined
        if letters and all(font_for(c) is not None for c in letters):
            out.append(letters)
            continue
        lacking.append(ch)
        while out and out[-1] == " " and len(out) > 1 and out[-2] == UNSUPPORTED:
            out.pop()  # words of one unsupported name: one mark
        if not out or out[-1] != UNSUPPORTED:
            out.append(UNSUPPORTED)
    new = set(lacking) - _warned
    if new:
        _warned.update(new)
        log.warning(
            "no installed font has %s (%s): printed as %s; install %s or a font with that script",
            "".join(sorted(new)),
            ", ".join(sorted({unicodedata.name(ch, f"U+{ord(ch):04X}").split(" ")[0] for ch in new})),
            UNSUPPORTED,
            FALLBACK_PACKAGE,
        )
    return "".join(out)


def text_width(text: str, size: float) -> float:
    """Advance width of `text` at em size `size` (in the same unit as `size`, e.g. dots)."""
    return float(sum(pdfmetrics.stringWidth(run, font.pdf_name, size) for font, run in runs(text)))


@functools.lru_cache(maxsize=128)
def pil_font(size: int, path: str = "", index: int = 0) -> ImageFont.FreeTypeFont:
    """A label font for Pillow at an em size in pixels (printer dots); the main one unless `path`."""
    if not path:
        font = label_font()
        path, index = font.path, font.index
    return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)


# -- right-to-left scripts ----------------------------------------------------------------------------


# Where right-to-left letters live (Hebrew to Arabic Extended, their presentation forms, and the
# historic scripts of the SMP): a quick test before the per-character bidi classes.
_MAY_BE_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")


def _is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def _is_arabic(ch: str) -> bool:
    return 0x0600 <= ord(ch) <= 0x06FF


def _letters_of(ch: str) -> str:
    """The letters a presentation form (e.g. Arabic final lam-alef) stands for; "" for other text."""
    parts = unicodedata.decomposition(ch).split()
    if len(parts) < 2 or parts[0] not in ("<isolated>", "<final>", "<initial>", "<medial>"):
        return ""
    return "".join(chr(int(h, 16)) for h in parts[1:])


def _presentation_forms() -> dict[tuple[str, str], str]:
    """(form, letters) → presentation form, from Unicode's Arabic Presentation Forms-B decompositions."""
    forms: dict[tuple[str, str], str] = {}
    for cp in range(0xFE70, 0xFEFF):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) >= 2 and parts[0] in ("<isolated>", "<final>", "<initial>", "<medial>"):
            forms[(parts[0][1:-1], "".join(chr(int(h, 16)) for h in parts[1:]))] = chr(cp)
    return forms


_FORMS = _presentation_forms()
_LAM, _ALEFS = "\u0644", "\u0622\u0623\u0625\u0627"


def _joins_next(ch: str) -> bool:
    """A dual-joining letter: it connects to the letter after it."""
    return ("initial", ch) in _FORMS or ch == "\u0640"


def _joins_previous(ch: str) -> bool:
    return ("final", ch) in _FORMS or ch == "\u0640"


def shape_arabic(text: str) -> str:
    """Arabic letters in their joined forms (isolated, initial, medial, final; lam-alef ligatures),
    still in logical order. A font draws Presentation Forms-B glyphs without a shaping engine."""
    letters: list[str] = []
    i = 0
    while i < len(text):  # lam + alef is one ligature that joins only on its right
        if text[i] == _LAM and i + 1 < len(text) and text[i + 1] in _ALEFS:
            letters.append(text[i : i + 2])
            i += 2
        else:
            letters.append(text[i])
            i += 1

    def joining(k: int, step: int) -> str | None:
        """The nearest letter before (step -1) or after (+1) position k, skipping combining marks."""
        k += step
        while 0 <= k < len(letters) and unicodedata.combining(letters[k][0]):
            k += step
        return letters[k] if 0 <= k < len(letters) else None

    out = []
    for k, unit in enumerate(letters):
        if not _is_arabic(unit[0]) or unicodedata.combining(unit[0]):
            out.append(unit)
            continue
        before, after = joining(k, -1), joining(k, 1)
        right = before is not None and len(before) == 1 and _joins_next(before) and _joins_previous(unit[-1])
        left = len(unit) == 1 and _joins_next(unit) and after is not None and _joins_previous(after[0])
        form = "medial" if right and left else "final" if right else "initial" if left else "isolated"
        out.append(_FORMS.get((form, unit), _FORMS.get(("isolated", unit), unit)))
    return "".join(out)


_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def visual(line: str) -> str:
    """One line in drawing order (left to right) for a left-to-right label: every right-to-left run
    (Hebrew, Arabic, with the spaces, punctuation and numbers between its letters) is reversed, its
    numbers kept left to right and its brackets mirrored. A simplified Unicode bidi algorithm."""
    if not _MAY_BE_RTL.search(line) or not any(_is_rtl(ch) for ch in line):
        return line
    kinds = ["R" if _is_rtl(ch) else "EN" if ch.isdigit() else "L" if ch.isalpha() else "N" for ch in line]
    out: list[str] = []
    i = 0
    while i < len(line):
        if kinds[i] != "R":
            out.append(line[i])
            i += 1
            continue
        end = i  # the run ends at its last right-to-left letter or number before a left-to-right letter
        j = i
        while j < len(line) and kinds[j] != "L":
            if kinds[j] in ("R", "EN"):
                end = j
            j += 1
        while end + 1 < len(line) and line[end + 1] in _CLOSING and _unclosed(line[i : end + 1]):
            end += 1  # the bracket that closes one opened inside the run belongs to it
        out.append(_reverse_run(line[i : end + 1]))
        i = end + 1
    return "".join(out)


_OPENING, _CLOSING = "([{«", ")]}»"


def _unclosed(run: str) -> bool:
    return sum(run.count(ch) for ch in _OPENING) > sum(run.count(ch) for ch in _CLOSING)


def _reverse_run(run: str) -> str:
    """A right-to-left run reversed: numbers (with their separators), and letters with their combining
    marks, stay as units."""
    units: list[str] = []
    for k, ch in enumerate(run):
        number_part = ch.isdigit() or (
            ch in ".,:/-" and 0 < k < len(run) - 1 and run[k - 1].isdigit() and run[k + 1].isdigit()
        )
        if units and (unicodedata.combining(ch) or (number_part and units[-1][0].isdigit())):
            units[-1] += ch
        else:
            units.append(ch)
    return "".join(reversed(units)).translate(_MIRROR)
