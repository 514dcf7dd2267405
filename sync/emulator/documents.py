"""The PDFs Ozon hands out: package labels (75×120 mm "big", 58×40 mm "small") and the carriage act.

Barcodes sit on the 203 dpi dot grid (modules and x positions are whole printer dots) so that a label
rasterized at 203 dpi still decodes, as a real thermal print would.

Labels are Ozon's "new FBS labels" (printed since 2026-10-05): they all carry ``scanit``. The main barcode
is ``lower_barcode``, or ``scanit`` for postings on the new labels only (``barcodes`` ``"0"``). A big label
has the main barcode, the posting number barcode and, under them, a ``scanit`` barcode when the main one is
not already scanit; a small label has the main barcode and the posting number barcode only.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import datetime

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .codes import NO_BARCODE
from .model import Carriage, Posting

DOT = 72 / 203  # one 203 dpi printer dot in points
LABEL_SIZE, LABEL_W_DOTS = (75 * mm, 120 * mm), 600  # 600 × 960 dots
SMALL_LABEL_SIZE, SMALL_LABEL_W_DOTS = (58 * mm, 40 * mm), 464  # 464 × 320 dots

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
)
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)
_font: str | None = None


def _font_name() -> str:
    """A TrueType font with Cyrillic if the system has one, else Helvetica (text gets transliterated)."""
    global _font
    if _font is None:
        _font = "Helvetica"
        for path in _FONT_CANDIDATES:
            if os.path.exists(path):
                try:
                    pdfmetrics.registerFont(TTFont("EmuSans", path))
                except Exception:  # noqa: S112 - a broken font file just means the next candidate
                    continue
                _font = "EmuSans"
                break
    return _font


def _text(value: str) -> str:
    if _font_name() != "Helvetica":
        return value
    out = []
    for ch in value:
        low = ch.lower()
        if low in _TRANSLIT:
            t = _TRANSLIT[low]
            out.append(t.capitalize() if ch != low else t)
        else:
            out.append(ch if ord(ch) < 128 else "?")
    return "".join(out)


def _barcode(
    canvas: Canvas, value: str, module_dots: int, height_dots: int, y_dots: int, page_dots: int = LABEL_W_DOTS
) -> None:
    """Code 128 centred on a page ``page_dots`` wide, every bar edge on the dot grid."""
    quiet = 10 * module_dots * DOT
    code = Code128(
        value,
        barWidth=module_dots * DOT,
        barHeight=height_dots * DOT,
        humanReadable=False,
        quiet=True,
        lquiet=quiet,
        rquiet=quiet,
    )
    width_dots = round(code.width / DOT)
    x_dots = max((page_dots - width_dots) // 2, 0)
    code.drawOn(canvas, x_dots * DOT, y_dots * DOT)


def main_barcode(p: Posting) -> str:
    """What the sorting centre scans: lower_barcode, or scanit on the new labels only."""
    return p.scanit if p.lower_barcode == NO_BARCODE else p.lower_barcode


def _draw_label(c: Canvas, p: Posting) -> None:
    font = _font_name()
    w, h = LABEL_SIZE
    main = main_barcode(p)
    c.setLineWidth(1)
    c.rect(3 * mm, 3 * mm, w - 6 * mm, h - 6 * mm)
    c.setFont(font, 16)
    c.drawString(6 * mm, h - 11 * mm, "OZON")
    c.setFont(font, 8)
    c.drawRightString(w - 6 * mm, h - 10 * mm, p.shipment_date.strftime("%d.%m.%Y"))
    c.drawString(6 * mm, h - 16 * mm, _text(p.method.name)[:52])
    c.drawString(6 * mm, h - 20 * mm, _text(f"{p.customer.city}, {p.customer.delivery_type}")[:52])
    # The main barcode, 3-dot modules.
    _barcode(c, main, module_dots=3, height_dots=200, y_dots=560)
    c.setFont(font, 11)
    c.drawCentredString(w / 2, 520 * DOT, main)
    c.setFont(font, 18)
    c.drawCentredString(w / 2, 465 * DOT, p.number)
    # Posting number barcode, 2-dot modules.
    _barcode(c, p.number, module_dots=2, height_dots=130, y_dots=300)
    if main != p.scanit:
        _barcode(c, p.scanit, module_dots=2, height_dots=70, y_dots=215)
        c.setFont(font, 8)
        c.drawCentredString(w / 2, 192 * DOT, p.scanit)
    c.setFont(font, 9)
    items = sum(line.quantity for line in p.lines)
    if p.upper_barcode != NO_BARCODE:
        c.drawString(6 * mm, 21 * mm, p.upper_barcode)
    c.drawString(6 * mm, 16 * mm, _text(f"Заказ {p.order_number}   Товаров: {items}"))
    c.drawString(6 * mm, 11 * mm, _text(p.method.warehouse.name))


def _draw_small_label(c: Canvas, p: Posting) -> None:
    font = _font_name()
    w, h = SMALL_LABEL_SIZE
    main = main_barcode(p)
    c.setLineWidth(1)
    c.rect(2 * mm, 2 * mm, w - 4 * mm, h - 4 * mm)
    c.setFont(font, 10)
    c.drawString(4 * mm, 282 * DOT, "OZON")
    c.setFont(font, 7)
    c.drawRightString(w - 4 * mm, 282 * DOT, p.shipment_date.strftime("%d.%m.%Y"))
    _barcode(c, main, module_dots=2, height_dots=90, y_dots=176, page_dots=SMALL_LABEL_W_DOTS)
    c.drawCentredString(w / 2, 154 * DOT, main)
    _barcode(c, p.number, module_dots=2, height_dots=70, y_dots=66, page_dots=SMALL_LABEL_W_DOTS)
    c.setFont(font, 9)
    c.drawCentredString(w / 2, 30 * DOT, p.number)


def labels(postings: Sequence[Posting], small: bool = False) -> bytes:
    """One page per posting, in the given order: 75×120 mm, or 58×40 mm with ``small``."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=SMALL_LABEL_SIZE if small else LABEL_SIZE, invariant=True)
    c.setTitle("ticket")
    draw = _draw_small_label if small else _draw_label
    for p in postings:
        draw(c, p)
        c.showPage()
    c.save()
    return buf.getvalue()


def act(carriage: Carriage, postings: Sequence[Posting], now: datetime) -> bytes:
    """The act of acceptance and shipping list: an A4 table of the carriage's postings."""
    font = _font_name()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=True)
    w, h = A4
    rows_per_page = 40
    pages = max(1, -(-len(postings) // rows_per_page))
    for page in range(pages):
        c.setFont(font, 13)
        c.drawString(20 * mm, h - 20 * mm, _text(f"Акт приёма-передачи № {carriage.id}"))
        c.setFont(font, 9)
        subtitle = (
            f"{carriage.method.name}; отгрузка {carriage.departure_date:%d.%m.%Y}; сформирован {now:%d.%m.%Y %H:%M}"
        )
        c.drawString(20 * mm, h - 27 * mm, _text(subtitle))
        c.drawRightString(w - 20 * mm, h - 20 * mm, _text(f"Лист {page + 1} из {pages}"))
        y = h - 38 * mm
        for i, p in enumerate(postings[page * rows_per_page : (page + 1) * rows_per_page], page * rows_per_page + 1):
            items = sum(line.quantity for line in p.lines)
            total = sum(line.price * line.quantity for line in p.lines) // 100
            c.drawString(20 * mm, y, str(i))
            c.drawString(30 * mm, y, p.number)
            c.drawString(85 * mm, y, _text(f"{items} шт."))
            c.drawRightString(w - 20 * mm, y, f"{total} RUB")
            y -= 6 * mm
        if page == pages - 1:
            c.drawString(20 * mm, 25 * mm, _text(f"Всего отправлений: {len(postings)}"))
            c.drawString(20 * mm, 18 * mm, _text("Сдал ____________        Принял ____________"))
        c.showPage()
    c.save()
    return buf.getvalue()
