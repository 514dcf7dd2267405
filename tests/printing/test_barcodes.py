"""Code 128 and EAN-13 encoding: decodable, shortest, and EAN-13 check digits refused when wrong."""

from __future__ import annotations

import itertools

import barcode
import barcode.charsets.code128 as pb_code128
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from printing.barcodes import (
    _WIDTHS,
    InvalidBarcode,
    Symbol,
    Symbology,
    code128,
    ean13,
    ean13_check_digit,
    is_valid_ean13,
    product_symbol,
)
from printing.geometry import module_range


def paint(symbol: Symbol, module: int, height: int = 60) -> Image.Image:
    width = symbol.width * module
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for start, bar in symbol.bars():
        x = (symbol.quiet_left + start) * module
        draw.rectangle((x, 0, x + bar * module - 1, height - 1), fill=0)
    return image


def read(image: Image.Image) -> list[tuple[str, zxingcpp.BarcodeFormat]]:
    return [(b.text, b.format) for b in zxingcpp.read_barcodes(image)]


def test_the_code128_pattern_table_is_the_standard_one() -> None:
    def widths(pattern: str) -> str:
        return "".join(str(len(list(g))) for _, g in itertools.groupby(pattern))

    assert _WIDTHS[:106] == [widths(p) for p in pb_code128.CODES]
    assert _WIDTHS[106] == widths(pb_code128.STOP + "11")
    assert all(sum(map(int, w)) == 11 for w in _WIDTHS[:106])


@pytest.mark.parametrize(
    "value",
    [
        "0208245774-0029-1",
        "12345678-0001-1",
        "89491381-0072-1",
        "OZN123456789",
        "OZN1234567890",
        "%101%806044518",
        "PD:NEXT",
        "ii1234567890",
        "23024930500000",
        "a>b~c_d^e",
        "1",
        "12",
        "123",
    ],
)
@pytest.mark.parametrize("module", [1, 2, 3])
def test_code128_decodes_to_the_value(value: str, module: int) -> None:
    symbol = code128(value)
    assert symbol.symbology is Symbology.CODE128
    assert read(paint(symbol, module)) == [(value, zxingcpp.BarcodeFormat.Code128)]


def test_code128_switches_to_subset_c_for_digit_runs() -> None:
    assert code128("0208245774-0029-1").segments[0] == ("C", "0208245774")
    assert code128("OZN123456789").segments == (("B", "OZN1"), ("C", "23456789"))
    # Never longer than python-barcode's or reportlab's choice (both sometimes are).
    for value in ("OZN123456789", "%101%806044518", "0208245774-0029-1", "12345678-0001-1"):
        ours = len(code128(value).modules)
        assert ours <= len(barcode.get("code128", value).build()[0])


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=24))
def test_any_printable_ascii_round_trips(value: str) -> None:
    assert read(paint(code128(value), 2)) == [(value, zxingcpp.BarcodeFormat.Code128)]


@pytest.mark.parametrize("value", ["", "Привет", "tab\there", "£5"])
def test_code128_refuses_what_it_cannot_carry(value: str) -> None:
    with pytest.raises(InvalidBarcode):
        code128(value)


def test_ean13_check_digit() -> None:
    assert ean13_check_digit("460123456789") == "3"
    assert is_valid_ean13("4601234567893") and not is_valid_ean13("4601234567890")
    assert is_valid_ean13("2000000000015")


@pytest.mark.parametrize("module", [2, 3])
def test_ean13_decodes_with_quiet_zones(module: int) -> None:
    symbol = ean13("4601234567893")
    assert len(symbol.modules) == 95 and (symbol.quiet_left, symbol.quiet_right) == (11, 7)
    assert read(paint(symbol, module)) == [("4601234567893", zxingcpp.BarcodeFormat.EAN13)]


def test_a_wrong_ean13_check_digit_is_refused_not_repaired() -> None:
    # The libraries "repair" it: the printed code would not be the one registered on Ozon.
    assert barcode.get("ean13", "4601234567890").get_fullcode() == "4601234567893"
    with pytest.raises(InvalidBarcode) as refused:
        ean13("4601234567890")
    assert refused.value.code == "ean13_check_digit" and "should be 3" in str(refused.value)
    with pytest.raises(InvalidBarcode):
        ean13("460123456789")  # 12 digits
    with pytest.raises(InvalidBarcode):
        product_symbol("4601234567890")


def test_product_barcodes_pick_their_symbology() -> None:
    assert product_symbol("4601234567893").symbology is Symbology.EAN13
    assert product_symbol("OZN1234567890").symbology is Symbology.CODE128
    assert product_symbol("12345").symbology is Symbology.CODE128


def test_module_widths_are_whole_dots_of_at_least_two() -> None:
    assert list(module_range(203, 0.25, 0.38)) == [2, 3]
    assert list(module_range(300, 0.25, 0.38)) == [3, 4]
    assert list(module_range(203, 0.1, 0.1)) == [2]


@pytest.mark.parametrize("code", ["4601234567893", "6901234567892", "4680000000017", "0000000000000"])
def test_ean13_bars_match_an_independent_encoder(code: str) -> None:
    """python-barcode draws valid EAN-13s right (it only mishandles wrong check digits, which we refuse)."""
    from printing import barcodes as ours

    assert ours.ean13(code).modules == barcode.get("ean13", code).build()[0]
