"""Paper stock sizes and printer dots.

Everything Packdesk draws is placed on the printer's dot grid: a position or a bar width is a whole
number of dots of the target printer (203 dpi = 8 dots/mm, 300 dpi = 11.8 dots/mm). A PDF is then
just a rendering of those dots in points, so bars land on the grid of the printer that prints it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.errors import UserError
from app.settings import LABEL_DPIS as DPIS

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72


@dataclass(frozen=True, slots=True)
class Stock:
    """A label or sheet size, portrait (width ≤ height is not required: 58×40 is landscape)."""

    name: str
    width_mm: float
    height_mm: float

    def dots(self, dpi: int) -> tuple[int, int]:
        return mm_to_dots(self.width_mm, dpi), mm_to_dots(self.height_mm, dpi)

    @property
    def points(self) -> tuple[float, float]:
        return self.width_mm * POINTS_PER_INCH / MM_PER_INCH, self.height_mm * POINTS_PER_INCH / MM_PER_INCH

    @property
    def is_sheet(self) -> bool:
        """An office sheet (A4) rather than a label roll."""
        return self.width_mm >= 200


LABEL_75x120 = Stock("75x120", 75, 120)
LABEL_58x40 = Stock("58x40", 58, 40)
LABEL_100x150 = Stock("100x150", 100, 150)
A6 = Stock("A6", 105, 148)
A4 = Stock("A4", 210, 297)
STOCKS = {s.name.lower(): s for s in (LABEL_75x120, LABEL_58x40, LABEL_100x150, A6, A4)}
DEFAULT_STOCK = LABEL_75x120


def stock(name: str) -> Stock:
    """`75x120`, `58x40`, `100x150`, `A6`, `A4` (also `75×120`, case-insensitive)."""
    found = STOCKS.get(name.strip().lower().replace("×", "x").replace(" ", ""))
    if found is None:
        raise UserError(
            "unknown_size", f"unknown label size {name!r}: use one of {', '.join(s.name for s in STOCKS.values())}"
        )
    return found


def check_dpi(dpi: int) -> int:
    if dpi not in DPIS:
        raise UserError("unknown_dpi", f"unsupported printer resolution {dpi} dpi: use 203 or 300", dpi=dpi)
    return dpi


def mm_to_dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / MM_PER_INCH)


def module_range(dpi: int, min_mm: float, max_mm: float) -> range:
    """Whole-dot module widths (narrowest bar) between `min_mm` and `max_mm`, at least 2 dots.

    At 203 dpi a 0.25–0.38 mm module is 2–3 dots; at 300 dpi it is 3–4 dots.
    """
    low = max(2, math.ceil(min_mm * dpi / MM_PER_INCH - 1e-9))
    high = max(low, math.floor(max_mm * dpi / MM_PER_INCH + 1e-9))
    return range(low, high + 1)
