"""Pick list for many postings: every item summed by SKU, with its barcode and the postings it goes to,
sorted by offer id (sellers name shelf places in their offer ids, so this is the walking order)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.postings import Posting
from app.domain.products import Product
from printing.barcodes import InvalidBarcode
from printing.documents.captions import captions
from printing.documents.common import PRODUCT_MODULE_MM, local_time, modules, natural_key, number_pages
from printing.documents.slip import item_symbol
from printing.geometry import A4, Stock
from printing.layout import Align, Page, Sheet, wrap


@dataclass
class PickLine:
    sku: int
    offer_id: str
    name: str
    quantity: int = 0
    postings: list[tuple[str, int]] = field(default_factory=list)  # (posting number, quantity)


def pick_lines(postings: Sequence[Posting]) -> list[PickLine]:
    """Items summed by SKU, in shelf-walking order (offer id, naturally sorted)."""
    by_sku: dict[int, PickLine] = {}
    for posting in postings:
        for item in posting.products:
            line = by_sku.setdefault(item.sku, PickLine(item.sku, item.offer_id, item.name))
            line.quantity += item.quantity
            if line.postings and line.postings[-1][0] == posting.posting_number:
                line.postings[-1] = (posting.posting_number, line.postings[-1][1] + item.quantity)
            else:
                line.postings.append((posting.posting_number, item.quantity))
    return sorted(by_sku.values(), key=lambda ln: (natural_key(ln.offer_id), ln.sku))


# Column left edges in mm from the left margin (A4: 190 mm between margins); scaled to other stock.
_COLUMNS = {"no": 0, "offer": 7, "name": 35, "qty": 85, "barcode": 98, "postings": 148, "end": 190}


def pages(
    postings: Sequence[Posting],
    products: Mapping[int, Product],
    dpi: int,
    stock: Stock = A4,
    language: str = "",
    now: datetime | None = None,
) -> list[Page]:
    c = captions(language)
    lines = pick_lines(postings)
    units = sum(ln.quantity for ln in lines)
    sheets: list[Sheet] = []
    scale = (stock.width_mm - 20) / _COLUMNS["end"]

    def col(name: str, sheet: Sheet) -> int:
        return sheet.left + sheet.mm(_COLUMNS[name] * scale)

    def width(start: str, end: str, sheet: Sheet) -> int:
        return col(end, sheet) - col(start, sheet) - sheet.mm(1.5)

    def new_sheet() -> tuple[Sheet, int]:
        sheet = Sheet(stock, dpi, margin_mm=10)
        sheets.append(sheet)
        y = sheet.margin
        if len(sheets) == 1:
            sheet.text(
                sheet.right,
                y,
                c["created"].format(date=local_time(now or datetime.now().astimezone())),
                sheet.mm(2.8),
                align=Align.RIGHT,
            )
            y = sheet.text(sheet.left, y, c["picklist_title"], sheet.mm(6), bold=True)
            summary = c["picklist_summary"].format(postings=len(postings), lines=len(lines), units=units)
            y = sheet.text(sheet.left, y, summary, sheet.mm(3.2)) + sheet.mm(2)
        head = sheet.mm(2.8)
        for key, name, align in (
            ("no", "col_no", Align.LEFT),
            ("offer", "col_offer", Align.LEFT),
            ("name", "col_name", Align.LEFT),
            ("barcode", "col_barcode", Align.LEFT),
            ("postings", "col_postings", Align.LEFT),
        ):
            sheet.text(col(key, sheet), y, c[name], head, bold=True, align=align)
        y = sheet.text(col("barcode", sheet) - sheet.mm(1.5), y, c["col_qty"], head, bold=True, align=Align.RIGHT)
        sheet.hline(y, thickness=max(2, sheet.mm(0.3)))
        return sheet, y + sheet.mm(1.5)

    sheet, y = new_sheet()
    text, qty_size, small = sheet.mm(3.2), sheet.mm(4.5), sheet.mm(2.6)
    bar_height = sheet.mm(8)
    footer = sheet.line_height(sheet.mm(2.6)) + sheet.mm(2)
    for n, line in enumerate(lines, 1):
        name_lines = wrap(line.name, text, width("name", "qty", sheet))[:3]
        posting_texts = [f"{number} × {qty}" for number, qty in line.postings]
        max_posting_lines = max(1, (sheet.bottom - footer - sheet.mm(40)) // sheet.line_height(small))
        if len(posting_texts) > max_posting_lines:
            rest = len(posting_texts) - (max_posting_lines - 1)
            posting_texts = [*posting_texts[: max_posting_lines - 1], c["more"].format(n=rest)]
        height = max(
            len(name_lines) * sheet.line_height(text),
            bar_height + sheet.mm(1) + sheet.line_height(small),
            len(posting_texts) * sheet.line_height(small),
        ) + sheet.mm(2.5)
        if y + height > sheet.bottom - footer:
            sheet, y = new_sheet()
        top = y + sheet.mm(0.5)
        sheet.text(col("no", sheet), top, str(n), text)
        sheet.text(col("offer", sheet), top, line.offer_id, text, bold=True, max_width=width("offer", "name", sheet))
        for i, name_line in enumerate(name_lines):
            sheet.text(col("name", sheet), top + i * sheet.line_height(text), name_line, text)
        sheet.text(col("barcode", sheet) - sheet.mm(2), top, str(line.quantity), qty_size, bold=True, align=Align.RIGHT)
        _barcode_cell(
            sheet,
            products.get(line.sku),
            col("barcode", sheet),
            top,
            width("barcode", "postings", sheet),
            bar_height,
            small,
            c,
        )
        for i, posting_text in enumerate(posting_texts):
            sheet.text(
                col("postings", sheet),
                top + i * sheet.line_height(small),
                posting_text,
                small,
                max_width=width("postings", "end", sheet),
            )
        y += height
        sheet.hline(y - sheet.mm(0.5), thickness=1)
    number_pages(sheets, c["page"])
    return [s.page() for s in sheets]


def _barcode_cell(
    sheet: Sheet,
    product: Product | None,
    x: int,
    top: int,
    room: int,
    bar_height: int,
    small: int,
    c: dict[str, str],
) -> None:
    symbol, code = item_symbol(product)
    if symbol is None:
        sheet.paragraph(
            x, top, f"{code}: {c['bad_ean']}" if code else c["no_barcode"], small, max_width=room, max_lines=2
        )
        return
    try:
        # x is where the quiet zone starts: the column's left edge.
        bars = sheet.barcode(symbol, top, bar_height, modules(sheet, PRODUCT_MODULE_MM), x=x, max_width=room)
    except InvalidBarcode:
        sheet.text(x, top, code, small, max_width=room)
        return
    sheet.text(
        bars.x + bars.width // 2, bars.y + bars.height + sheet.mm(0.3), code, small, align=Align.CENTER, max_width=room
    )
