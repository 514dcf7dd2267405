"""The dispute pack: one PDF with the posting's facts and timeline, a scan, a marking code, the print
jobs, the buyer chat, the returns, and Ozon's cached label as a page of its own; `main.py
dispute-pack` writes it, an unknown posting is one line and exit 1."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
from reportlab.pdfgen.canvas import Canvas

from app import dispute_pack, label_files
from app.context import AppContext, open_context
from app.db.tables import ChatMessageRow, ChatRow, ReturnRow
from printing.documents.dispute_pack import dispute_pack_pdf
from tests.app.factories import NOW
from tests.app.test_escalation import NUMBER, build

LABEL_TEXT = "OZON-LABEL-PAGE"


def _label_pdf() -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(283, 425))
    canvas.drawString(20, 200, LABEL_TEXT)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def fill(ctx: AppContext, *, label: bool = True) -> None:
    build(ctx.db)
    with ctx.db.write() as s:
        order = NUMBER.rsplit("-", 1)[0]
        s.add(ChatRow(chat_id="chat-1", chat_type="Buyer_Seller", posting_number=NUMBER, order_number=order))
        s.flush()
        for i, (author, text) in enumerate((("customer", "Коробка пришла мятая"), ("seller", "Пришлите фото"))):
            s.add(
                ChatMessageRow(
                    message_id=str(10 + i),
                    chat_id="chat-1",
                    author=author,
                    created_at=NOW + timedelta(days=3, minutes=i),
                    text=text,
                )
            )
        s.add(
            ReturnRow(
                kind="fbs",
                return_id=777001,
                posting_number=NUMBER,
                order_number=order,
                sku=1001,
                offer_id="OF-1",
                product_name="Кружка",
                price=Decimal("499"),
                status="returned_to_seller",
                status_name="Возвращён продавцу",
                reason="Повреждён при доставке",
                created_at=NOW + timedelta(days=5),
            )
        )
    if label:
        label_files.store(ctx.paths.labels, NUMBER, _label_pdf())


def _text(doc: pdfium.PdfDocument) -> str:
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def _pack_pdf(tmp_path: Path, label: bool = True) -> bytes:
    ctx = open_context(str(tmp_path / "data"))
    try:
        fill(ctx, label=label)
        pack = dispute_pack.read(ctx.db, NUMBER, ctx.paths.labels)
        assert pack is not None
        return dispute_pack_pdf(pack, NOW, shop="ИП Смирнова")
    finally:
        ctx.close()


def test_the_pack_holds_the_timeline_codes_chat_returns_and_the_label_page(tmp_path: Path) -> None:
    doc = pdfium.PdfDocument(_pack_pdf(tmp_path))
    assert len(doc) >= 2
    text = _text(doc)
    assert NUMBER in text
    assert "Отсканировано отправление" in text  # a scan event
    assert "0104601234567893215abcdefghijkl" in text  # the marking code
    assert "Коробка пришла мятая" in text and "Покупатель" in text  # the chat, with its author
    assert "777001" in text and "Повреждён при доставке" in text  # the return
    last = doc[len(doc) - 1].get_textpage().get_text_range()
    assert LABEL_TEXT in last  # Ozon's label, a page of its own


def test_without_a_cached_label_the_pack_is_the_text_pages_only(tmp_path: Path) -> None:
    doc = pdfium.PdfDocument(_pack_pdf(tmp_path, label=False))
    text = _text(doc)
    assert LABEL_TEXT not in text and "Файлы Ozon: не сохранены" in text


def test_an_unknown_posting_has_no_pack(tmp_path: Path) -> None:
    ctx = open_context(str(tmp_path / "data"))
    try:
        assert dispute_pack.read(ctx.db, "404-404-1", ctx.paths.labels) is None
    finally:
        ctx.close()
