"""Pages → TSPL (TSC, Xprinter, HPRT, Gprinter, iDPRT and most 4-inch thermal printers).

Text is drawn on the PC and sent as `BITMAP` (raw bytes, **bit 0 = black**, the opposite of ZPL).
Barcodes are drawn bar by bar with `BAR` at whole-dot positions and widths: dot-exact on every
TSPL clone, without relying on the firmware's Code 128 code-set choice (which changes the width).
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image

from printing import raster
from printing.layout import Bars, Bitmap, Page, Rect, Text

GAP_MM = 2.0  # die-cut label gap; 0 for continuous stock


def render(pages: Sequence[Page], gap_mm: float = GAP_MM) -> bytes:
    return b"".join(page_tspl(page, gap_mm) for page in pages)


def _mm(value: float) -> str:
    return f"{value:g}"


def page_tspl(page: Page, gap_mm: float = GAP_MM) -> bytes:
    lines: list[bytes] = [
        f"SIZE {_mm(page.stock.width_mm)} mm,{_mm(page.stock.height_mm)} mm".encode(),
        f"GAP {_mm(gap_mm)} mm,0 mm".encode(),
        b"DIRECTION 0,0",
        b"REFERENCE 0,0",
        b"CLS",
    ]
    for e in page.elements:
        if isinstance(e, Rect):
            lines.append(f"BAR {e.x},{e.y},{e.width},{e.height}".encode())
        elif isinstance(e, Bars):
            for start, width in e.symbol.bars():
                lines.append(f"BAR {e.x + start * e.module},{e.y},{width * e.module},{e.height}".encode())
        elif isinstance(e, Text):
            x, y, image = raster.placed_text(e)
            lines.append(bitmap(x, y, image))
        elif isinstance(e, Bitmap):
            lines.append(bitmap(e.x, e.y, e.image))
    lines.append(b"PRINT 1,1")
    return b"\r\n".join(lines) + b"\r\n"


def bitmap(x: int, y: int, image: Image.Image) -> bytes:
    """`BITMAP x,y,width_bytes,height,0,<raw>`; Pillow's mode "1" bytes already have 0 = black."""
    image = raster.byte_aligned(image)
    return f"BITMAP {x},{y},{image.width // 8},{image.height},0,".encode() + image.tobytes()
