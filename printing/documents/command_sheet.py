"""Command barcodes (NEXT, REPRINT, SHIP ALL, ABORT, NEW BOX, ACK) for scanner-only work: all on one A4
sheet, three per 75×120 label, one per small label."""

from __future__ import annotations

from printing import commands
from printing.barcodes import code128
from printing.documents.captions import captions
from printing.documents.common import COMMAND_MODULE_MM, POSTING_MODULE_MM, modules
from printing.geometry import Stock
from printing.layout import Align, Page, Sheet


def pages(stock: Stock, dpi: int, language: str = "") -> list[Page]:
    c = captions(language)
    per_page = len(commands.ALL) if stock.is_sheet else 1 if stock.height_mm < 60 else 3
    # Wide modules scan best from a worn sheet; narrow ones only where the label leaves no choice.
    widths = (POSTING_MODULE_MM[0], COMMAND_MODULE_MM[1])
    result = []
    for start in range(0, len(commands.ALL), per_page):
        sheet = Sheet(stock, dpi, margin_mm=10 if stock.is_sheet else 2)
        y = sheet.margin
        if per_page > 1:
            title = sheet.mm(6 if stock.is_sheet else 3.5)
            y = sheet.text(sheet.width // 2, y, c["commands_title"], title, align=Align.CENTER, bold=True) + sheet.mm(2)
        slot = (sheet.bottom - y) // per_page
        caption = min(sheet.mm(7 if stock.is_sheet else 4.5), slot // 5)
        small = max(sheet.mm(2.2), caption // 2)
        for i, code in enumerate(commands.ALL[start : start + per_page]):
            top = y + i * slot + sheet.mm(1)
            below = sheet.text(sheet.width // 2, top, c[code], caption, align=Align.CENTER, bold=True)
            height = min(sheet.mm(25), slot - (below - top) - sheet.line_height(small) - sheet.mm(3))
            bars = sheet.barcode(code128(code), below + sheet.mm(0.5), height, modules(sheet, widths))
            sheet.text(sheet.width // 2, bars.y + bars.height + sheet.mm(0.3), code, small, align=Align.CENTER)
        result.append(sheet.page())
    return result
