"""Packing slip (A6 or label size): the posting's items with quantities, offer ids and barcodes."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.postings import Posting, PostingItem
from app.domain.products import Product
from printing.barcodes import InvalidBarcode, Symbol, is_valid_ean13, looks_like_ean13, product_symbol
from printing.barcodes import code128 as code128_symbol
from printing.documents.captions import captions
from printing.documents.common import POSTING_MODULE_MM, PRODUCT_MODULE_MM, local_time, modules, number_pages
from printing.geometry import Stock
from printing.layout import Align, Page, Sheet, wrap


def primary_barcode(product: Product | None) -> str | None:
    """The code to print for a product: a valid EAN-13 first, then an OZN… code, then whatever there is."""
    if product is None or not product.barcodes:
        return None
    codes = [c.strip() for c in product.barcodes if c.strip()]
    for test in (is_valid_ean13, lambda c: c.upper().startswith("OZN"), lambda c: not looks_like_ean13(c)):
        for code in codes:
            if test(code):
                return code
    return codes[0] if codes else None


def item_symbol(product: Product | None) -> tuple[Symbol | None, str]:
    """The barcode to draw (None if there is none or it is refused) and the text to print under it."""
    code = primary_barcode(product)
    if code is None:
        return None, ""
    try:
        return product_symbol(code), code
    except InvalidBarcode:
        return None, code


def pages(posting: Posting, products: Mapping[int, Product], stock: Stock, dpi: int, language: str = "") -> list[Page]:
    c = captions(language)
    small = stock.height_mm < 60
    sheets: list[Sheet] = []

    def new_sheet() -> tuple[Sheet, int]:
        sheet = Sheet(stock, dpi, margin_mm=2 if small else 3)
        sheets.append(sheet)
        y = sheet.margin
        if len(sheets) == 1 and not small:
            y = sheet.text(sheet.left, y, c["slip_title"], sheet.mm(3), bold=True)
            y = sheet.text(sheet.left, y, posting.posting_number, sheet.mm(4.5), bold=True)
            bars = sheet.barcode(
                code128_symbol(posting.posting_number),
                y + sheet.mm(0.5),
                sheet.mm(8),
                modules(sheet, POSTING_MODULE_MM),
                x=sheet.left - sheet.mm(2),
            )
            y = bars.y + bars.height + sheet.mm(1)
            ship_by = local_time(posting.shipment_date)
            line = f"{c['order']} {posting.order_number}" + (f" · {c['ship_by']} {ship_by}" if ship_by else "")
            y = sheet.text(sheet.left, y, line, sheet.mm(2.8))
        else:
            y = sheet.text(sheet.left, y, posting.posting_number, sheet.mm(3), bold=True)
        sheet.hline(y + sheet.mm(0.5))
        return sheet, y + sheet.mm(1.5)

    sheet, y = new_sheet()
    footer = sheet.line_height(sheet.mm(2.6)) + sheet.mm(1)
    for n, item in enumerate(posting.products, 1):
        product = products.get(item.sku)
        height = _item_height(sheet, n, item)
        if y + height > sheet.bottom - footer and y > sheet.margin + sheet.mm(12):
            sheet, y = new_sheet()
        y = _item(sheet, y, n, item, product, c)
    total = f"{c['total']}: {posting.item_count} {c['pcs']}"
    if y + sheet.line_height(sheet.mm(3.5)) > sheet.bottom - footer:
        sheet, y = new_sheet()
    sheet.text(sheet.right, y, total, sheet.mm(3.5), align=Align.RIGHT, bold=True)
    number_pages(sheets, c["page"])
    return [s.page() for s in sheets]


def _sizes(sheet: Sheet) -> tuple[int, int, int, int]:
    """Em sizes of the item name, the quantity, small print; and the barcode height."""
    return sheet.mm(3.2), sheet.mm(4.2), sheet.mm(2.6), sheet.mm(9)


def _item_height(sheet: Sheet, n: int, item: PostingItem) -> int:
    name, qty, small, bar = _sizes(sheet)
    lines = min(2, len(wrap(f"{n}. {item.name}", name, sheet.inner_width)))
    return lines * sheet.line_height(name) + sheet.line_height(qty) + bar + sheet.line_height(small) + sheet.mm(3)


def _item(sheet: Sheet, y: int, n: int, item: PostingItem, product: Product | None, c: dict[str, str]) -> int:
    name, qty, small, bar = _sizes(sheet)
    y = sheet.paragraph(sheet.left, y, f"{n}. {item.name}", name, max_lines=2)
    below_qty = sheet.text(sheet.right, y, f"× {item.quantity} {c['pcs']}", qty, align=Align.RIGHT, bold=True)
    y = sheet.text(
        sheet.left,
        y,
        f"{c['article']}: {item.offer_id}   SKU {item.sku}",
        small + 2,
        max_width=sheet.inner_width * 3 // 5,
    )
    y = max(y, below_qty)
    symbol, code = item_symbol(product)
    if symbol is not None:
        try:
            bars = sheet.barcode(symbol, y + sheet.mm(0.8), bar, modules(sheet, PRODUCT_MODULE_MM))
            y = bars.y + bars.height + sheet.mm(0.3)
        except InvalidBarcode:
            code = f"{code} ({symbol.symbology.value})"
        y = sheet.text(sheet.width // 2, y, code, small, align=Align.CENTER)
    elif code:
        y = sheet.text(sheet.left, y, f"{code}: {c['bad_ean']}", small, bold=True)
    else:
        y = sheet.text(sheet.left, y, c["no_barcode"], small)
    sheet.hline(y + sheet.mm(0.5), thickness=1)
    return y + sheet.mm(1.5)
