"""Pages as display lists in printer dots, and a small builder that lays text and barcodes out.

A document is a list of `Page`s; each holds text, barcodes, filled rectangles and bitmaps at whole
dot positions of the target printer. The PDF, ZPL, TSPL and raster back ends draw the same list, so
what a test decodes from one is what the others print.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import StrEnum

from PIL import Image

from printing import fonts
from printing.barcodes import InvalidBarcode, Symbol
from printing.geometry import Stock, mm_to_dots

ELLIPSIS = "…"
LINE_SPACING = 1.2  # line pitch as a multiple of the em size


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text; `x` is its left, centre or right edge (per `align`), `baseline` its baseline.
    `text` is in drawing order, left to right (right-to-left runs already reversed by the layout)."""

    x: int
    baseline: int
    text: str
    size: int  # em size in dots
    align: Align = Align.LEFT
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Bars:
    """A barcode: `x` is the first bar (the quiet zones are left free around it by the layout)."""

    x: int
    y: int
    symbol: Symbol
    module: int  # dots per module
    height: int

    @property
    def width(self) -> int:
        return len(self.symbol.modules) * self.module


@dataclass(frozen=True, slots=True)
class Rect:
    """A filled rectangle (rules and frame lines)."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True, eq=False)
class Bitmap:
    """A 1-bit image placed 1 pixel = 1 dot (Ozon's label rendered for a thermal printer)."""

    x: int
    y: int
    image: Image.Image  # mode "1", 0 = black


Element = Text | Bars | Rect | Bitmap


@dataclass(frozen=True, slots=True)
class Page:
    stock: Stock
    dpi: int
    elements: tuple[Element, ...]

    @property
    def width(self) -> int:
        """In dots."""
        return self.stock.dots(self.dpi)[0]

    @property
    def height(self) -> int:
        return self.stock.dots(self.dpi)[1]

    def barcodes(self) -> list[Bars]:
        return [e for e in self.elements if isinstance(e, Bars)]

    def texts(self) -> list[Text]:
        return [e for e in self.elements if isinstance(e, Text)]


def bold_extra(size: int) -> int:
    """How many dots a bold stroke adds on each side of a glyph."""
    return max(1, round(size / 28))


def text_width(text: str, size: int, bold: bool = False) -> int:
    extra = 2 * bold_extra(size) if bold else 0
    return round(fonts.text_width(text, size)) + extra


@dataclass
class Sheet:
    """Builds one page: positions in dots, helpers in mm, text shrunk or wrapped to fit."""

    stock: Stock
    dpi: int
    margin_mm: float = 3.0
    elements: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.width, self.height = self.stock.dots(self.dpi)
        self.margin = self.mm(self.margin_mm)

    # -- units ---------------------------------------------------------------------------------

    def mm(self, value: float) -> int:
        return mm_to_dots(value, self.dpi)

    @property
    def left(self) -> int:
        return self.margin

    @property
    def right(self) -> int:
        return self.width - self.margin

    @property
    def inner_width(self) -> int:
        return self.right - self.left

    @property
    def bottom(self) -> int:
        return self.height - self.margin

    def page(self) -> Page:
        return Page(self.stock, self.dpi, tuple(self.elements))

    # -- drawing -------------------------------------------------------------------------------

    def rect(self, x: int, y: int, width: int, height: int) -> None:
        if width > 0 and height > 0:
            self.elements.append(Rect(x, y, width, height))

    def hline(self, y: int, x0: int | None = None, x1: int | None = None, thickness: int = 2) -> None:
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        self.rect(x0, y, x1 - x0, thickness)

    def frame(self, x: int, y: int, width: int, height: int, thickness: int = 2) -> None:
        self.rect(x, y, width, thickness)
        self.rect(x, y + height - thickness, width, thickness)
        self.rect(x, y, thickness, height)
        self.rect(x + width - thickness, y, thickness, height)

    def text(
        self,
        x: int,
        top: int,
        text: str,
        size: int,
        *,
        align: Align = Align.LEFT,
        bold: bool = False,
        max_width: int | None = None,
        min_size: int | None = None,
    ) -> int:
        """One line whose top is at `top`; shrinks to `min_size`, then truncates with '…'. Returns
        the y below the line."""
        text = fonts.printable(" ".join(text.split()))
        if max_width is None:
            max_width = {
                Align.LEFT: self.right - x,
                Align.RIGHT: x - self.left,
                Align.CENTER: 2 * min(x - self.left, self.right - x),
            }[align]
        low = min_size if min_size is not None else max(6, round(size * 0.7))
        while size > low and text_width(text, size, bold) > max_width:
            size -= 1
        text = _truncate(text, size, bold, max_width)
        if text:
            self.elements.append(Text(x, top + self.ascent(size), fonts.visual(text), size, align, bold))
        return top + self.line_height(size)

    def paragraph(
        self,
        x: int,
        top: int,
        text: str,
        size: int,
        *,
        max_width: int | None = None,
        max_lines: int = 3,
        bold: bool = False,
    ) -> int:
        """Wrapped text (words, or characters for Chinese); the last line ends in '…' if it overflows."""
        max_width = self.right - x if max_width is None else max_width
        lines = wrap(fonts.printable(" ".join(text.split())), size, max_width, bold)
        if len(lines) > max_lines:
            lines = [
                *lines[: max_lines - 1],
                _truncate(" ".join(lines[max_lines - 1 :]) + ELLIPSIS, size, bold, max_width, force=True),
            ]
        y = top
        for line in lines:
            self.elements.append(Text(x, y + self.ascent(size), fonts.visual(line), size, Align.LEFT, bold))
            y += self.line_height(size)
        return y

    def fitting_size(
        self, text: str, size: int, min_size: int, max_height: int, *, max_width: int | None = None, bold: bool = False
    ) -> int | None:
        """The largest em size from `size` down to `min_size` at which `text` wraps into `max_height`."""
        max_width = self.inner_width if max_width is None else max_width
        text = fonts.printable(" ".join(text.split()))
        for em in range(size, min_size - 1, -1):
            if len(wrap(text, em, max_width, bold)) * self.line_height(em) <= max_height:
                return em
        return None

    def fit_paragraph(
        self,
        x: int,
        top: int,
        text: str,
        size: int,
        min_size: int,
        max_height: int,
        *,
        max_width: int | None = None,
        bold: bool = False,
    ) -> int:
        """Wrapped text in the room it is given: as large as fits between `size` and `min_size`, and only
        if it does not fit even at `min_size` are the lines that fit kept, the last ending in '…'."""
        max_width = self.right - x if max_width is None else max_width
        em = self.fitting_size(text, size, min_size, max_height, max_width=max_width, bold=bold)
        if em is None:
            em = min_size
            max_lines = max(1, max_height // self.line_height(em))
        else:
            max_lines = 1_000
        return self.paragraph(x, top, text, em, max_width=max_width, max_lines=max_lines, bold=bold)

    def barcode_fits(self, symbol: Symbol, modules: range) -> bool:
        """Whether `barcode` can place `symbol` centred on the page (the same room it allows)."""
        room = self.width - 2 * max(0, self.margin - self.mm(2))
        return any(symbol.width * m <= room for m in modules)

    def ascent(self, size: int) -> int:
        return round(size * fonts.label_font().ascent)

    @staticmethod
    def line_height(size: int) -> int:
        return round(size * LINE_SPACING)

    def barcode(
        self,
        symbol: Symbol,
        top: int,
        height: int,
        modules: range,
        *,
        x: int | None = None,
        max_width: int | None = None,
    ) -> Bars:
        """Place a barcode with the widest module of `modules` whose symbol and quiet zones fit.

        Centred on the page unless `x` (the left edge of the left quiet zone) is given; the quiet
        zones may reach into the page margin but never off the page. Raises InvalidBarcode when even
        the narrowest module does not fit, rather than printing a code that will not scan.
        """
        if x is None:
            room = self.width - 2 * max(0, self.margin - self.mm(2)) if max_width is None else max_width
        else:
            room = (self.width - x) if max_width is None else max_width
        fitting = [m for m in modules if symbol.width * m <= room]
        if not fitting:
            raise InvalidBarcode(
                "barcode_too_wide",
                f"the barcode {symbol.value} does not fit on a {self.stock.name} label at {self.dpi} dpi",
                value=symbol.value,
            )
        module = max(fitting)
        left = (self.width - symbol.width * module) // 2 if x is None else x
        bars = Bars(left + symbol.quiet_left * module, top, symbol, module, height)
        self.elements.append(bars)
        return bars

    def bitmap(self, x: int, y: int, image: Image.Image) -> None:
        self.elements.append(Bitmap(x, y, image))


def wrap(text: str, size: int, max_width: int, bold: bool = False) -> list[str]:
    """Greedy line breaking at spaces; a word wider than the line breaks after a hyphen, else (and
    Chinese text) anywhere."""
    return list(_wrap(text, size, max_width, bold))


@functools.lru_cache(maxsize=1024)
def _wrap(text: str, size: int, max_width: int, bold: bool) -> tuple[str, ...]:
    """`wrap`, remembered: a label tries a paragraph at a few sizes, then sets the one that fits."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        # The word alone: break it after a hyphen, else by characters, where needed.
        while "-" in word[:-1] and text_width(word, size, bold) > max_width:
            cut = word.rfind("-", 0, len(word) - 1)
            while cut > 0 and text_width(word[: cut + 1], size, bold) > max_width:
                cut = word.rfind("-", 0, cut)
            if cut <= 0:
                break
            lines.append(word[: cut + 1])
            word = word[cut + 1 :]
        for ch in word:
            if text_width(line + ch, size, bold) <= max_width or not line:
                line += ch
            else:
                lines.append(line)
                line = ch
    if line:
        lines.append(line)
    return tuple(lines)


def _truncate(text: str, size: int, bold: bool, max_width: int, force: bool = False) -> str:
    if not force and text_width(text, size, bold) <= max_width:
        return text
    body = text.removesuffix(ELLIPSIS)
    while body and text_width(body + ELLIPSIS, size, bold) > max_width:
        body = body[:-1]
    return body.rstrip() + ELLIPSIS if body else ""
