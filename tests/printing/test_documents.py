"""Every document in every format at 203 and 300 dpi: rasterized as the printer would print it, its
barcodes decoded, bar widths checked along a scanline, and the thermal outputs compared dot for dot."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from PIL import ImageChops

from app.domain.postings import Posting, PostingItem
from app.domain.products import Product
from printing import commands, fonts, geometry, raster, render
from printing.documents import act, command_sheet, own_label, picklist, slip, test_label
from printing.layout import Bars, Page, Rect, Text
from tests.printing.conftest import (
    DPIS,
    FORMATS,
    LONG_NUMBER,
    check_bars,
    decoded,
    images,
    pdf_images_direct,
    sample_postings,
    sample_products,
)

Builder = Callable[[list[Posting], dict[int, Product], int], tuple[list[Page], set[str]]]


def _own_label(size: str) -> Builder:
    def build(postings: list[Posting], products: dict[int, Product], dpi: int) -> tuple[list[Page], set[str]]:
        pages = own_label.pages(postings, geometry.stock(size), dpi, sender="ИП Ли Вэй 李伟")
        expected = {p.posting_number for p in postings}
        if size != "58x40":
            expected |= {p.tracking_number for p in postings if p.tracking_number}
        return pages, expected

    return build


def _slip(size: str) -> Builder:
    def build(postings: list[Posting], products: dict[int, Product], dpi: int) -> tuple[list[Page], set[str]]:
        pages = [pg for p in postings for pg in slip.pages(p, products, geometry.stock(size), dpi, "zh_CN")]
        expected = {p.posting_number for p in postings} | {"4601234567893", "OZN1234567890", "2000000000015"}
        return pages, expected

    return build


def _picklist(postings: list[Posting], products: dict[int, Product], dpi: int) -> tuple[list[Page], set[str]]:
    return picklist.pages(postings, products, dpi), {"4601234567893", "OZN1234567890", "2000000000015"}


def _act(postings: list[Posting], products: dict[int, Product], dpi: int) -> tuple[list[Page], set[str]]:
    return act.pages(postings, dpi, sender="ООО «Ромашка»", number="17"), {p.posting_number for p in postings}


def _commands(size: str) -> Builder:
    def build(postings: list[Posting], products: dict[int, Product], dpi: int) -> tuple[list[Page], set[str]]:
        return command_sheet.pages(geometry.stock(size), dpi), set(commands.ALL)

    return build


def _test_label(size: str) -> Builder:
    def build(postings: list[Posting], products: dict[int, Product], dpi: int) -> tuple[list[Page], set[str]]:
        expected = {test_label.TEST_CODE} | ({test_label.TEST_EAN} if size != "58x40" else set())
        return test_label.pages(geometry.stock(size), dpi, "zpl"), expected

    return build


DOCUMENTS: dict[str, Builder] = {
    "label-75x120": _own_label("75x120"),
    "label-58x40": _own_label("58x40"),
    "label-100x150": _own_label("100x150"),
    "label-A6": _own_label("A6"),
    "slip-75x120": _slip("75x120"),
    "slip-A6": _slip("A6"),
    "picklist-A4": _picklist,
    "act-A4": _act,
    "commands-A4": _commands("A4"),
    "commands-75x120": _commands("75x120"),
    "commands-58x40": _commands("58x40"),
    "test-75x120": _test_label("75x120"),
    "test-58x40": _test_label("58x40"),
}


# A4 documents go to office printers, as PDF only.
CASES = [(name, fmt) for name in DOCUMENTS for fmt in FORMATS if fmt == "pdf" or not name.endswith("A4")]


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_document_prints_barcodes_that_scan(
    name: str, fmt: str, dpi: int, postings: list[Posting], products: dict[int, Product]
) -> None:
    pages, expected = DOCUMENTS[name](postings, products, dpi)
    data = render.encode(pages, render.Format(fmt))
    width, height = pages[0].width, pages[0].height
    printed = images(data, fmt, width, height, dpi)
    assert len(printed) == len(pages)
    found: set[str] = set()
    for page, image in zip(pages, printed, strict=True):
        assert image.size == (page.width, page.height)
        codes = decoded(image)
        assert set(codes) == {b.symbol.value for b in page.barcodes()}, "every barcode drawn decodes, nothing else"
        found |= set(codes)
        for bars in page.barcodes():
            check_bars(image, bars)
        if fmt != "pdf":  # the printer's dots are exactly the laid-out page
            assert ImageChops.difference(image, raster.page_image(page).convert("L")).getbbox() is None
    assert found == expected


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", ["label-75x120", "slip-75x120", "act-A4", "commands-75x120"])
def test_pdf_decodes_when_rasterized_at_the_printer_resolution(
    name: str, dpi: int, postings: list[Posting], products: dict[int, Product]
) -> None:
    """pdfium straight at 203/300 dpi rounds bar edges its own way; whole-dot modules still scan."""
    pages, expected = DOCUMENTS[name](postings, products, dpi)
    found = {
        code for image in pdf_images_direct(render.encode(pages, render.Format.PDF), dpi) for code in decoded(image)
    }
    assert found == expected


@pytest.mark.parametrize("size", ["75x120", "58x40", "100x150", "A6", "A4"])
def test_pdf_page_size_is_the_stock_size(size: str, postings: list[Posting]) -> None:
    stock = geometry.stock(size)
    data = render.label(postings, render.Output(render.Format.PDF, stock, 203))
    doc = pdfium.PdfDocument(data)
    assert len(doc) == len(postings)
    for i in range(len(doc)):
        w, h = doc[i].get_size()
        assert (w, h) == pytest.approx(stock.points, abs=0.01)


def test_own_label_main_barcode_is_the_posting_number_in_large_text(postings: list[Posting]) -> None:
    page = own_label.page(postings[0], geometry.LABEL_75x120, 203)
    main = page.barcodes()[0]
    assert main.symbol.value == LONG_NUMBER
    assert main.module in (2, 3) and main.height >= geometry.mm_to_dots(20, 203)
    number = max((t for t in page.texts() if t.text == LONG_NUMBER), key=lambda t: t.size)
    assert number.size >= geometry.mm_to_dots(5, 203) and number.bold


def test_own_label_shows_recipient_pickup_point_carrier_tracking_and_sender(postings: list[Posting]) -> None:
    texts = " ".join(t.text for t in own_label.page(postings[1], geometry.LABEL_75x120, 300, "ИП Ли Вэй").texts())
    for part in (
        "李伟 (Li Wei)",
        "KZN-0042",
        "Казань",
        "Собственная доставка",
        "Seller",
        "RA123456789RU",
        "Товаров: 4",
        "ИП Ли Вэй",
        "Отгрузить до",
    ):
        assert part in texts


def test_every_character_drawn_is_in_the_font(postings: list[Posting], products: dict[int, Product]) -> None:
    font = fonts.label_font()
    drawn = ""
    for build in DOCUMENTS.values():
        for dpi in DPIS:
            pages, _ = build(postings, products, dpi)
            drawn += "".join(t.text for page in pages for t in page.texts())
    assert {"李", "笔", "З", "«"} <= set(drawn)
    assert font.missing(drawn) == set()


def test_picklist_sums_by_sku_in_shelf_order_with_the_postings(postings: list[Posting]) -> None:
    lines = picklist.pick_lines(postings)
    assert [ln.offer_id for ln in lines] == ["PD-10", "PD-1001", "PD-1002"]  # natural order
    mugs = lines[1]
    assert mugs.quantity == 4 and mugs.postings == [(LONG_NUMBER, 1), ("12345678-0001-1", 3)]


def test_act_totals_and_signature_lines(postings: list[Posting]) -> None:
    pages = act.pages(postings, 300, sender="ООО «Ромашка»", number="17", places={LONG_NUMBER: 2})
    texts = [t.text for page in pages for t in page.texts()]
    assert "Итого: отправлений 2, мест 3, товаров 7 шт." in texts
    assert {"Сдал (отправитель)", "Принял (курьер)", "подпись", "ФИО"} <= set(texts)


def test_long_documents_get_more_pages_with_numbers(postings: list[Posting], products: dict[int, Product]) -> None:
    many = postings * 30
    pages = act.pages(many, 203)
    assert len(pages) >= 3
    assert f"Стр. 1 из {len(pages)}" in [t.text for t in pages[0].texts()]
    assert sum(len(p.barcodes()) for p in pages) == len(many)


def _extreme() -> tuple[list[Posting], dict[int, Product]]:
    """Long names and addresses, many items: what must shrink, wrap or be cut with '…', never clipped."""
    base = sample_postings()
    items = tuple(
        PostingItem(
            2000 + i,
            f"SHELF-{i:02d}-ОЧЕНЬ-ДЛИННЫЙ-АРТИКУЛ",
            "超长商品名称 " * 6 + "Очень длинное название " * 4,
            i + 1,
            Decimal("10"),
        )
        for i in range(12)
    )
    long = dataclasses.replace(
        base[1],
        customer_name="Константинопольский-Рождественский Александр Владиславович 欧阳娜娜",
        address="Россия, Республика Татарстан, г. Казань, ул. Большая Красная, д. 123, корп. 4, стр. 5, "
        "подъезд 6, этаж 7, кв. 890, домофон 890К, позвонить за час " * 2,
        delivery_method_name="Собственная доставка продавца курьером до двери, экспресс, в течение дня",
        tpl_provider="Очень длинное название транспортной компании",
        products=items,
    )
    products = {it.sku: Product(it.sku, it.sku, it.offer_id, it.name, ("OZN" + str(it.sku) * 3,)) for it in items}
    return [base[0], long], {**sample_products(), **products}


def _rects(page: Page) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, int, int, int]]]:
    """(ink boxes of text and rules, barcode boxes including their quiet zones) as (x0, y0, x1, y1)."""
    ink, codes = [], []
    for e in page.elements:
        if isinstance(e, Text):
            x, y, image = raster.placed_text(e)
            ink.append((x, y, x + image.width, y + image.height))
        elif isinstance(e, Rect):
            ink.append((e.x, e.y, e.x + e.width, e.y + e.height))
        elif isinstance(e, Bars):
            left = e.x - e.symbol.quiet_left * e.module
            codes.append((left, e.y, e.x + e.width + e.symbol.quiet_right * e.module, e.y + e.height))
    return ink, codes


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_nothing_is_clipped_and_nothing_touches_a_barcode(name: str, dpi: int) -> None:
    postings, products = _extreme()
    pages, _ = DOCUMENTS[name](postings, products, dpi)
    for page in pages:
        ink, codes = _rects(page)
        for x0, y0, x1, y1 in ink + codes:
            assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height, (name, (x0, y0, x1, y1))
        for c in codes:
            for i in ink:
                overlap = min(c[2], i[2]) > max(c[0], i[0]) and min(c[3], i[3]) > max(c[1], i[1])
                assert not overlap, f"{name}: {i} reaches into the barcode or its quiet zone {c}"
        for a, b in itertools.combinations(codes, 2):
            assert not (min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1]))
