"""A sheet of command barcodes (NEXT, REPRINT, SHIP ALL, ABORT) for scanner-only work."""

from __future__ import annotations

from printing import commands
from printing.barcodes import code128
from printing.documents.captions import captions
from printing.documents.common import COMMAND_MODULE_MM, modules
from printing.geometry import Stock
from printing.layout import Align, Page, Sheet


def pages(stock: Stock, dpi: int, language: str = "") -> list[Page]:
    """All four commands on one page, stacked, each with its caption and code."""
    c = captions(language)
    sheet = Sheet(stock, dpi, margin_mm=10 if stock.is_sheet else 3)
    y = sheet.margin
    title = sheet.mm(6 if stock.is_sheet else 3.5)
    y = sheet.text(sheet.width // 2, y, c["commands_title"], title, align=Align.CENTER, bold=True)
    slot = (sheet.bottom - y) // len(commands.ALL)
    caption = min(sheet.mm(7 if stock.is_sheet else 4), slot // 5)
    small = max(sheet.mm(2.2), caption // 2)
    for i, code in enumerate(commands.ALL):
        top = y + i * slot + sheet.mm(1)
        below = sheet.text(sheet.width // 2, top, c[code], caption, align=Align.CENTER, bold=True)
        height = min(sheet.mm(25), slot - (below - top) - sheet.line_height(small) - sheet.mm(3))
        bars = sheet.barcode(code128(code), below + sheet.mm(0.5), height, modules(sheet, COMMAND_MODULE_MM))
        sheet.text(sheet.width // 2, bars.y + bars.height + sheet.mm(0.3), code, small, align=Align.CENTER)
    return [sheet.page()]
