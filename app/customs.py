"""The customs declaration number (ГТД / ДТ) of imported goods, as the seller types it.

Format: customs office code (8 digits) / date of the declaration (DDMMYY) / number (7 digits),
optionally / the item's number in the declaration, three digits: `10702070/110326/3041525/012`
(typed `/12`, it is written `/012`, as Ozon checks it).
"""

from __future__ import annotations

import re
from datetime import date

from app.errors import InvalidAction

_GTD = re.compile(r"(\d{8})/(\d{2})(\d{2})(\d{2})/(\d{7})(/\d{1,3})?")


def normalise_gtd(text: str) -> str:
    """The number with spaces and a trailing slash removed; InvalidAction when it cannot be one."""
    value = re.sub(r"\s+", "", text).replace("\\", "/").rstrip("/")
    match = _GTD.fullmatch(value)
    if match is None:
        raise InvalidAction(
            "gtd_malformed", "a customs declaration number looks like 10702070/110326/3041525 (office/date/number)"
        )
    day, month, year = int(match[2]), int(match[3]), 2000 + int(match[4])
    try:
        date(year, month, day)
    except ValueError:
        raise InvalidAction(
            "gtd_bad_date", f"the date {match[2]}{match[3]}{match[4]} in the number is not a date"
        ) from None
    if match[6]:  # the item's number, always three digits
        value = value[: -len(match[6])] + "/" + match[6][1:].zfill(3)
    return value
