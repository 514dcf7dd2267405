"""The PDFs Ozon hands out: 75×120 mm package labels and the carriage act.

Barcodes sit on the 203 dpi dot grid (modules and x positions are whole printer dots) so that a label
rasterized at 203 dpi still decodes, as a real thermal print would.
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

from .model import Carriage, Posting

DOT = 72 / 203  # one 203 dpi printer dot in points
LABEL_W_DOTS, LABEL_H_DOTS = 600, 960  # 75 × 120 mm
LABEL_SIZE = (75 * mm, 120 * mm)

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
)
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                      "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))
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


def _barcode(canvas: Canvas, value: str, module_dots: int, height_dots: int, y_dots: int) -> None:
    """Code 128 centred on the label, every bar edge on the dot grid."""
    quiet = 10 * module_dots * DOT
    code = Code128(value, barWidth=module_dots * DOT, barHeight=height_dots * DOT, humanReadable=False,
                   quiet=True, lquiet=quiet, rquiet=quiet)
    width_dots = round(code.width / DOT)
    x_dots = max((LABEL_W_DOTS - width_dots) // 2, 0)
    code.drawOn(canvas, x_dots * DOT, y_dots * DOT)


def _draw_label(c: Canvas, p: Posting) -> None:
    font = _font_name()
    w, h = LABEL_SIZE
    c.setLineWidth(1)
    c.rect(3 * mm, 3 * mm, w - 6 * mm, h - 6 * mm)
    c.setFont(font, 16)
    c.drawString(6 * mm, h - 11 * mm, "OZON")
    c.setFont(font, 8)
    c.drawRightString(w - 6 * mm, h - 10 * mm, p.shipment_date.strftime("%d.%m.%Y"))
    c.drawString(6 * mm, h - 16 * mm, _text(p.method.name)[:52])
    c.drawString(6 * mm, h - 20 * mm, _text(f"{p.customer.city}, {p.customer.delivery_type}")[:52])
    # Lower barcode: the number Ozon scans, 3-dot modules.
    _barcode(c, p.lower_barcode, module_dots=3, height_dots=200, y_dots=560)
    c.setFont(font, 11)
    c.drawCentredString(w / 2, 520 * DOT, p.lower_barcode)
    c.setFont(font, 18)
    c.drawCentredString(w / 2, 465 * DOT, p.number)
    # Posting number barcode, 2-dot modules.
    _barcode(c, p.number, module_dots=2, height_dots=130, y_dots=300)
    c.setFont(font, 9)
    items = sum(line.quantity for line in p.lines)
    c.drawString(6 * mm, 21 * mm, p.upper_barcode)
    c.drawString(6 * mm, 16 * mm, _text(f"Заказ {p.order_number}   Товаров: {items}"))
    c.drawString(6 * mm, 11 * mm, _text(p.method.warehouse.name))
    c.drawRightString(w - 6 * mm, 11 * mm, p.scanit)


def labels(postings: Sequence[Posting]) -> bytes:
    """One 75×120 mm page per posting."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=LABEL_SIZE, invariant=True)
    c.setTitle("ticket")
    for p in postings:
        _draw_label(c, p)
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
        subtitle = (f"{carriage.method.name}; отгрузка {carriage.departure_date:%d.%m.%Y}; "
                    f"сформирован {now:%d.%m.%Y %H:%M}")
        c.drawString(20 * mm, h - 27 * mm, _text(subtitle))
        c.drawRightString(w - 20 * mm, h - 20 * mm, _text(f"Лист {page + 1} из {pages}"))
        y = h - 38 * mm
        for i, p in enumerate(postings[page * rows_per_page:(page + 1) * rows_per_page], page * rows_per_page + 1):
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
