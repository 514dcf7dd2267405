"""Ozon's FBS label (a real PDF, as the emulator's label tasks make it): passed through as PDF, or
rendered to a dot-exact bitmap for ZPL/TSPL printers; its page size comes from the PDF."""

from __future__ import annotations

import io
import logging

import pypdfium2 as pdfium
import pytest
import zxingcpp
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app import label_files
from printing import geometry, render
from printing.documents import ozon_label
from tests.emulator.conftest import BASE, make_emulator, session_for, ship_body
from tests.printing.conftest import DPIS, decoded, plain_skus, runs, tspl_images, zpl_images


@pytest.fixture(scope="module")
def ozon() -> tuple[list[str], list[list[str]], bytes]:
    """Posting numbers, the codes on each label, and Ozon's PDF with one 75×120 mm label per posting."""
    emu = make_emulator()
    session = session_for(emu)
    numbers = [n for sku in plain_skus(emu)[:3] for n in emu.create_postings(1, products=[sku])]
    for n in numbers:
        assert session.post(BASE + "/v4/posting/fbs/ship", json=ship_body(emu, n)).status_code == 200
    emu.advance(60)
    codes = []
    for n in numbers:
        state = emu.posting(n)
        codes.append(sorted({n, state["scanit"], state["barcodes"]["lower_barcode"]} - {"0"}))  # "0": none
    return numbers, codes, emu.label_pdf(numbers)


def split(pdf: bytes) -> list[bytes]:
    return [page for page, _ in label_files.split_pages(pdf)]


def test_page_size_is_read_from_the_pdf(ozon: tuple[list[str], list[list[str]], bytes]) -> None:
    _, _, pdf = ozon
    assert ozon_label.page_sizes_mm(pdf) == [pytest.approx((75, 120), abs=0.05)] * 3


def test_pdf_output_passes_ozon_pdf_through_unchanged(ozon: tuple[list[str], list[list[str]], bytes]) -> None:
    _, _, pdf = ozon
    out = render.Output(render.Format.PDF)
    assert render.ozon_label([pdf], out) == pdf
    parts = split(pdf)
    assert [len(pdfium.PdfDocument(p)) for p in parts] == [1, 1, 1]
    merged = render.ozon_label(parts, out)
    assert len(pdfium.PdfDocument(merged)) == 3
    assert ozon_label.page_sizes_mm(merged) == ozon_label.page_sizes_mm(pdf)


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("fmt", ["zpl", "tspl"])
def test_thermal_output_decodes_to_the_posting_and_ozon_barcodes(
    ozon: tuple[list[str], list[list[str]], bytes], fmt: str, dpi: int
) -> None:
    _, codes, pdf = ozon
    out = render.Output(render.Format(fmt), geometry.LABEL_75x120, dpi)
    data = render.ozon_label(split(pdf), out)
    width, height = out.stock.dots(dpi)
    printed = zpl_images(data, width, height, dpi) if fmt == "zpl" else tspl_images(data, dpi)
    assert len(printed) == 3
    for image, expected in zip(printed, codes, strict=True):
        assert image.size == (width, height)
        assert decoded(image) == expected
        if dpi == 203:  # Ozon drew its bars on the 203 dpi grid: they come out whole modules
            for found in zxingcpp.read_barcodes(image):
                xs = [p.x for p in (found.position.top_left, found.position.bottom_right)]
                y = (found.position.top_left.y + found.position.bottom_left.y) // 2
                widths = [length for _, length in runs(image, y, min(xs), max(xs) + 1)[1:-1]]
                module = min(widths)
                assert module in (2, 3) and all(w % module == 0 for w in widths), (found.text, sorted(set(widths)))


def _code128_pdf(width_mm: float, height_mm: float, value: str, module_mm: float) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(width_mm * mm, height_mm * mm))
    code = Code128(
        value,
        barWidth=module_mm * mm,
        barHeight=min(width_mm, height_mm) * 0.3 * mm,
        humanReadable=False,
        lquiet=5 * mm,
        rquiet=5 * mm,
    )
    code.drawOn(canvas, (width_mm * mm - code.width) / 2, height_mm * 0.4 * mm)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_a_landscape_label_is_turned_to_fit_portrait_stock() -> None:
    pdf = _code128_pdf(120, 75, "89491381-0072-1", 0.25)
    assert ozon_label.fit((120, 75), geometry.LABEL_75x120) == ozon_label.Fit(90, 1.0)
    out = render.Output(render.Format.TSPL, geometry.LABEL_75x120, 203)
    (image,) = tspl_images(render.ozon_label([pdf], out), 203)
    assert image.size == geometry.LABEL_75x120.dots(203)
    assert [b.text for b in zxingcpp.read_barcodes(image)] == ["89491381-0072-1"]


def test_a_bigger_label_is_scaled_down_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    pdf = _code128_pdf(100, 150, "89491381-0072-1", 0.5)
    with caplog.at_level(logging.WARNING):
        out = render.Output(render.Format.ZPL, geometry.LABEL_75x120, 203)
        (image,) = zpl_images(render.ozon_label([pdf], out), *geometry.LABEL_75x120.dots(203), 203)
    assert "printed at 75 %" in caplog.text
    assert [b.text for b in zxingcpp.read_barcodes(image)] == ["89491381-0072-1"]


def test_a_smaller_label_is_printed_at_full_size_centred() -> None:
    pdf = _code128_pdf(58, 40, "12345678-0001-1", 0.25)
    assert ozon_label.fit((58, 40), geometry.LABEL_75x120) == ozon_label.Fit(90, 1.0)
    assert ozon_label.fit((58, 40), geometry.LABEL_100x150).scale == 1.0
    out = render.Output(render.Format.TSPL, geometry.LABEL_100x150, 203)
    (image,) = tspl_images(render.ozon_label([pdf], out), 203)
    ink = image.point(lambda v: 255 - v).getbbox()
    assert ink is not None
    assert abs((ink[0] + ink[2]) / 2 - image.width / 2) < 40
    assert [b.text for b in zxingcpp.read_barcodes(image)] == ["12345678-0001-1"]


def test_an_unreadable_pdf_is_a_clear_error() -> None:
    with pytest.raises(label_files.LabelFileUnreadable, match="cannot be read"):
        ozon_label.page_sizes_mm(b"%PDF-1.4 nonsense")
