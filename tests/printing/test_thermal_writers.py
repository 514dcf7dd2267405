"""ZPL and TSPL writers: opposite bit polarity, compressed ZPL graphics (Z64 and hex), escaping, byte-exact jobs."""

from __future__ import annotations

import base64
import dataclasses
import re
import zlib

import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw

from printing import geometry, raster, tspl, zpl
from printing.barcodes import code128
from printing.documents import own_label
from printing.layout import Bars, Bitmap, Page, Rect
from tests.printing.conftest import sample_postings, tspl_images, zpl_images


def checker(width: int, height: int) -> Image.Image:
    """A 1-bit test pattern (0 = black) with a width that is not a whole number of bytes."""
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 4):
        for x in range((y // 4) % 2 * 4, width, 8):
            draw.rectangle((x, y, x + 3, y + 3), fill=0)
    draw.line((0, height - 1, width - 1, height - 1), fill=0)
    return image


def one_bitmap_page(image: Image.Image, x: int = 13, y: int = 7) -> Page:
    return Page(geometry.LABEL_58x40, 203, (Bitmap(x, y, image),))


def test_zpl_graphic_bits_are_1_for_black_and_tspl_bits_are_0_for_black() -> None:
    black_dot = Image.new("1", (8, 1), 1)
    black_dot.putpixel((0, 0), 0)  # one black dot, then seven white
    assert zpl.graphic(0, 0, black_dot) == "^FO0,0^GFA,1,1,1,8,^FS"  # 0x80 → "8", rest of the row white
    assert tspl.bitmap(0, 0, black_dot) == b"BITMAP 0,0,1,1,0," + bytes([0x7F])


@pytest.mark.parametrize("width", [8, 13, 61, 600])
def test_bitmaps_round_trip_through_both_printers_dot_for_dot(width: int) -> None:
    image = checker(width, 37)
    page = one_bitmap_page(image, x=5, y=3)
    expected = raster.page_image(page).convert("L")
    w, h = page.width, page.height
    for printed in (zpl_images(zpl.render([page]), w, h, 203)[0], tspl_images(tspl.render([page]), 203)[0]):
        assert ImageChops.difference(printed, expected).getbbox() is None


def test_padding_bits_at_row_ends_print_white() -> None:
    # 13 dots wide: 3 padding bits per row; were they black, a 3-dot stripe would appear at x = 13..15.
    page = one_bitmap_page(Image.new("1", (13, 20), 0), x=0, y=0)
    for printed in (
        zpl_images(zpl.render([page]), page.width, page.height, 203)[0],
        tspl_images(tspl.render([page]), 203)[0],
    ):
        assert printed.crop((13, 0, 24, 20)).getextrema() == (255, 255)
        assert printed.crop((0, 0, 13, 20)).getextrema() == (0, 0)


def test_zpl_graphics_are_compressed() -> None:
    blank_rows = Image.new("1", (600, 200), 1)
    blank_rows.paste(0, (0, 100, 600, 101))
    field = zpl.graphic(0, 0, blank_rows)
    assert len(field) < 300  # 15,000 bytes of bitmap
    # `:` repeats the previous row, `,` ends a row in white, `!` in black, counts are G–Y / g–z.
    assert zpl.compress(bytes([0] * 4 + [0xFF] * 4), 4) == ",!"
    assert zpl.compress(bytes([0xAB] * 3), 3) == "ABABAB"
    assert zpl.compress(bytes([0x11] * 30), 30) == "i1"  # 60 × "1": i = 60
    assert zpl.compress(bytes([0x12, 0x34]) * 2, 2) == "1234:"


def test_zpl_run_lengths_sum_to_the_count() -> None:
    def expand(text: str) -> str:
        out = []
        count = 0
        for ch in text:
            if "G" <= ch <= "Y":
                count += ord(ch) - ord("G") + 1
            elif "g" <= ch <= "z":
                count += (ord(ch) - ord("g") + 1) * 20
            else:
                out.append(ch * (count or 1))
                count = 0
        return "".join(out)

    for n in (3, 19, 20, 21, 39, 40, 399, 400, 401, 799):
        assert expand(zpl._RUN.sub(zpl._run_length, "A" * n)) == "A" * n


def test_code128_field_data_spells_out_the_code_sets() -> None:
    assert zpl.code128_field_data(code128("0208245774-0029-1")) == ">;0208245774>6-0029-1"
    assert zpl.code128_field_data(code128("OZN123456789")) == ">:OZN1>523456789"
    assert zpl.code128_field_data(code128("a>b~c")) == ">:a>0b>=c"


@pytest.mark.parametrize("value", ["a>b~c_d^e", "OZN123456789", "0208245774-0029-1"])
def test_zpl_barcodes_with_special_characters_decode(value: str) -> None:
    symbol = code128(value)
    page = Page(geometry.LABEL_75x120, 203, (Bars(40, 40, symbol, 2, 120),))
    data = zpl.render([page])
    assert "^FH_" in data.decode() if any(c in value for c in "^~_") else "^FH" not in data.decode()
    image = zpl_images(data, page.width, page.height, 203)[0]
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [value]


def test_one_zpl_label_per_page_with_its_size() -> None:
    pages = [Page(geometry.LABEL_75x120, dpi, (Rect(10, 10, 50, 4),)) for dpi in (203, 300)]
    data = zpl.render(pages).decode()
    assert re.findall(r"\^PW(\d+)\^LL(\d+)", data) == [("599", "959"), ("886", "1417")]
    assert data.count("^XA^CI28") == 2 and data.count("^XZ") == 2


def test_tspl_job_layout() -> None:
    page = Page(geometry.LABEL_58x40, 203, (Rect(10, 20, 30, 4),))
    assert tspl.render([page]) == (
        b"SIZE 58 mm,40 mm\r\nGAP 2 mm,0 mm\r\nDIRECTION 0,0\r\nREFERENCE 0,0\r\nCLS\r\nBAR 10,20,30,4\r\nPRINT 1,1\r\n"
    )


def test_a_whole_label_bitmap_goes_in_bands_that_fit_zpl_limits() -> None:
    image = checker(886, 1417)  # 75×120 mm at 300 dpi: 157,287 bytes, more than one ^GF may count
    page = Page(geometry.LABEL_75x120, 300, (Bitmap(0, 0, image),))
    data = zpl.render([page]).decode()
    sizes = [int(n) for n in re.findall(r"\^GFA,(\d+),", data)]
    assert len(sizes) > 1 and max(sizes) <= zpl.GF_BAND_BYTES and sum(sizes) == 111 * 1417
    printed = zpl_images(data.encode(), page.width, page.height, 300)[0]
    assert ImageChops.difference(printed, raster.page_image(page).convert("L")).getbbox() is None


def _crc16_xmodem(data: bytes) -> int:
    """CRC-16/CCITT as Zebra checks a Z64 field (polynomial 0x1021, start 0), bit by bit."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


def _label_pages(dpi: int) -> list[Page]:
    return own_label.pages(sample_postings(), geometry.LABEL_75x120, dpi, sender="ИП Ли Вэй 李伟")


@pytest.mark.parametrize("dpi", [203, 300])
def test_zpl_text_goes_as_z64_that_inflates_to_the_declared_bytes(dpi: int) -> None:
    data = zpl.render(_label_pages(dpi)).decode()
    fields = re.findall(r"\^GFA,(\d+),(\d+),(\d+),:Z64:([A-Za-z0-9+/=]+):([0-9A-F]{4})\^FS", data)
    assert len(fields) == data.count("^GFA")  # every graphic of a label is Z64
    for total, declared, _row, text, crc in fields:
        assert total == declared
        assert len(zlib.decompress(base64.b64decode(text, validate=True))) == int(total)
        assert int(crc, 16) == _crc16_xmodem(text.encode())


def test_zpl_labels_are_a_third_of_the_hex_bytes_and_print_the_same_dots() -> None:
    pages = _label_pages(203)
    small, hex_only = zpl.render(pages), zpl.render(pages, z64=False)
    per_label = len(small) / len(pages)
    assert per_label < 9_000 and len(small) < 0.4 * len(hex_only), (per_label, len(hex_only) / len(pages))
    w, h = pages[0].width, pages[0].height
    for a, b, page in zip(zpl_images(small, w, h, 203), zpl_images(hex_only, w, h, 203), pages, strict=True):
        assert ImageChops.difference(a, b).getbbox() is None
        assert ImageChops.difference(a, raster.page_image(page).convert("L")).getbbox() is None


def test_zpl_batches_send_recurring_lines_once_and_print_the_same_dots() -> None:
    postings = [dataclasses.replace(sample_postings()[i % 2], order_number=f"{i:08d}-0001") for i in range(6)]
    pages = own_label.pages(postings, geometry.LABEL_75x120, 203, sender="ИП Ли Вэй 李伟")
    shared, alone = zpl.render(pages), zpl.render(pages, share=False)
    text = shared.decode()
    stored = re.findall(r"~DGR:(PDT\d{3})\.GRF,(\d+),(\d+),:Z64:", text)
    recalled = re.findall(r"\^XGR:(PDT\d{3})\.GRF,1,1\^FS", text)
    assert stored and set(recalled) == {name for name, _, _ in stored}
    assert text.index("^XA") > max(text.index(f"~DGR:{name}") for name, _, _ in stored)  # stored first
    assert "~DG" not in zpl.render(pages[:1]).decode() and "^XG" not in alone.decode()
    assert len(shared) < 0.8 * len(alone)
    w, h = pages[0].width, pages[0].height
    for image, page in zip(zpl_images(shared, w, h, 203), pages, strict=True):
        assert ImageChops.difference(image, raster.page_image(page).convert("L")).getbbox() is None


@pytest.mark.parametrize("z64", [True, False])
def test_a_zpl_label_alone_joins_its_lines_of_text_and_prints_the_same_dots(z64: bool) -> None:
    full, compact = _label_pages(203), own_label.pages(sample_postings(), geometry.LABEL_58x40, 300)
    for page in full + compact:
        alone = zpl.render([page], z64=z64)
        fields = alone.decode().count("^GFA")
        assert fields < len(list(page.texts())) if page in full else fields <= len(list(page.texts()))
        (printed,) = zpl_images(alone, page.width, page.height, page.dpi)
        assert ImageChops.difference(printed, raster.page_image(page).convert("L")).getbbox() is None


def test_a_typical_zpl_label_alone_is_at_most_6_kb() -> None:
    """The pack station prints one label per packed posting: 75×120 at 203 dpi, an FBS posting (its
    warehouse as the sender): 6.3 KB with one graphic per line of text, 17.2 KB as ASCII hex; 5.95 KB
    now. The limit is 6 KiB: the glyphs come from the system's font, whose version may differ a little."""
    (page,) = own_label.pages(sample_postings()[:1], geometry.LABEL_75x120, 203)
    assert len(zpl.render([page])) <= 6 * 1024
