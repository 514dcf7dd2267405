"""Handover act / shipping list for the courier: the postings with their barcodes and places, totals
and signature lines. Packdesk's own, for when Ozon's carriage act is not available (Ozon's PDF, when
there is one, prints as it is: see `printing.documents.ozon_label.merge`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from app.domain.postings import Posting
from printing.barcodes import code128
from printing.documents.captions import captions
from printing.documents.common import POSTING_MODULE_MM, local_time, modules, number_pages
from printing.geometry import A4, Stock
from printing.layout import Align, Page, Sheet

# Column left edges in mm from the left margin (190 mm between A4 margins).
_COLUMNS = {"no": 0, "posting": 9, "barcode": 58, "places": 150, "items": 170, "end": 190}


def pages(
    postings: Sequence[Posting],
    dpi: int,
    *,
    sender: str = "",
    number: str = "",
    places: Mapping[str, int] | None = None,
    stock: Stock = A4,
    language: str = "",
    now: datetime | None = None,
) -> list[Page]:
    """`places`: boxes per posting (1 when not given)."""
    c = captions(language)
    when = now or datetime.now().astimezone()
    places = places or {}
    sheets: list[Sheet] = []
    scale = (stock.width_mm - 20) / _COLUMNS["end"]

    def col(name: str, sheet: Sheet) -> int:
        return sheet.left + sheet.mm(_COLUMNS[name] * scale)

    def new_sheet() -> tuple[Sheet, int]:
        sheet = Sheet(stock, dpi, margin_mm=10)
        sheets.append(sheet)
        y = sheet.margin
        if len(sheets) == 1:
            y = sheet.text(sheet.left, y, c["act_title"], sheet.mm(5.5), bold=True)
            y = sheet.text(
                sheet.left, y, c["act_number"].format(number=number or "____", date=local_time(when)), sheet.mm(3.5)
            )
            methods = sorted({p.delivery_method_name for p in postings if p.delivery_method_name})
            for label, value in ((c["sender"], sender), (c["delivery"], "; ".join(methods))):
                if value:
                    y = sheet.paragraph(sheet.left, y, f"{label}: {value}", sheet.mm(3.2), max_lines=2)
            y += sheet.mm(2)
        head = sheet.mm(2.8)
        sheet.text(col("no", sheet), y, c["col_no"], head, bold=True)
        sheet.text(col("posting", sheet), y, c["col_posting"], head, bold=True)
        sheet.text(col("barcode", sheet), y, c["col_barcode"], head, bold=True)
        sheet.text(col("items", sheet) - sheet.mm(2), y, c["col_places"], head, bold=True, align=Align.RIGHT)
        y = sheet.text(sheet.right, y, c["items"], head, bold=True, align=Align.RIGHT)
        sheet.hline(y, thickness=max(2, sheet.mm(0.3)))
        return sheet, y + sheet.mm(1)

    sheet, y = new_sheet()
    text = sheet.mm(3.4)
    bar_height = sheet.mm(9)
    row = bar_height + sheet.mm(4)
    signatures = sheet.mm(60)
    footer = sheet.line_height(sheet.mm(2.6)) + sheet.mm(2)
    total_places = total_units = 0
    for n, posting in enumerate(postings, 1):
        if y + row > sheet.bottom - footer:
            sheet, y = new_sheet()
        boxes = max(1, places.get(posting.posting_number, 1))
        total_places += boxes
        total_units += posting.item_count
        top = y + sheet.mm(1.5)
        baseline_top = top + (bar_height - sheet.line_height(text)) // 2
        sheet.text(col("no", sheet), baseline_top, str(n), text)
        sheet.text(
            col("posting", sheet),
            baseline_top,
            posting.posting_number,
            text,
            bold=True,
            max_width=col("barcode", sheet) - col("posting", sheet) - sheet.mm(2),
        )
        room = col("places", sheet) - col("barcode", sheet) - sheet.mm(2)
        sheet.barcode(
            code128(posting.posting_number),
            top,
            bar_height,
            modules(sheet, POSTING_MODULE_MM),
            x=col("barcode", sheet) - sheet.mm(2),
            max_width=room,
        )
        sheet.text(col("items", sheet) - sheet.mm(2), baseline_top, str(boxes), text, align=Align.RIGHT)
        sheet.text(sheet.right, baseline_top, str(posting.item_count), text, align=Align.RIGHT)
        y += row
        sheet.hline(y, thickness=1)
    if y + signatures > sheet.bottom - footer:
        sheet, y = new_sheet()
    y += sheet.mm(3)
    totals = c["act_totals"].format(postings=len(postings), places=total_places, units=total_units)
    y = sheet.text(sheet.left, y, totals, sheet.mm(3.6), bold=True) + sheet.mm(8)
    half = sheet.inner_width // 2
    for i, who in enumerate((c["handed"], c["received"])):
        x = sheet.left + i * half
        line_end = x + half - sheet.mm(8)
        sheet.text(x, y, who, sheet.mm(3.2), bold=True)
        for j, caption in enumerate((c["signature"], c["full_name"], c["date_time"])):
            rule_y = y + sheet.mm(12) + j * sheet.mm(10)
            sheet.hline(rule_y, x, line_end, thickness=1)
            sheet.text(x, rule_y + sheet.mm(0.6), caption, sheet.mm(2.4))
    number_pages(sheets, c["page"])
    return [s.page() for s in sheets]
