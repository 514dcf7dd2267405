"""1-bit bitmaps at the printer's resolution: text for ZPL/TSPL, Ozon's PDF label, page previews.

Convention in Packdesk: a bitmap is a Pillow mode "1" image, 1 pixel = 1 printer dot, white paper = 1
and black = 0 (TSPL's polarity; the ZPL writer inverts it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageOps

from printing import fonts
from printing.layout import Align, Bars, Bitmap, Page, Rect, Text, bold_extra

# Ozon's PDF is rendered at this many times the printer's resolution, then each printer dot is black
# when at least half of it is covered. That rounds every bar edge to the nearest dot; rendering at the
# printer's resolution directly lets pdfium thin every bar by a dot.
SUPERSAMPLE = 4


@dataclass(frozen=True, slots=True)
class TextBitmap:
    image: Image.Image  # mode "1", 0 = black, cropped to the ink
    left: int  # offset of the image from the text's x (after alignment) and baseline
    top: int


@functools.lru_cache(maxsize=4096)
def text_bitmap(text: str, size: int, bold: bool = False) -> TextBitmap:
    """The text drawn without anti-aliasing (a thermal dot is on or off), cropped to its ink."""
    font = fonts.pil_font(size)
    stroke = bold_extra(size) if bold else 0
    left, top, right, bottom = (int(v) for v in font.getbbox(text, anchor="ls", stroke_width=stroke))
    width, height = max(1, right - left), max(1, bottom - top)
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    draw.text((-left, -top), text, font=font, fill=0, anchor="ls", stroke_width=stroke, stroke_fill=0)
    return TextBitmap(image, left, top)


def text_origin(e: Text) -> int:
    """x of the text's start once aligned, using the same advance the raster font has."""
    if e.align is Align.LEFT:
        return e.x
    advance = round(fonts.pil_font(e.size).getlength(e.text))
    return e.x - (advance // 2 if e.align is Align.CENTER else advance)


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


def to_png(image: Image.Image) -> bytes:
    import io

    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()
