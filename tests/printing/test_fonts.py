"""The label font covers Latin, Cyrillic and Chinese, and those characters print as glyphs, not boxes."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops

from printing import fonts, geometry, raster, render
from printing.layout import Sheet
from tests.printing.conftest import pdf_images

SCRIPTS = "Тест печати 打印测试 Test print ЁЖЯ 李伟 №«»"


def test_the_font_is_found_and_covers_all_three_scripts() -> None:
    font = fonts.label_font()
    assert Path(font.path).is_file()
    assert font.covers(fonts.COVERAGE_PROBE + SCRIPTS)


def test_characters_no_font_has_print_as_a_mark() -> None:
    assert fonts.printable("Цена 100 \U00013000\x07") == f"Цена 100 {fonts.UNSUPPORTED} "


def _ink(text: str, size: int = 40) -> Image.Image:
    return raster.text_bitmap(text, size).image


def _tofu() -> Image.Image:
    """What a character the font lacks looks like (its .notdef box)."""
    lacking = next(chr(c) for c in range(0xE000, 0xF900) if c not in fonts.label_font().codepoints)
    return _ink(lacking)


@pytest.mark.parametrize("ch", list("打印测试李伟ЁЖЯжяЪ"))
def test_chinese_and_cyrillic_render_as_glyphs_not_boxes(ch: str) -> None:
    glyph, tofu = _ink(ch), _tofu()
    same_size = glyph.size == tofu.size
    assert not (same_size and ImageChops.difference(glyph, tofu).getbbox() is None), f"{ch!r} prints as a box"
    # A glyph has ink inside its box, not just a frame.
    inner = glyph.crop((glyph.width // 4, glyph.height // 4, 3 * glyph.width // 4, 3 * glyph.height // 4))
    assert inner.convert("L").getextrema()[0] == 0, f"{ch!r} has no ink in its middle"


def test_different_characters_render_differently() -> None:
    shapes = {ch: (_ink(ch).size, _ink(ch).tobytes()) for ch in "打印测试李伟ЁЖЯжя"}
    assert len(set(shapes.values())) == len(shapes)


def test_pdf_embeds_the_font_and_its_chinese_text_prints_like_the_raster(tmp_path: Path) -> None:
    sheet = Sheet(geometry.LABEL_75x120, 300)
    size = sheet.mm(6)
    sheet.text(sheet.left, sheet.margin, "打印测试 Ёлка", size)
    page = sheet.page()
    data = render.encode([page], render.Format.PDF)
    doc = pdfium.PdfDocument(data)
    text = doc[0].get_textpage().get_text_range()
    assert "打印测试" in text and "Ёлка" in text
    assert b"/FontFile2" in data or b"FontFile2" in data  # the TrueType font is embedded (subset)
    printed = pdf_images(data, 300)[0]
    reference = raster.page_image(page).convert("L")
    box = reference.point(lambda v: 255 - v).getbbox()
    assert box is not None
    a, b = printed.crop(box), reference.crop(box)
    ink_a = sum(1 for v in a.tobytes() if v < 128)
    ink_b = sum(1 for v in b.tobytes() if v < 128)
    differ = sum(1 for x, y in zip(a.tobytes(), b.tobytes(), strict=True) if (x < 128) != (y < 128))
    # Two rasterizers round glyph edges differently; a box instead of a glyph would differ wholesale.
    assert abs(ink_a - ink_b) < 0.1 * ink_b
    assert differ < 0.15 * ink_b


def test_a_missing_font_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    dejavu = next(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"), None)
    if dejavu is None:
        pytest.skip("no DejaVu font to stand in for a font without Chinese")
    monkeypatch.setenv("PACKDESK_LABEL_FONT", str(dejavu))
    monkeypatch.setattr(fonts, "_font", None)
    with pytest.raises(fonts.FontMissing) as missing:
        fonts.label_font()
    assert "fonts-wqy-microhei" in str(missing.value) and "lacks" in str(missing.value)
    monkeypatch.setenv("PACKDESK_LABEL_FONT", "/nowhere/font.ttc")
    with pytest.raises(fonts.FontMissing, match="apt-get install fonts-wqy-microhei"):
        fonts.label_font()
