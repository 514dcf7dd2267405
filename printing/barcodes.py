"""Barcodes as module patterns: Code 128 (posting numbers, OZN… codes, commands) and EAN-13.

Packdesk encodes the symbols itself, so the very same bars go to the PDF, the raster preview and
the thermal printer, and ZPL gets the code sets spelled out (no firmware guessing that could change
the width). EAN-13 check digits are validated and a wrong one is refused: python-barcode and
reportlab silently "repair" it, which prints a different code than the one registered on Ozon.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

from app.errors import UserError

# Code 128 symbol widths (bar, space, bar, …) for values 0–105, then the stop pattern with its final bar.
_WIDTHS = " ".join(
    (
        "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212",
        "112232 122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131",
        "311222 321122 321221 312212 322112 322211 212123 212321 232121 111323 131123 131321",
        "112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121",
        "313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111",
        "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 112412 122114",
        "122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212",
        "124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113",
        "114311 411113 411311 113141 114131 311141 411131 211412 211214 211232 2331112",
    )
).split()
START_B, START_C, CODE_B, CODE_C, STOP = 104, 105, 100, 99, 106

# EAN-13: left-half parity by the first digit, and the three digit encodings (A = odd, B = even, C = right).
_EAN_PARITY = ("AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAB", "ABABBA", "ABBABA")
_EAN_A = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_EAN_B = tuple(code.translate(str.maketrans("01", "10"))[::-1] for code in _EAN_A)
_EAN_C = tuple(code.translate(str.maketrans("01", "10")) for code in _EAN_A)


class Symbology(StrEnum):
    CODE128 = "code128"
    EAN13 = "ean13"


class InvalidBarcode(UserError):
    pass


@dataclass(frozen=True, slots=True)
class Symbol:
    """An encoded barcode: `modules` is '1' for bar and '0' for space, quiet zones excluded."""

    symbology: Symbology
    value: str
    modules: str
    quiet_left: int  # minimum quiet zone, in modules
    quiet_right: int
    # Code 128 only: the data split by code set, e.g. (("C", "0208245774"), ("B", "-"), ...).
    segments: tuple[tuple[str, str], ...] = ()

    @property
    def width(self) -> int:
        """Modules including the quiet zones."""
        return self.quiet_left + len(self.modules) + self.quiet_right

    def bars(self) -> list[tuple[int, int]]:
        """(start, width) of every bar, in modules from the first bar."""
        runs = []
        start = -1
        for i, m in enumerate(self.modules + "0"):
            if m == "1" and start < 0:
                start = i
            elif m == "0" and start >= 0:
                runs.append((start, i - start))
                start = -1
        return runs


def _widths_to_modules(widths: str) -> str:
    return "".join(("1" if i % 2 == 0 else "0") * int(w) for i, w in enumerate(widths))


def _plan_code128(value: str) -> list[tuple[str, str]]:
    """Fewest symbols over code sets B and C (dynamic programming from the end); returns (set, text)
    segments. A set change costs one symbol; C takes two digits per symbol."""
    n = len(value)
    pair = [i + 1 < n and value[i].isdigit() and value[i + 1].isdigit() for i in range(n)]
    cost = {("B", n): 0, ("C", n): 0}
    choice: dict[tuple[str, int], str] = {}
    for i in range(n - 1, -1, -1):
        for current in ("B", "C"):
            best_set, best_cost = "", n * 3
            # Staying in the current set wins ties (no switch symbol), then B.
            for nxt in (current, "C" if current == "B" else "B"):
                if nxt == "C" and not pair[i]:
                    continue
                c = 1 + (nxt != current) + cost[(nxt, i + (2 if nxt == "C" else 1))]
                if c < best_cost:
                    best_set, best_cost = nxt, c
            cost[(current, i)], choice[(current, i)] = best_cost, best_set
    # The start symbol selects the first set: start in whichever set is cheaper from there.
    current = "C" if pair[0] and cost[("C", 0)] < cost[("B", 0)] else "B"
    segments: list[tuple[str, str]] = []
    i = 0
    while i < n:
        current = choice[(current, i)]
        step = 2 if current == "C" else 1
        if segments and segments[-1][0] == current:
            segments[-1] = (current, segments[-1][1] + value[i : i + step])
        else:
            segments.append((current, value[i : i + step]))
        i += step
    return segments


@functools.lru_cache(maxsize=4096)
def code128(value: str) -> Symbol:
    """Code 128 of printable ASCII (posting numbers, OZN… codes, `%101%…`); quiet zones of 10 modules."""
    if not value:
        raise InvalidBarcode("barcode_empty", "an empty value cannot be printed as a barcode")
    bad = sorted({ch for ch in value if not (" " <= ch <= "~")})
    if bad:
        raise InvalidBarcode(
            "barcode_charset", f"{value!r} cannot be a Code 128 barcode: it contains {''.join(bad)!r}", value=value
        )
    segments = _plan_code128(value)
    codes = [START_C if segments[0][0] == "C" else START_B]
    current = segments[0][0]
    for code_set, text in segments:
        if code_set != current:
            codes.append(CODE_C if code_set == "C" else CODE_B)
            current = code_set
        if code_set == "C":
            codes += [int(text[j : j + 2]) for j in range(0, len(text), 2)]
        else:
            codes += [ord(ch) - 32 for ch in text]
    codes.append((codes[0] + sum(i * c for i, c in enumerate(codes[1:], 1))) % 103)
    codes.append(STOP)
    modules = "".join(_widths_to_modules(_WIDTHS[c]) for c in codes)
    return Symbol(Symbology.CODE128, value, modules, 10, 10, tuple(segments))


def ean13_check_digit(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isascii() and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


def ean13(code: str) -> Symbol:
    """EAN-13 of exactly 13 digits with a correct check digit; anything else is refused."""
    code = code.strip()
    if len(code) != 13 or not code.isascii() or not code.isdigit():
        raise InvalidBarcode("ean13_format", f"{code!r} is not an EAN-13: it needs exactly 13 digits", value=code)
    expected = ean13_check_digit(code[:12])
    if code[12] != expected:
        raise InvalidBarcode(
            "ean13_check_digit",
            f"EAN-13 {code} has a wrong check digit (the last digit should be {expected}); "
            "correct the barcode in the product card",
            value=code,
            expected=expected,
        )
    parity = _EAN_PARITY[int(code[0])]
    left = "".join((_EAN_A if p == "A" else _EAN_B)[int(d)] for p, d in zip(parity, code[1:7], strict=True))
    right = "".join(_EAN_C[int(d)] for d in code[7:])
    return Symbol(Symbology.EAN13, code, "101" + left + "01010" + right + "101", 11, 7)


def looks_like_ean13(code: str) -> bool:
    return len(code) == 13 and code.isascii() and code.isdigit()


def product_symbol(code: str) -> Symbol:
    """A product barcode as Ozon knows it: 13 digits are an EAN-13 (validated), anything else Code 128."""
    code = code.strip()
    return ean13(code) if looks_like_ean13(code) else code128(code)
