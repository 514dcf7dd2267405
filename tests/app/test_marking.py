"""Честный ЗНАК codes as scanners type them, and customs declaration numbers as sellers type them."""

from __future__ import annotations

import pytest

from app import customs, marking
from app.errors import InvalidAction
from app.marking import GS, MarkError
from tests.app.marks import mark

SHOES = "4607123456781"  # a valid EAN-13 (check digit 1)


def test_ean13_fixture_is_valid() -> None:
    assert marking.gtin_check_digit("0" + SHOES[:12]) == SHOES[12]


def test_a_full_code_parses_into_its_groups_and_back() -> None:
    code = mark(SHOES, serial="ABCdef1234567", tail=88)
    parsed = marking.parse(code)
    assert parsed.gtin == "0" + SHOES and parsed.serial == "ABCdef1234567"
    assert len(parsed.key) == 4 and len(parsed.tail) == 88 and parsed.tail_ai == "92"
    assert parsed.ident == f"010{SHOES}21ABCdef1234567"
    assert parsed.text == code  # what Ozon gets: every group, GS between them


def test_the_newer_93_layout_parses() -> None:
    parsed = marking.parse(mark(SHOES, serial="x" * 13, short=True))
    assert parsed.tail_ai == "93" and len(parsed.tail) == 4 and parsed.key == ""
    assert parsed.text.count(GS) == 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: "]d2" + c,  # the scanner's symbology prefix
        lambda c: GS + c,  # a leading FNC1
        lambda c: c + "\r\n",
        lambda c: c.replace(GS, "\\u001d"),  # copied from JSON
        lambda c: c.replace(GS, "<GS>"),
    ],
)
def test_what_scanners_do_to_the_separators_is_undone(mangle) -> None:  # type: ignore[no-untyped-def]
    code = mark(SHOES, serial="0123456789abc")
    assert marking.parse(mangle(code)).text == code


def test_a_configured_placeholder_becomes_gs() -> None:
    code = mark(SHOES, serial="S3R1AL-nUmb3r")
    assert marking.parse(code.replace(GS, "~~"), gs_substitute="~~").text == code
    with pytest.raises(MarkError):  # without the setting, "~~" is data and the layout is wrong
        marking.parse(code.replace(GS, "~~"))


@pytest.mark.parametrize("placeholder", ["029", "<GS>", "~", " "])
def test_a_placeholder_is_gs_only_where_the_layout_puts_a_separator(placeholder: str) -> None:
    gtin_with_029 = "4602900000010"  # "029" inside the GTIN: data, not a separator
    assert marking.gtin_check_digit("0" + gtin_with_029[:12]) == gtin_with_029[12]
    for ean, serial in ((gtin_with_029, "AB029CD<GS>EF1"[:13]), (SHOES, "X029~<G>S0291")):
        code = mark(ean, serial=serial)
        scanned = code.replace(GS, placeholder)
        assert marking.parse(scanned, gs_substitute=placeholder).text == code
        assert marking.parse(code, gs_substitute=placeholder).text == code  # a real GS still works
    short = mark(SHOES, serial="029029029029X", short=True)
    assert marking.parse(short.replace(GS, placeholder), gs_substitute=placeholder).text == short


def test_a_code_without_separators_is_read_by_the_fixed_lengths() -> None:
    # The tail contains "92" and "91" by chance: a search for them would cut in the wrong place.
    code = f"010{SHOES}21SERIAL9291XYZ{GS}91AB12{GS}92" + "9291" * 11
    parsed = marking.parse(code.replace(GS, ""))
    assert parsed.text == code and parsed.serial == "SERIAL9291XYZ"


def test_a_code_cut_before_its_crypto_tail_is_refused() -> None:
    code = mark(SHOES, serial="ABCDEFGHIJKLM")
    ident = code.split(GS)[0]
    for cut in (ident, ident + GS):
        with pytest.raises(MarkError) as err:
            marking.parse(cut)
        assert err.value.code == "mark_no_tail"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("4607123456781", "mark_malformed"),  # an EAN is not a marking code
        (f"010{SHOES[:12]}921ABCDEFGHIJKLM{GS}91AB12{GS}92{'x' * 44}", "mark_bad_gtin"),  # wrong check digit
        (f"010{SHOES}21ABCDEFGHIJKLM{GS}91AB12{GS}92{'x' * 40}", "mark_no_tail"),  # tail cut at 40
        (f"010{SHOES}21ABCDEFGHIJKLM{GS}91AB12{GS}92{'x' * 90}", "mark_malformed"),  # tail of 90
        (f"010{SHOES}21ABCDEFGHIJKLM{GS}91AB1{GS}92{'x' * 44}", "mark_malformed"),  # key of 3
        (f"010{SHOES}21ABC DEFGHIJKL{GS}91AB12{GS}92{'x' * 44}", "mark_malformed"),  # a space in the serial
        (f"010{SHOES}21ABCDEFGHIJKLM91AB12{'x' * 50}", "mark_no_separators"),  # no GS, unknown layout
    ],
)
def test_malformed_codes_are_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(MarkError) as err:
        marking.parse(text)
    assert err.value.code == code and err.value.message


def test_looks_like_mark_tells_codes_from_other_scans() -> None:
    assert marking.looks_like_mark(mark(SHOES))
    assert marking.looks_like_mark("]d2" + mark(SHOES))
    for other in (SHOES, "OZN123456789", "0208245774-0029-1", "PD:NEXT", "ii3052511747", "%101%806044518"):
        assert not marking.looks_like_mark(other)


def test_gtin_matches_the_product_barcodes_in_any_width() -> None:
    gtin = "0" + SHOES
    assert marking.gtin_matches(gtin, ["OZN1", SHOES])
    assert marking.gtin_matches(gtin, ["0" + SHOES])
    assert not marking.gtin_matches(gtin, ["4607123456798"])
    assert marking.gtin_matches("00012345678905", ["012345678905"])  # UPC-A


def test_customs_numbers_are_normalised_or_refused() -> None:
    assert customs.normalise_gtd(" 10702070 / 110326 / 3041525 ") == "10702070/110326/3041525"
    assert customs.normalise_gtd("10702070/110326/3041525/12/") == "10702070/110326/3041525/012"  # as Ozon checks
    assert customs.normalise_gtd("10702070/110326/3041525/345") == "10702070/110326/3041525/345"
    assert customs.normalise_gtd("10702070\\110326\\3041525") == "10702070/110326/3041525"
    for bad, code in (
        ("1070207/110326/3041525", "gtd_malformed"),
        ("10702070/310226/3041525", "gtd_bad_date"),
        ("", "gtd_malformed"),
        ("10702070/110326/3041525/1234", "gtd_malformed"),
    ):
        with pytest.raises(InvalidAction) as err:
            customs.normalise_gtd(bad)
        assert err.value.code == code
