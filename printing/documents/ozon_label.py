"""Ozon's FBS package label (a PDF from the API): printed as it is, or as a dot-exact bitmap for a
thermal printer.

Its page size is read from the PDF, never assumed. On a thermal printer the page is matched to the
stock: turned 90° when the orientations differ, and scaled down (with a warning in the log) only when
it does not fit; a label that fits is printed at 100 %, centred.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from app import label_files
from printing import raster
from printing.geometry import MM_PER_INCH, Stock
from printing.layout import Bitmap, Page

log = logging.getLogger(__name__)

SIZE_TOLERANCE_MM = 1.0


@dataclass(frozen=True, slots=True)
class Fit:
    rotate: int  # degrees clockwise
    scale: float


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height of every page in mm, from the PDF itself (rotation applied)."""
    doc = label_files.open_pdf(pdf)
    try:
        sizes = []
        for i in range(len(doc)):
            page = doc[i]
            w, h = page.get_size()
            sizes.append((w * MM_PER_INCH / 72, h * MM_PER_INCH / 72))
            page.close()
        return sizes
    finally:
        doc.close()


def fit(page_mm: tuple[float, float], stock: Stock) -> Fit:
    width, height = page_mm
    rotate = 90 if (width > height) != (stock.width_mm > stock.height_mm) and abs(width - height) > 1 else 0
    if rotate:
        width, height = height, width
    scale = 1.0
    if width > stock.width_mm + SIZE_TOLERANCE_MM or height > stock.height_mm + SIZE_TOLERANCE_MM:
        scale = min(stock.width_mm / width, stock.height_mm / height)
        log.warning(
            "Ozon's label is %.0f×%.0f mm but the printer has %s mm stock: printed at %.0f %%",
            width,
            height,
            stock.name,
            scale * 100,
        )
    return Fit(rotate, scale)


def pages(pdf: bytes, stock: Stock, dpi: int) -> list[Page]:
    """Each PDF page as one full-label bitmap on the printer's stock."""
    result = []
    for index, size in enumerate(page_sizes_mm(pdf)):
        how = fit(size, stock)
        image = raster.pdf_page_bitmap(pdf, index, dpi, scale=how.scale, rotate=how.rotate)
        result.append(_on_stock(image, stock, dpi))
    return result


def _on_stock(image: Image.Image, stock: Stock, dpi: int) -> Page:
    width, height = stock.dots(dpi)
    if image.width > width or image.height > height:  # within the size tolerance: trim the white edge
        left, top = max(0, (image.width - width) // 2), max(0, (image.height - height) // 2)
        image = image.crop((left, top, left + min(width, image.width), top + min(height, image.height)))
    return Page(stock, dpi, (Bitmap((width - image.width) // 2, (height - image.height) // 2, image),))


def merge(pdfs: Sequence[bytes]) -> bytes:
    """Several PDFs as one, pages unchanged (Ozon's labels for a batch, one file to print)."""
    if len(pdfs) == 1:
        return pdfs[0]
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    try:
        for pdf in pdfs:
            src = label_files.open_pdf(pdf)
            try:
                out.import_pages(src)
            finally:
                src.close()
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
