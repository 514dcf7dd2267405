"""Own labels with the longest real data on every stock and resolution: the address gets the room
(wrapped, never cut when it fits), barcodes still scan; right-to-left names print with a font that has
them, shaped and in drawing order; what no font has prints as a clear mark with a warning."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from app.domain.postings import Posting
from printing import fonts, geometry, raster, render
from printing.documents import own_label
from printing.layout import ELLIPSIS, Page, Sheet
from tests.printing.conftest import DPIS, FORMATS, decoded, images, pdf_images, sample_postings
from tests.printing.test_documents import _rects

STOCKS = ("75x120", "58x40", "100x150")
ADDRESS = (
    "Россия, Республика Татарстан, г. Казань, ул. Большая Красная, д. 123, корп. 4, стр. 5, подъезд 6, "
    "этаж 7, кв. 890, домофон 890К"
)
NAME = "Константинопольский-Рождественский Александр Владиславович"
HEBREW_ARABIC = "שרה כהן / سارة أحمد"


def _longest() -> list[Posting]:
    rfbs = sample_postings()[1]
    return [
        dataclasses.replace(rfbs, customer_name=NAME, address=ADDRESS),
        dataclasses.replace(rfbs, customer_name="欧阳娜娜 Ouyang Nana", address="中国 上海市 浦东新区 " + ADDRESS),
    ]


def _joined(page: Page) -> str:
    return " ".join(t.text for t in page.texts())


def _check_in_page_and_clear_of_barcodes(page: Page) -> None:
    ink, codes = _rects(page)
    for x0, y0, x1, y1 in ink + codes:
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height, (x0, y0, x1, y1)
    for c in codes:
        for i in ink:
            assert not (min(c[2], i[2]) > max(c[0], i[0]) and min(c[3], i[3]) > max(c[1], i[1])), (i, c)


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("size", STOCKS)
def test_the_longest_address_and_name_print_in_full_and_the_barcodes_scan(size: str, dpi: int) -> None:
    postings = _longest()
    pages = own_label.pages(postings, geometry.stock(size), dpi, sender="ИП Ли Вэй 李伟")
    for p, page in zip(postings, pages, strict=True):
        _check_in_page_and_clear_of_barcodes(page)
        text = _joined(page)
        destination = f"Пункт выдачи {p.pvz_code}: {p.city}, {p.address}"
        assert destination in text, f"the address is cut on {size} at {dpi} dpi: {text}"
        if size != "58x40":
            assert p.customer_name in text.replace("- ", "-"), f"the name is cut on {size} at {dpi} dpi"
        assert ELLIPSIS not in text.split("Получатель")[-1], "nothing below the header is cut"
    for fmt in FORMATS:
        printed = images(render.encode(pages, render.Format(fmt)), fmt, pages[0].width, pages[0].height, dpi)
        for page, image in zip(pages, printed, strict=True):
            assert set(decoded(image)) == {b.symbol.value for b in page.barcodes()}, (fmt, size, dpi)


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("size", ["75x120", "100x150"])
def test_the_address_gets_the_room_left(size: str, dpi: int) -> None:
    """A short address in large type; the longest real one and even twice that (the room the label
    had empty) wrapped in smaller type, whole, above the carrier."""
    base = sample_postings()[1]
    twice = dataclasses.replace(base, address=f"{ADDRESS}, {ADDRESS}")
    sizes = []
    for p in (base, _longest()[0], twice):
        page = own_label.page(p, geometry.stock(size), dpi)
        assert f"{p.city}, {p.address}" in _joined(page)
        sizes.append(max(t.size for t in page.texts() if "Казань" in t.text))
    assert sizes[0] >= geometry.mm_to_dots(4, dpi) and sizes[0] >= sizes[1] > sizes[2], sizes


def _fallback_has(text: str) -> bool:
    return all(fonts.font_for(ch) is not None for ch in fonts.shape_arabic(text) if not ch.isspace())


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("size", STOCKS)
def test_hebrew_and_arabic_names_print_with_a_font_that_has_them(size: str, dpi: int) -> None:
    if not _fallback_has(HEBREW_ARABIC):
        pytest.skip(f"no fallback font with Hebrew and Arabic ({fonts.FALLBACK_PACKAGE})")
    p = dataclasses.replace(sample_postings()[1], customer_name=HEBREW_ARABIC, address="תל אביב, רחוב הרצל 12")
    page = own_label.page(p, geometry.stock(size), dpi)
    text = _joined(page)
    assert "?" not in text and fonts.UNSUPPORTED not in text
    if size != "58x40":
        assert fonts.visual(fonts.shape_arabic(HEBREW_ARABIC)) in text
    # Each line in drawing order (left to right): words reversed, the number kept in order on their left.
    assert {"לת", "ביבא", "בוחר", "לצרה"} <= set(text.replace(",", " ").split()) and "12 לצרה" in text
    for t in page.texts():  # every glyph comes from a font that has it: no empty boxes
        assert all(fonts.font_for(ch) is not None for ch in t.text), t.text


def test_right_to_left_text_prints_in_pdf_like_the_raster() -> None:
    """The PDF draws the fallback font's glyphs where the raster does (a line all in Hebrew once came out
    blank: it was set in the main font, which has none of its glyphs)."""
    if not _fallback_has(HEBREW_ARABIC):
        pytest.skip(f"no fallback font with Hebrew and Arabic ({fonts.FALLBACK_PACKAGE})")
    for text, bold in ((f"Получатель: {HEBREW_ARABIC}", True), (f"{HEBREW_ARABIC} 12", False), ("שרה", False)):
        sheet = Sheet(geometry.LABEL_75x120, 300)
        sheet.text(sheet.left, sheet.margin, text, sheet.mm(5), bold=bold)
        page = sheet.page()
        printed = pdf_images(render.encode([page], render.Format.PDF), 300)[0]
        reference = raster.page_image(page).convert("L")
        box_a, box_b = (im.point(lambda v: 255 - v).getbbox() for im in (printed, reference))
        assert box_a is not None and box_b is not None, f"{text!r} prints nothing"
        assert all(abs(a - b) <= 3 for a, b in zip(box_a, box_b, strict=True)), (text, box_a, box_b)
        ink_a, ink_b = (sum(v < 128 for v in im.crop(box_b).tobytes()) for im in (printed, reference))
        assert abs(ink_a - ink_b) < 0.1 * ink_b, (text, ink_a, ink_b)


def test_text_no_font_has_prints_as_a_mark_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    fonts._warned.discard("𓀀")
    with caplog.at_level(logging.WARNING, logger="printing.fonts"):
        assert fonts.printable("Имя 𓀀𓀁 𓀂 Li\x07") == f"Имя {fonts.UNSUPPORTED} Li "
    assert "𓀀" in caplog.text and "EGYPTIAN" in caplog.text and fonts.FALLBACK_PACKAGE in caplog.text


def test_arabic_is_shaped_into_joined_forms() -> None:
    # meem, hah, meem, dal: initial, medial, medial, final.
    assert fonts.shape_arabic("محمد") == "\ufee3\ufea4\ufee4\ufeaa"
    # seen initial, lam + alef as one final ligature, then meem isolated (alef joins only on its right).
    assert fonts.shape_arabic("سلام") == "\ufeb3\ufefc\ufee1"
    assert fonts.shape_arabic("لا") == "\ufefb"  # lam-alef ligature
    assert fonts.shape_arabic("بلا") == "\ufe91\ufefc"  # beh initial, then the final lam-alef
    assert fonts.shape_arabic("Li Wei") == "Li Wei"


@pytest.mark.parametrize(
    ("logical", "drawn"),
    [
        ("Li Wei", "Li Wei"),
        ("שרה כהן", "ןהכ הרש"),
        ("ул. Ленина, שרה כהן 12, кв. 5", "ул. Ленина, 12 ןהכ הרש, кв. 5"),
        ("רחוב הרצל 12-3", "12-3 לצרה בוחר"),
        ("שרה (כהן)", "(ןהכ) הרש"),
    ],
)
def test_right_to_left_runs_are_reversed_for_drawing(logical: str, drawn: str) -> None:
    assert fonts.visual(logical) == drawn


def test_arabic_prints_unjoined_where_a_font_has_the_letters_but_not_their_joined_forms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = fonts.font_for
    monkeypatch.setattr(fonts, "font_for", lambda ch: None if 0xFE70 <= ord(ch) <= 0xFEFF else real(ch))
    if real("س") is None:
        pytest.skip(f"no fallback font with Arabic ({fonts.FALLBACK_PACKAGE})")
    assert fonts.printable("سلام") == "سلام"
