"""A posting's dispute pack as ONE PDF: the escalation's facts, items and full timeline (scans, marking
codes, prints, actions, the handover), then the print jobs, the buyer chat as plain text, the returns
linked to the posting, and last the files Ozon sent and Packdesk cached (the label, the handover
acts) as pages of their own. Times are Moscow time, as in the escalation PDF."""

from __future__ import annotations

import io
from datetime import datetime

from app.chat.escalation import Topic, moscow
from app.dispute_pack import DisputePack
from printing import pdf
from printing.documents.common import number_pages
from printing.documents.escalation import DPI, facts_sheets
from printing.geometry import A4
from printing.layout import Sheet

HEADING = "Материалы по спору"
_PRINT_STATES = {"waiting": "ждёт этикетку Ozon", "queued": "в очереди", "done": "напечатано", "failed": "ошибка"}
_PRINT_KINDS = {"ozon_label": "этикетка Ozon", "own_label": "своя этикетка", "slip": "упаковочный лист", "act": "акт"}
_AUTHORS = {"customer": "Покупатель", "seller": "Продавец", "support": "Поддержка Ozon", "crm": "Ozon"}


def dispute_pack_pdf(pack: DisputePack, generated_at: datetime, *, shop: str = "", note: str = "") -> bytes:
    """The whole pack; the cached label and act PDFs follow the text pages, page for page."""
    sheets = facts_sheets(pack.facts, Topic.BUYER_DISPUTE, note, generated_at, shop=shop, dpi=DPI, heading=HEADING)
    sheets += _more_sheets(pack)
    number_pages(sheets, "Стр. {n} из {m}")
    text = pdf.render([s.page() for s in sheets], title=f"dispute-{pack.posting_number}")
    if not pack.attachments:
        return text
    return _merge(text, [a.pdf for a in pack.attachments])


def _merge(first: bytes, others: list[bytes]) -> bytes:
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument(first)
    try:
        for data in others:
            try:
                src = pdfium.PdfDocument(data)
            except pdfium.PdfiumError:
                continue  # a damaged cached file: the text pages still go out
            try:
                out.import_pages(src)
            finally:
                src.close()
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()


class _Writer:
    """Sections of wrapped lines over as many A4 sheets as they need."""

    def __init__(self, posting_number: str) -> None:
        self.sheets: list[Sheet] = []
        self.running = f"{HEADING} · отправление {posting_number}"
        self._new()

    def _new(self) -> None:
        self.sheet = Sheet(A4, DPI, margin_mm=10)
        self.sheets.append(self.sheet)
        s = self.sheet
        self.y = s.text(s.left, s.margin, self.running, s.mm(2.8), bold=True) + s.mm(2)
        self.footer = s.line_height(s.mm(2.6)) + s.mm(2)

    def _room(self, height: int) -> None:
        if self.y + height > self.sheet.bottom - self.footer:
            self._new()

    def section(self, title: str) -> None:
        s = self.sheet
        self._room(s.mm(16))
        s = self.sheet
        self.y = s.text(s.left, self.y + s.mm(2), title, s.mm(4.2), bold=True) + s.mm(1)
        s.hline(self.y, thickness=max(2, s.mm(0.3)))
        self.y += s.mm(1)

    def entry(self, head: str, body: str = "", bold_head: bool = True) -> None:
        s = self.sheet
        size = s.mm(3)
        lines = 1 + (len(body) // 90 + 1 if body else 0)
        self._room(min(lines, 8) * s.line_height(size) + s.mm(1.5))
        s = self.sheet
        self.y = s.paragraph(s.left, self.y, head, size, bold=bold_head, max_lines=2)
        if body:
            self.y = s.paragraph(s.left + s.mm(4), self.y, body, size, max_lines=6)
        self.y += s.mm(1.2)


def _more_sheets(pack: DisputePack) -> list[Sheet]:
    w = _Writer(pack.posting_number)
    w.section(f"Печать ({len(pack.prints)})" if pack.prints else "Печать: заданий не было")
    for job in pack.prints:
        kind = _PRINT_KINDS.get(job.kind, job.kind)
        state = _PRINT_STATES.get(job.state, job.state)
        when = moscow(job.printed_at or job.created_at)
        head = f"{when} · {kind}{' (перепечатка)' if job.is_reprint else ''} · {state}"
        body = " · ".join(x for x in (job.reason, job.user) if x)
        w.entry(head, body, bold_head=False)
    title = f"Чат с покупателем ({len(pack.chat)} сообщ., чат {pack.chat_id})" if pack.chat_id else ""
    w.section(title or "Чат с покупателем: не найден в Packdesk")
    for line in pack.chat:
        w.entry(f"{moscow(line.at)} · {_AUTHORS.get(line.author, line.author)}", line.text or "—")
    w.section(f"Возвраты ({len(pack.returns)})" if pack.returns else "Возвраты: нет")
    for r in pack.returns:
        head = f"Возврат {r.kind.upper()} № {r.return_id} · {r.status}"
        facts = [
            f"создан {moscow(r.created_at)}" if r.created_at else "",
            f"изменён {moscow(r.changed_at)}" if r.changed_at else "",
            f"SKU {r.sku} ({r.offer_id}) × {r.quantity}: {r.product_name}",
            f"причина: {r.reason}" if r.reason else "",
            *(f"принят на складе: {line}" for line in r.receipts),
        ]
        w.entry(head, "; ".join(x for x in facts if x))
    w.section(f"Приложены файлы Ozon ({len(pack.attachments)})" if pack.attachments else "Файлы Ozon: не сохранены")
    for a in pack.attachments:
        w.entry(a.title, "— на следующих страницах", bold_head=False)
    return w.sheets
