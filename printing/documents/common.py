"""Small pieces the documents share: dates, module ranges, natural sort, page footers."""

from __future__ import annotations

import re
from datetime import datetime

from printing.geometry import module_range
from printing.layout import Align, Sheet

# Module widths (narrowest bar): posting numbers 0.25–0.38 mm (2–3 dots at 203 dpi, 3–4 at 300);
# EAN-13 from the 75 % thermal minimum up to 0.40 mm; command codes wider, for worn scanners.
POSTING_MODULE_MM = (0.25, 0.38)
PRODUCT_MODULE_MM = (0.25, 0.40)
COMMAND_MODULE_MM = (0.33, 0.50)


def modules(sheet: Sheet, span: tuple[float, float]) -> range:
    return module_range(sheet.dpi, *span)


def local_time(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A stored UTC time in the computer's time zone ("" when unknown)."""
    if value is None:
        return ""
    return value.astimezone().strftime(fmt)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """`PD-2` before `PD-10`: shelves are usually numbered, not sorted as text."""
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in re.split(r"(\d+)", text) if p)


def number_pages(sheets: list[Sheet], template: str, size_mm: float = 2.6) -> None:
    """Add "page n of m" at the bottom right of every sheet once the page count is known."""
    if len(sheets) < 2:
        return
    for n, sheet in enumerate(sheets, 1):
        size = sheet.mm(size_mm)
        sheet.text(
            sheet.right,
            sheet.bottom - sheet.line_height(size),
            template.format(n=n, m=len(sheets)),
            size,
            align=Align.RIGHT,
        )
