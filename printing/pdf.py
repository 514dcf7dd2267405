"""Pages → one PDF (reportlab), one PDF page per label, page size = the stock size.

Coordinates are the printer's dots converted to points, measured from the top-left corner, so every
bar edge sits on the dot grid of the printer the PDF is made for. Print it at 100 %, never "fit to page".
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from printing import fonts
from printing.layout import Align, Bars, Bitmap, Page, Rect, Text, bold_extra


def render(pages: Sequence[Page], title: str = "Packdesk") -> bytes:
    if not pages:
        raise ValueError("no pages to render")
    font = fonts.label_font().pdf_name
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=pages[0].stock.points, invariant=True)
    canvas.setTitle(title)
    canvas.setCreator("Packdesk")
    for page in pages:
        canvas.setPageSize(page.stock.points)
        _draw(canvas, page, font)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _draw(canvas: Canvas, page: Page, font: str) -> None:
    dot = 72 / page.dpi
    top = page.stock.points[1]
    rects = canvas.beginPath()
    has_rects = False
    for e in page.elements:
        if isinstance(e, Rect):
            rects.rect(e.x * dot, top - (e.y + e.height) * dot, e.width * dot, e.height * dot)
            has_rects = True
        elif isinstance(e, Bars):
            y = top - (e.y + e.height) * dot
            for start, width in e.symbol.bars():
                rects.rect((e.x + start * e.module) * dot, y, width * e.module * dot, e.height * dot)
            has_rects = True
        elif isinstance(e, Text):
            _text(canvas, e, font, dot, top)
        elif isinstance(e, Bitmap):
            w, h = e.image.size
            canvas.drawImage(ImageReader(e.image), e.x * dot, top - (e.y + h) * dot, w * dot, h * dot)
    if has_rects:
        canvas.setFillGray(0)
        canvas.drawPath(rects, stroke=0, fill=1)


def _text(canvas: Canvas, e: Text, font: str, dot: float, top: float) -> None:
    size = e.size * dot
    x, y = e.x * dot, top - e.baseline * dot
    runs = fonts.runs(e.text)
    if e.bold or [f.pdf_name for f, _ in runs] != [font]:
        # Bold: fill and stroke the outline, the same extra width a bold raster gets on each side. The
        # render mode and line width are graphics state that outlives the text object (`ET`), so they
        # are set inside `q`…`Q`: the text drawn after this line is filled only, not smeared.
        canvas.saveState()
        obj = canvas.beginText()
        if e.bold:
            canvas.setLineWidth(2 * bold_extra(e.size) * dot)
            obj.setTextRenderMode(2)
        width = fonts.text_width(e.text, size)
        shift = {Align.LEFT: 0.0, Align.CENTER: width / 2, Align.RIGHT: width}[e.align]
        obj.setTextOrigin(x - shift, y)
        for run_font, run in runs:  # characters the label font lacks come from a fallback font
            obj.setFont(run_font.pdf_name, size)
            obj.textOut(run)
        canvas.drawText(obj)
        canvas.restoreState()
        return
    canvas.setFont(font, size)
    if e.align is Align.CENTER:
        canvas.drawCentredString(x, y, e.text)
    elif e.align is Align.RIGHT:
        canvas.drawRightString(x, y, e.text)
    else:
        canvas.drawString(x, y, e.text)
