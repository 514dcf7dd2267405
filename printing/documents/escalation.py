"""Escalation to Ozon support: an A4 PDF for the seller portal with the posting's facts, its items and
the whole timeline (Moscow time, as support reads it), over as many pages as the timeline needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.chat.escalation import EscalationFacts, Topic, counts_text, moscow
from printing import pdf
from printing.documents.common import number_pages
from printing.geometry import A4
from printing.layout import Align, Page, Sheet, wrap

DPI = 300
# Timeline column left edges in mm from the left margin (190 mm between A4 margins).
_COLUMNS = {"no": 0, "time": 9, "event": 40, "detail": 100, "user": 165, "end": 190}
_ITEM_COLUMNS = {"sku": 0, "offer": 28, "name": 68, "qty": 190}
_LABEL_MM = 42  # the facts table: label column width


def escalation_pdf(
    facts: EscalationFacts, topic: Topic | str, note: str, generated_at: datetime, *, shop: str = ""
) -> bytes:
    """The A4 PDF; `shop` (the seller's name, e.g. the label sender) heads it when given."""
    return pdf.render(pages(facts, Topic.parse(topic), note, generated_at, shop=shop), title="escalation")


def _facts_rows(facts: EscalationFacts, topic: Topic, note: str) -> list[tuple[str, str]]:
    rows = [
        ("Тема обращения", topic.wording[:1].upper() + topic.wording[1:]),
        ("Отправление", facts.posting_number),
        ("Заказ", facts.order_number),
        ("Статус", facts.status_text + (f" / {facts.substatus}" if facts.substatus else "")),
    ]
    if facts.local_status and facts.local_status != facts.status:
        rows.append(("Ждёт отправки в Ozon", facts.local_status))
    rows += [
        ("Отгрузить до", moscow(facts.ship_by) or "—"),
        ("Способ доставки", facts.delivery_method or "—"),
        ("Склад", facts.warehouse or "—"),
        ("Служба доставки", facts.tpl_provider or "—"),
        ("Схема", "rFBS (доставка продавца)" if facts.is_rfbs else "FBS"),
        ("Трек-номер", facts.tracking_number or "—"),
    ]
    if facts.carriage or facts.act or facts.in_carriage:
        rows.append(("Передача", "; ".join(x for x in (facts.carriage, facts.act) if x) or "в отгрузке"))
    if facts.marking_codes:
        codes = ", ".join(ident for _, ident in facts.marking_codes)
        rows.append((f"Коды «Честный ЗНАК» ({len(facts.marking_codes)})", codes))
    if note.strip():
        rows.append(("Комментарий продавца", " ".join(note.split())))
    return rows


def pages(
    facts: EscalationFacts, topic: Topic, note: str, generated_at: datetime, *, shop: str = "", dpi: int = DPI
) -> list[Page]:
    sheets = facts_sheets(facts, topic, note, generated_at, shop=shop, dpi=dpi)
    number_pages(sheets, "Стр. {n} из {m}")
    return [s.page() for s in sheets]


def facts_sheets(
    facts: EscalationFacts,
    topic: Topic,
    note: str,
    generated_at: datetime,
    *,
    shop: str = "",
    dpi: int = DPI,
    heading: str = "Обращение в поддержку Ozon",
) -> list[Sheet]:
    """The facts, items and timeline sheets, not numbered yet (a dispute pack adds its own after them)."""
    sheets: list[Sheet] = []

    def new_sheet() -> Sheet:
        sheet = Sheet(A4, dpi, margin_mm=10)
        sheets.append(sheet)
        return sheet

    sheet = new_sheet()
    footer = sheet.line_height(sheet.mm(2.6)) + sheet.mm(2)
    y = sheet.margin
    y = sheet.text(sheet.left, y, heading, sheet.mm(6), bold=True)
    head = f"Отправление {facts.posting_number} · заказ {facts.order_number}"
    y = sheet.text(sheet.left, y, head, sheet.mm(4), bold=True)
    byline = f"Сформировано {moscow(generated_at)} · время в документе — московское (МСК)"
    if shop:
        byline = f"Продавец: {shop} · " + byline
    y = sheet.paragraph(sheet.left, y, byline, sheet.mm(2.8), max_lines=2) + sheet.mm(2)
    sheet.hline(y, thickness=max(2, sheet.mm(0.4)))
    y += sheet.mm(2)

    # -- facts: label | value, values wrapped ------------------------------------------------------
    text, small = sheet.mm(3.2), sheet.mm(2.6)
    label_w = sheet.mm(_LABEL_MM)
    for label, value in _facts_rows(facts, topic, note):
        lines = wrap(value, text, sheet.inner_width - label_w)[:12]
        height = max(len(lines), 1) * sheet.line_height(text) + sheet.mm(1)
        if y + height > sheet.bottom - footer:
            sheet = new_sheet()
            y = sheet.margin
        sheet.text(sheet.left, y, label, text, bold=True, max_width=label_w - sheet.mm(2))
        for i, line in enumerate(lines):
            sheet.text(sheet.left + label_w, y + i * sheet.line_height(text), line, text)
        y += height
        sheet.hline(y - sheet.mm(0.5), thickness=1)
    y += sheet.mm(4)

    # -- items ---------------------------------------------------------------------------------------
    y = _section(sheet, y, f"Товары ({sum(i.quantity for i in facts.items)} шт.)")
    y = _item_header(sheet, y)
    for item in facts.items:
        name = wrap(item.name, text, sheet.mm(_ITEM_COLUMNS["qty"] - _ITEM_COLUMNS["name"] - 16))[:3]
        height = max(1, len(name)) * sheet.line_height(text) + sheet.mm(1)
        if y + height > sheet.bottom - footer:
            sheet = new_sheet()
            y = _item_header(sheet, sheet.margin)
        sheet.text(sheet.left, y, str(item.sku), text)
        sheet.text(sheet.left + sheet.mm(_ITEM_COLUMNS["offer"]), y, item.offer_id, text, max_width=sheet.mm(38))
        for i, line in enumerate(name):
            sheet.text(sheet.left + sheet.mm(_ITEM_COLUMNS["name"]), y + i * sheet.line_height(text), line, text)
        sheet.text(sheet.right, y, f"{item.quantity} шт.", text, bold=True, align=Align.RIGHT)
        y += height
        sheet.hline(y - sheet.mm(0.5), thickness=1)
    y += sheet.mm(4)

    # -- the timeline: every event, as many pages as it takes ---------------------------------------
    events = facts.timeline
    title = f"Хронология ({len(events)} событий)" if events else "Хронология: событий не записано"
    if y + sheet.mm(20) > sheet.bottom - footer:
        sheet = new_sheet()
        y = sheet.margin
    y = _section(sheet, y, title)
    if events:
        y = sheet.paragraph(sheet.left, y, counts_text(events), small, max_lines=3) + sheet.mm(1)
        y = _timeline_header(sheet, y)
    widths = {k: sheet.mm(_COLUMNS[n] - _COLUMNS[k] - 2) for k, n in _NEXT.items()}
    for n, e in enumerate(events, 1):
        cells = {
            "event": wrap(e.title, small, widths["event"])[:4],
            "detail": wrap(e.detail, small, widths["detail"])[:6] if e.detail else [],
            "user": wrap(e.user, small, widths["user"])[:2] if e.user else [],
        }
        height = max(1, *(len(v) for v in cells.values())) * sheet.line_height(small) + sheet.mm(1.2)
        if y + height > sheet.bottom - footer:
            sheet = new_sheet()
            running = f"{heading} · отправление {facts.posting_number} · хронология (продолжение)"
            y = sheet.text(sheet.left, sheet.margin, running, sheet.mm(2.8), bold=True) + sheet.mm(1)
            y = _timeline_header(sheet, y)
        top = y + sheet.mm(0.4)
        sheet.text(sheet.left, top, str(n), small)
        sheet.text(_x(sheet, "time"), top, moscow(e.at).removesuffix(" МСК"), small)
        for key, lines in cells.items():
            for i, line in enumerate(lines):
                sheet.text(_x(sheet, key), top + i * sheet.line_height(small), line, small, max_width=widths[key])
        y += height
        sheet.hline(y - sheet.mm(0.4), thickness=1)
    return sheets


_NEXT = {"event": "detail", "detail": "user", "user": "end"}


def _x(sheet: Sheet, column: str) -> int:
    return sheet.left + sheet.mm(_COLUMNS[column])


def _section(sheet: Sheet, y: int, title: str) -> int:
    return sheet.text(sheet.left, y, title, sheet.mm(4.2), bold=True) + sheet.mm(1)


def _item_header(sheet: Sheet, y: int) -> int:
    head = sheet.mm(2.8)
    for key, caption in (("sku", "SKU"), ("offer", "Артикул"), ("name", "Товар")):
        sheet.text(sheet.left + sheet.mm(_ITEM_COLUMNS[key]), y, caption, head, bold=True)
    y = sheet.text(sheet.right, y, "Кол-во", head, bold=True, align=Align.RIGHT)
    sheet.hline(y, thickness=max(2, sheet.mm(0.3)))
    return y + sheet.mm(1)


def _timeline_header(sheet: Sheet, y: int) -> int:
    head = sheet.mm(2.8)
    captions: Sequence[tuple[str, str]] = (
        ("no", "№"),
        ("time", "Время, МСК"),
        ("event", "Событие"),
        ("detail", "Подробности"),
        ("user", "Кто"),
    )
    for key, caption in captions:
        y_end = sheet.text(_x(sheet, key), y, caption, head, bold=True)
    sheet.hline(y_end, thickness=max(2, sheet.mm(0.3)))
    return y_end + sheet.mm(1)
