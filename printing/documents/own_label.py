"""Packdesk's own package label / waybill: for rFBS (the seller delivers) and as an internal parcel tag.

The main barcode is the posting number (Code 128), also printed large. Then the recipient and the
pickup point or address, delivery method, carrier and tracking number (with its own barcode when
there is room), item count, ship-by date and sender. Small stock (58×40) gets the compact version.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.postings import Posting
from printing import fonts
from printing.barcodes import code128
from printing.documents.captions import captions
from printing.documents.common import POSTING_MODULE_MM, local_time, modules
from printing.geometry import Stock
from printing.layout import Align, Page, Sheet, wrap


def pages(postings: Sequence[Posting], stock: Stock, dpi: int, sender: str = "") -> list[Page]:
    """One page per posting."""
    return [page(p, stock, dpi, sender) for p in postings]


def page(posting: Posting, stock: Stock, dpi: int, sender: str = "") -> Page:
    if stock.height_mm < 60:
        return _compact(posting, Sheet(stock, dpi, margin_mm=2), sender)
    return _full(posting, Sheet(stock, dpi), sender)


def _destination(p: Posting, c: dict[str, str]) -> str:
    place = ", ".join(part for part in (p.city, p.address) if part)
    if p.pvz_code:
        place = f"{c['pickup_point']} {p.pvz_code}" + (f": {place}" if place else "")
    return place


def _full(p: Posting, s: Sheet, sender: str) -> Page:
    c = captions("ru")
    k = min(2.0, s.stock.width_mm / 75, s.stock.height_mm / 120)  # bigger stock, bigger print

    def size(mm: float) -> int:
        return s.mm(mm * k)

    gap = size(1.2)
    y = s.margin
    s.frame(s.mm(1), s.mm(1), s.width - 2 * s.mm(1), s.height - 2 * s.mm(1), thickness=max(2, s.mm(0.3)))

    # Delivery method (how couriers sort; two lines when long) and the ship-by date.
    ship_by = local_time(p.shipment_date, "%d.%m.%Y")
    below_date = s.text(s.right, y, ship_by, size(3.2), align=Align.RIGHT, bold=True) if ship_by else y
    method_width = s.inner_width - (s.inner_width // 3 if ship_by else 0)
    method = p.delivery_method_name or c["delivery"]
    head = size(3.2)
    y = max(
        below_date,
        s.fit_paragraph(s.left, y, method, head, size(2.6), 2 * s.line_height(head), max_width=method_width, bold=True),
    )
    s.hline(y, thickness=max(2, s.mm(0.3)))
    y += gap

    # The posting number: large text and the main barcode.
    y = s.text(s.width // 2, y, p.posting_number, size(6.5), align=Align.CENTER, bold=True, min_size=size(4))
    low, high = POSTING_MODULE_MM
    bars = s.barcode(code128(p.posting_number), y + gap, size(26), modules(s, (low, high * k)))
    y = bars.y + bars.height + 2 * gap
    s.hline(y)
    y += gap

    # What goes below the address, measured first so that the address gets all the room left.
    line = size(3.2)
    sender_text = f"{c['sender']}: {sender or p.warehouse_name}" if sender or p.warehouse_name else ""
    sender_lines = min(2, len(wrap(fonts.printable(sender_text), line, s.inner_width))) if sender_text else 0
    footer_lines = 1 + sender_lines + (1 if p.shipment_date else 0)
    footer = s.bottom - footer_lines * s.line_height(line) - gap - s.mm(1)
    track_symbol = code128(p.tracking_number) if p.tracking_number else None
    track_bars = track_symbol is not None and s.barcode_fits(track_symbol, modules(s, POSTING_MODULE_MM))
    carrier = s.line_height(line) + (s.line_height(line) if p.tracking_number else 0)
    carrier += gap // 2 + size(9) + gap if track_bars else 0
    limit = footer - gap // 2 - carrier - gap  # the rule above the carrier at the lowest

    # Recipient and where it goes: the name on up to two lines, the address as large as fits.
    y = s.text(s.left, y, c["recipient"], size(2.6))
    name = size(4.5)
    y = s.fit_paragraph(s.left, y, p.customer_name or "—", name, size(3.4), 2 * s.line_height(name), bold=True)
    # Up to 4.8 mm: a short address (a city, a pickup point) reads from across the courier's van.
    y = s.fit_paragraph(s.left, y, _destination(p, c) or "—", size(4.8), size(2.4), limit - y)
    y += gap
    s.hline(y)
    y += gap

    # Carrier and tracking number (its barcode only when it fits: a courier scans the carrier's own).
    y = s.text(s.left, y, f"{c['carrier']}: {p.tpl_provider or '—'}", line)
    if p.tracking_number and track_symbol is not None:
        y = s.text(s.left, y, f"{c['tracking']}: {p.tracking_number}", line, bold=True)
        if track_bars:
            track = s.barcode(track_symbol, y + gap // 2, size(9), modules(s, POSTING_MODULE_MM))
            y = track.y + track.height + gap
    # Order, item count, sender: at the foot of the label.
    y = max(y + gap // 2, footer)
    s.hline(y)
    y += gap
    s.text(s.right, y, f"{c['items']}: {p.item_count}", size(4), align=Align.RIGHT, bold=True)
    y = s.text(s.left, y, f"{c['order']} {p.order_number}", line, max_width=s.inner_width * 3 // 5)
    if sender_text:
        y = s.paragraph(s.left, y, sender_text, line, max_lines=2)
    if p.shipment_date:
        s.text(s.left, y, f"{c['ship_by']}: {local_time(p.shipment_date)}", line)
    return s.page()


def _compact(p: Posting, s: Sheet, sender: str) -> Page:
    """58×40: the number, its barcode, the address in all the room left, item count and ship-by."""
    c = captions("ru")
    y = s.margin
    y = s.text(s.width // 2, y, p.posting_number, s.mm(4.2), align=Align.CENTER, bold=True)
    small = s.mm(2.6)
    foot = s.bottom - s.line_height(small)  # the item count and ship-by line, at the bottom
    where = _destination(p, c) or p.delivery_method_name or "—"
    # The barcode gives up height (18 mm down to 13 mm, still easy to scan) before the address is cut.
    for bar_mm in (18, 16, 14, 13):
        top = y + s.mm(0.8) + s.mm(bar_mm) + s.mm(1)
        if s.fitting_size(where, small, s.mm(2.2), foot - s.mm(0.5) - top) is not None:
            break
    bars = s.barcode(code128(p.posting_number), y + s.mm(0.8), s.mm(bar_mm), modules(s, POSTING_MODULE_MM))
    y = bars.y + bars.height + s.mm(1)
    s.fit_paragraph(s.left, y, where, small, s.mm(2), foot - s.mm(0.5) - y)
    ship_by = local_time(p.shipment_date, "%d.%m")
    s.text(s.right, foot, f"{c['ship_by']} {ship_by}" if ship_by else "", small, align=Align.RIGHT, bold=True)
    s.text(s.left, foot, f"{c['items']}: {p.item_count}", small, bold=True, max_width=s.inner_width // 2)
    return s.page()
