"""PDF text: only bold lines are stroked (fill + stroke, render mode 2); every other line is filled only,
whatever was drawn before it (issue 9: a bold line left the stroke on, smearing all later text)."""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from printing import geometry, render
from printing.layout import Page, Sheet
from tests.printing.conftest import pdf_images, sample_postings, sample_products
from tests.printing.test_documents import DOCUMENTS

FILL, FILL_STROKE = 0, 2


def _text_objects(data: bytes) -> list[list[tuple[int, str]]]:
    """Per page, each text object's render mode and text, in drawing order."""
    doc = pdfium.PdfDocument(data)
    result = []
    for i in range(len(doc)):
        page = doc[i]
        textpage = page.get_textpage()
        found = []
        for obj in page.get_objects():
            if obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
                continue
            n = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buf = (ctypes.c_ushort * (n // 2))()
            pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), n)
            text = bytes(buf).decode("utf-16-le").rstrip("\0")
            found.append((pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw), text))
        result.append(found)
    return result


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _check_modes(pages: list[Page], data: bytes) -> None:
    for page, objects in zip(pages, _text_objects(data), strict=True):
        queue = list(objects)
        for text in page.texts():
            want = FILL_STROKE if text.bold else FILL
            got = ""
            while _squeeze(got) != _squeeze(text.text):  # a line may come as several text objects
                assert queue, f"{text.text!r} is missing from the PDF"
                mode, piece = queue.pop(0)
                assert mode == want, f"{text.text!r} (bold={text.bold}) is drawn in text render mode {mode}"
                got += piece
        assert not queue, f"text objects nobody laid out: {queue}"


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_only_bold_text_is_stroked(name: str, dpi: int) -> None:
    pages, _ = DOCUMENTS[name](sample_postings(), sample_products(), dpi)
    assert any(t.bold for page in pages for t in page.texts()) and any(
        not t.bold for page in pages for t in page.texts()
    )
    _check_modes(pages, render.encode(pages, render.Format.PDF))


def _ink(page: Page, dpi: int, box: tuple[int, int, int, int]) -> int:
    image = pdf_images(render.encode([page], render.Format.PDF), dpi)[0].crop(box)
    return sum(1 for v in image.tobytes() if v < 128)


@pytest.mark.parametrize("dpi", [203, 300])
def test_a_small_line_after_a_bold_one_prints_as_thin_as_alone(dpi: int) -> None:
    """ "Получатель" at 7 pt under a bold line: the same ink as when it is the only line on the page."""
    alone, after_bold = Sheet(geometry.LABEL_75x120, dpi), Sheet(geometry.LABEL_75x120, dpi)
    size = alone.mm(2.6)
    after_bold.text(after_bold.left, after_bold.margin, "12345678-0001-1", after_bold.mm(6.5), bold=True)
    top = alone.mm(20)
    for sheet in (alone, after_bold):
        sheet.text(sheet.left, top, "Получатель", size)
    box = (0, top, alone.width, top + alone.line_height(size))
    assert _ink(after_bold.page(), dpi, box) == _ink(alone.page(), dpi, box)
