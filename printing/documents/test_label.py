"""A test label: frame and millimetre ruler (scale and offset), the three scripts, and two barcodes."""

from __future__ import annotations

from datetime import datetime

from printing.barcodes import code128, ean13
from printing.documents.captions import captions
from printing.documents.common import POSTING_MODULE_MM, PRODUCT_MODULE_MM, local_time, modules
from printing.geometry import Stock
from printing.layout import Align, Page, Sheet

TEST_CODE = "PD-TEST-1234"
TEST_EAN = "4601234567893"


def pages(stock: Stock, dpi: int, printer_format: str, now: datetime | None = None) -> list[Page]:
    c = captions("ru")
    s = Sheet(stock, dpi, margin_mm=3)
    compact = stock.height_mm < 60
    # A frame 1 mm inside the edge: all four sides must print, or the label is offset or the size wrong.
    edge = s.mm(1)
    s.frame(edge, edge, s.width - 2 * edge, s.height - 2 * edge, thickness=2)
    # Ruler: a tick every millimetre, longer every 5 and 10; count them to check the scale.
    for mm in range(0, int(stock.width_mm) - 5, 1):
        x = s.mm(3 + mm)
        if x >= s.right:
            break
        length = s.mm(3 if mm % 10 == 0 else 2 if mm % 5 == 0 else 1)
        s.rect(x, s.mm(2), 1 if dpi < 300 else 2, length)
    y = s.mm(6)
    size = s.mm(3 if compact else 4)
    y = s.text(s.width // 2, y, c["test_title"], size, align=Align.CENTER, bold=True)
    y = s.text(s.width // 2, y, c["test_scripts"], size, align=Align.CENTER)
    info = f"{stock.name} mm · {dpi} dpi · {printer_format.upper()} · {local_time(now or datetime.now().astimezone())}"
    y = s.text(s.width // 2, y, info, s.mm(2.6), align=Align.CENTER)
    bars = s.barcode(code128(TEST_CODE), y + s.mm(1), s.mm(8 if compact else 18), modules(s, POSTING_MODULE_MM))
    y = s.text(s.width // 2, bars.y + bars.height + s.mm(0.3), TEST_CODE, s.mm(2.6), align=Align.CENTER)
    if not compact:
        bars = s.barcode(ean13(TEST_EAN), y + s.mm(2), s.mm(18), modules(s, PRODUCT_MODULE_MM))
        s.text(s.width // 2, bars.y + bars.height + s.mm(0.3), TEST_EAN, s.mm(2.6), align=Align.CENTER)
    return [s.page()]
