"""1-bit bitmaps at the printer's resolution: text for ZPL/TSPL, Ozon's PDF label, page previews.

Convention in Packdesk: a bitmap is a Pillow mode "1" image, 1 pixel = 1 printer dot, white paper = 1
and black = 0 (TSPL's polarity; the ZPL writer inverts it).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageOps

from printing import fonts
from printing.layout import Align, Bars, Bitmap, Page, Rect, Text, bold_extra

# Ozon's PDF is rendered at this many times the printer's resolution, then each printer dot is black
# when at least half of it is covered. That rounds every bar edge to the nearest dot; rendering at the
# printer's resolution directly lets pdfium thin every bar by a dot.
SUPERSAMPLE = 3


@dataclass(frozen=True, slots=True)
class TextBitmap:
    image: Image.Image  # mode "1", 0 = black, cropped to the ink
    left: int  # offset of the image from the text's x (after alignment) and baseline
    top: int


@dataclass(frozen=True, slots=True)
class _Glyph:
    mask: Image.Image | None  # mode "1", 1 = ink; None for a space
    left: int  # ink box relative to the pen position on the baseline
    top: int
    advance: float


# A FreeType face is not safe to use from two threads at once (the spooler's worker and a preview).
_freetype = threading.Lock()


@functools.lru_cache(maxsize=8192)
def _glyph(ch: str, size: int, bold: bool) -> _Glyph:
    """One character drawn without anti-aliasing (a thermal dot is on or off)."""
    stroke = bold_extra(size) if bold else 0
    face = fonts.font_for(ch) or fonts.label_font()
    with _freetype:
        font = fonts.pil_font(size, face.path, face.index)
        left, top, right, bottom = (int(v) for v in font.getbbox(ch, anchor="ls", stroke_width=stroke))
        advance = font.getlength(ch)
        if right <= left or bottom <= top:
            return _Glyph(None, 0, 0, advance)
        mask = Image.new("1", (right - left, bottom - top), 0)
        draw = ImageDraw.Draw(mask)
        draw.fontmode = "1"
        draw.text((-left, -top), ch, font=font, fill=1, anchor="ls", stroke_width=stroke, stroke_fill=1)
    return _Glyph(mask, left, top, advance)


@functools.lru_cache(maxsize=4096)
def text_bitmap(text: str, size: int, bold: bool = False) -> TextBitmap:
    """The text as a 1-bit bitmap cropped to its ink, set glyph by glyph from a cache: the label font
    has no kerning, and a packing desk prints the same few hundred characters over and over."""
    placed = []
    pen = 0.0
    for ch in text:
        glyph = _glyph(ch, size, bold)
        if glyph.mask is not None:
            placed.append((round(pen) + glyph.left, glyph.top, glyph.mask))
        pen += glyph.advance
    if not placed:
        return TextBitmap(Image.new("1", (1, 1), 1), 0, 0)
    left = min(x for x, _, _ in placed)
    top = min(y for _, y, _ in placed)
    right = max(x + m.width for x, _, m in placed)
    bottom = max(y + m.height for _, y, m in placed)
    image = Image.new("1", (right - left, bottom - top), 1)
    for x, y, mask in placed:
        image.paste(0, (x - left, y - top), mask)
    return TextBitmap(image, left, top)


def advance(text: str, size: int, bold: bool = False) -> int:
    return round(sum(_glyph(ch, size, bold).advance for ch in text))


def text_origin(e: Text) -> int:
    """x of the text's start once aligned, using the same advances the raster glyphs have."""
    if e.align is Align.LEFT:
        return e.x
    width = advance(e.text, e.size, e.bold)
    return e.x - (width // 2 if e.align is Align.CENTER else width)


def placed_text(e: Text) -> tuple[int, int, Image.Image]:
    bm = text_bitmap(e.text, e.size, e.bold)
    return text_origin(e) + bm.left, e.baseline + bm.top, bm.image


def page_image(page: Page) -> Image.Image:
    """The page as the printer would print it (for previews and for checking the thermal writers)."""
    image = Image.new("1", (page.width, page.height), 1)
    draw = ImageDraw.Draw(image)
    for e in page.elements:
        if isinstance(e, Rect):
            draw.rectangle((e.x, e.y, e.x + e.width - 1, e.y + e.height - 1), fill=0)
        elif isinstance(e, Bars):
            for start, width in e.symbol.bars():
                x0 = e.x + start * e.module
                draw.rectangle((x0, e.y, x0 + width * e.module - 1, e.y + e.height - 1), fill=0)
        elif isinstance(e, Text):
            x, y, bitmap = placed_text(e)
            image.paste(0, (x, y), mask=ImageOps.invert(bitmap.convert("L")))
        elif isinstance(e, Bitmap):
            image.paste(0, (e.x, e.y), mask=ImageOps.invert(e.image.convert("L")))
    return image


def pdf_page_bitmap(pdf: bytes, index: int, dpi: int, scale: float = 1.0, rotate: int = 0) -> Image.Image:
    """One PDF page as a 1-bit bitmap at `dpi` (times `scale`), rotated clockwise by `rotate` degrees."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[index]
        w_pt, h_pt = page.get_size()
        if rotate in (90, 270):
            w_pt, h_pt = h_pt, w_pt
        width, height = round(w_pt / 72 * dpi * scale), round(h_pt / 72 * dpi * scale)
        k = SUPERSAMPLE
        big = page.render(scale=dpi / 72 * scale * k, rotation=rotate, grayscale=True).to_pil().convert("L")
        page.close()
    finally:
        doc.close()
    box = (0, 0, min(width * k, big.width), min(height * k, big.height))
    small = big.resize((width, height), Image.Resampling.BOX, box=box)
    return small.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def byte_aligned(image: Image.Image) -> Image.Image:
    """Widen to whole bytes with white paper, so no row of a raw bitmap ends in stray black bits."""
    width = (image.width + 7) // 8 * 8
    if width == image.width:
        return image
    wide = Image.new("1", (width, image.height), 1)
    wide.paste(image, (0, 0))
    return wide
