"""Identifiers and barcodes in Ozon's formats, drawn from one seeded random source."""

from __future__ import annotations

import random
import uuid

NO_BARCODE = "0"  # Ozon's "none" in barcodes.upper_barcode / lower_barcode (postings on the new labels only)


def ean13_check_digit(first12: str) -> str:
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("EAN-13 needs 12 digits before the check digit")
    odd = sum(int(c) for c in first12[0::2])
    even = sum(int(c) for c in first12[1::2])
    return str((10 - (odd + 3 * even) % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


class Ids:
    """Unique ids for everything the emulator creates (seed data and later arrivals alike)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self._order_id = 33_301_885_134 + rng.randrange(1_000_000)
        # Chat message ids: 19 digits, or 20 for some chats (Ozon's official example has
        # "30000000001280042740", beyond uint64: a client must keep them as strings).
        self._message_ids = {
            False: 3_000_000_000_817_031_942 + rng.randrange(1_000_000),
            True: 30_000_000_001_280_042_740 + rng.randrange(1_000_000),
        }
        self._counters: dict[str, int] = {}

    def _unique(self, make: str) -> bool:
        if make in self._used:
            return False
        self._used.add(make)
        return True

    def digits(self, n: int) -> str:
        return str(self._rng.randrange(10 ** (n - 1), 10**n))

    def order_number(self) -> str:
        """``0208245774-0029``: an 8-10 digit buyer prefix and a 4-digit order counter."""
        rng = self._rng
        while True:
            width = rng.choice((8, 9, 10, 10))
            prefix = str(rng.randrange(10**width)).zfill(width)
            number = f"{prefix}-{rng.randrange(1, 300):04d}"
            if self._unique(number):
                return number

    def order_id(self) -> int:
        self._order_id += self._rng.randrange(1, 5000)
        return self._order_id

    def label_codes(self, new_only: bool = False) -> tuple[str, str, str]:
        """(upper_barcode, lower_barcode, scanit) for one posting, all unique; with ``new_only`` the posting
        is on Ozon's new labels only and has no upper/lower barcode (``"0"``)."""
        while True:
            scanit = "ii" + self.digits(10)
            if new_only:
                if self._unique(scanit):
                    return NO_BARCODE, NO_BARCODE, scanit
                continue
            upper = "%101%" + self.digits(self._rng.choice((9, 9, 10, 12)))
            lower = self.digits(14)
            if self._unique(upper) and self._unique(lower) and self._unique(scanit):
                return upper, lower, scanit

    def token(self) -> str:
        """A random 32-hex-digit name part (CDN file names)."""
        return f"{self._rng.getrandbits(128):032x}"

    def ean13(self) -> str:
        rng = self._rng
        while True:
            prefix = str(rng.randrange(460, 470) if rng.random() < 0.55 else rng.randrange(690, 700))
            body = prefix + self.digits(9)
            code = body + ean13_check_digit(body)
            if self._unique(code):
                return code

    def ozn(self) -> str:
        while True:
            code = "OZN" + self.digits(self._rng.randrange(9, 13))
            if self._unique(code):
                return code

    def message_id(self, wide: bool = False) -> int:
        """The next message id, increasing; ``wide``: from the 20-digit range."""
        self._message_ids[wide] += self._rng.randrange(1, 2000)
        return self._message_ids[wide]

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def next(self, name: str, start: int, step: int = 1) -> int:
        """Increasing ids per kind (return ids, carriage ids, ...), with a random stride."""
        value = self._counters.get(name, start) + self._rng.randrange(1, step + 1)
        self._counters[name] = value
        return value
