"""Shared test helpers: sample postings, rasterizers for every output format, decoding, scanlines."""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import Iterator
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from app.domain.postings import Posting, PostingItem
from app.domain.products import Product
from printing.layout import Bars, Page
from sync.emulator import Emulator
from tests.app.factories import posting
from tests.printing import tspl_interpreter

LONG_NUMBER = "0208245774-0029-1"  # a 10-digit buyer prefix: the widest posting numbers Ozon makes
DPIS = (203, 300)
FORMATS = ("pdf", "zpl", "tspl")


def sample_postings() -> list[Posting]:
    """FBS and rFBS postings with Cyrillic, Chinese and Latin text and long posting numbers."""
    fbs = posting(LONG_NUMBER, items=((1001, 1), (1002, 2)))
    rfbs = dataclasses.replace(
        posting(
            "12345678-0001-1",
            rfbs=True,
            tracking_number="RA123456789RU",
            pvz_code="KZN-0042",
            address="ул. Баумана, д. 58, кв. 12",
        ),
        customer_name="李伟 (Li Wei)",
        products=(
            PostingItem(1003, "PD-10", "笔记本电脑支架 铝合金 Подставка для ноутбука", 1, Decimal("1999.00")),
            PostingItem(1001, "PD-1001", "Кружка керамическая «Зима», 350 мл", 3, Decimal("499.00")),
        ),
    )
    return [fbs, rfbs]


def sample_products() -> dict[int, Product]:
    return {
        1001: Product(1001, 11, "PD-1001", "Кружка", ("4601234567893",)),
        1002: Product(1002, 12, "PD-1002", "Чехол", ("OZN1234567890",)),
        1003: Product(1003, 13, "PD-10", "Подставка", ("2000000000015", "OZN99")),
    }


# -- rasterizing ------------------------------------------------------------------------------------


def pdf_images(data: bytes, dpi: int, supersample: int = 3) -> list[Image.Image]:
    """Each page as a printer would print it: rendered finer, then a dot is black when at least half
    covered (pdfium's own rendering at the printer's resolution thins every bar by a dot)."""
    doc = pdfium.PdfDocument(data)
    images = []
    for i in range(len(doc)):
        page = doc[i]
        w_pt, h_pt = page.get_size()
        size = (round(w_pt / 72 * dpi), round(h_pt / 72 * dpi))
        big = page.render(scale=dpi / 72 * supersample, grayscale=True).to_pil().convert("L")
        small = big.resize(size, Image.Resampling.BOX)
        images.append(small.point(lambda v: 255 if v >= 128 else 0))
    return images


def pdf_images_direct(data: bytes, dpi: int) -> list[Image.Image]:
    """pdfium at the printer's resolution, thresholded: the other way a driver may rasterize."""
    doc = pdfium.PdfDocument(data)
    return [
        doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L").point(lambda v: 255 if v >= 128 else 0)
        for i in range(len(doc))
    ]


def zpl_images(data: bytes, width: int, height: int, dpi: int) -> list[Image.Image]:
    """zplkit (test-only dependency) renders ZPL offline, the way a Zebra would print it."""
    import zplkit

    document = zplkit.render(data, zplkit.Options(width=width, height=height, dpi=dpi))
    assert not document.warnings, document.warnings
    return [Image.open(io.BytesIO(label.png())).convert("L") for label in document.labels]


def tspl_images(data: bytes, dpi: int) -> list[Image.Image]:
    return [image.convert("L") for image in tspl_interpreter.run(data, dpi)]


def images(data: bytes, fmt: str, width: int, height: int, dpi: int) -> list[Image.Image]:
    if fmt == "pdf":
        return pdf_images(data, dpi)
    if fmt == "zpl":
        return zpl_images(data, width, height, dpi)
    return tspl_images(data, dpi)


# -- reading ----------------------------------------------------------------------------------------


def decoded(image: Image.Image) -> list[str]:
    return sorted(b.text for b in zxingcpp.read_barcodes(image))


def _grey(pixel: object) -> int:
    """A greyscale pixel's value (the images here are mode "L")."""
    assert isinstance(pixel, int), pixel
    return pixel


def runs(image: Image.Image, y: int, x0: int = 0, x1: int | None = None) -> list[tuple[int, int]]:
    """(value, length) runs along row y: value 0 = black."""
    x1 = image.width if x1 is None else x1
    row = [0 if _grey(image.getpixel((x, y))) < 128 else 1 for x in range(x0, x1)]
    return [(value, len(list(group))) for value, group in itertools.groupby(row)]


def check_bars(image: Image.Image, bars: Bars) -> None:
    """Along a scanline through the middle of a barcode: the bars and spaces are exactly the symbol's
    modules times the module width, and the quiet zones on both sides hold no ink."""
    y = bars.y + bars.height // 2
    quiet_l = bars.symbol.quiet_left * bars.module
    quiet_r = bars.symbol.quiet_right * bars.module
    line = runs(image, y, bars.x - quiet_l, bars.x + bars.width + quiet_r)
    assert line[0] == (1, quiet_l), f"left quiet zone of {bars.symbol.value}: {line[:2]}"
    assert line[-1] == (1, quiet_r), f"right quiet zone of {bars.symbol.value}: {line[-2:]}"
    expected = [(0 if m == "1" else 1, len(list(g)) * bars.module) for m, g in itertools.groupby(bars.symbol.modules)]
    assert line[1:-1] == expected, f"bar widths of {bars.symbol.value} are not whole modules of {bars.module} dots"
    assert all(length % bars.module == 0 for _, length in line[1:-1])


@pytest.fixture
def postings() -> list[Posting]:
    return sample_postings()


@pytest.fixture
def products() -> dict[int, Product]:
    return sample_products()


def page_barcodes(pages: list[Page]) -> Iterator[tuple[int, Bars]]:
    for i, page in enumerate(pages):
        for bars in page.barcodes():
            yield i, bars


def plain_skus(emu: Emulator) -> list[int]:
    """Products Ozon asks nothing extra for (no marking code, customs number or boxes), read through
    the API as a seller's client would: postings of them can be shipped with a bare ship call."""
    from tests.emulator.conftest import BASE, session_for

    session = session_for(emu)
    listed = session.post(
        BASE + "/v3/product/list", json={"filter": {"visibility": "ALL"}, "last_id": "", "limit": 1000}
    )
    ids = [str(item["product_id"]) for item in listed.json()["result"]["items"]]
    items = session.post(BASE + "/v3/product/info/list", json={"product_id": ids}).json()["items"]
    special = {sku for kind in ("mandatory_mark", "gtd", "multibox") for sku in emu.skus_requiring(kind)}
    return sorted(item["sku"] for item in items if item["sku"] not in special)
