"""The escalation PDF: it renders, has ink, carries the posting number and Cyrillic text, and a long
timeline runs over several pages without losing an event."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from app.chat import escalation
from app.chat.escalation import Topic
from app.context import open_context
from printing.documents.escalation import escalation_pdf
from tests.app.factories import NOW
from tests.app.test_escalation import NUMBER, build


def _pdf(tmp_path: Path, extra_events: int = 0) -> tuple[bytes, int]:
    ctx = open_context(str(tmp_path / "data"))
    try:
        build(ctx.db, extra_events=extra_events)
        with ctx.db.read() as s:
            facts = escalation.gather(s, NUMBER)
        assert facts is not None
        note = "Курьер не забрал коробку, на складе говорят, что отправление не поступало. " * 3
        return escalation_pdf(facts, Topic.NOT_ACCEPTED, note, NOW, shop="ИП Смирнова"), len(facts.timeline)
    finally:
        ctx.close()


def _text(doc: pdfium.PdfDocument) -> str:
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_the_pdf_renders_with_ink_and_text(tmp_path: Path) -> None:
    data, _ = _pdf(tmp_path)
    assert data.startswith(b"%PDF")
    doc = pdfium.PdfDocument(data)
    assert len(doc) == 1
    image = doc[0].render(scale=100 / 72).to_pil().convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 0.005 * image.width * image.height  # not blank
    text = _text(doc)
    assert NUMBER in text and "OZ-TRACK-0042" in text
    assert "Упаковано без полного сканирования" in text and "Ozon отказал" in text
    assert "24.11.2026 18:00 МСК" in text
    assert "Иван Петров" not in text and "Баумана" not in text


def test_a_400_event_timeline_takes_several_pages_and_keeps_every_event(tmp_path: Path) -> None:
    data, events = _pdf(tmp_path, extra_events=400)
    doc = pdfium.PdfDocument(data)
    assert len(doc) >= 5
    text = _text(doc)
    assert "1001 ×1 #0" in text and "1001 ×1 #399" in text
    assert f"Стр. {len(doc)} из {len(doc)}" in text
    assert f"Хронология ({events} событий)" in text
    assert NUMBER in doc[len(doc) - 1].get_textpage().get_text_range()  # continuation pages say whose
