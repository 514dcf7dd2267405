"""Честный ЗНАК marking codes as a scanner types them: parsed, checked, normalised for Ozon.

A code is GS1 DataMatrix text: `01` + GTIN-14, `21` + serial, GS, then either `91` + 4-char key, GS,
`92` + crypto tail (44 chars; 88 for shoes), or `93` + 4-char tail (newer product groups). Ozon wants
it whole, crypto tail included, with GS (ASCII 29) between the groups.

Keyboard-wedge scanners mangle it: a symbology prefix (`]d2`), a leading FNC1, GS dropped or replaced
by a placeholder the seller sets (Settings → Packing and handover). `91`/`92`/`93` — and a placeholder
like `029` — can occur inside the data, so a placeholder is taken for GS only where the code's layout
puts a separator, and a code without separators is read by the groups' fixed lengths (serial of 13),
never by searching.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

GS = "\x1d"
_PREFIXES = ("]d2", "]C1", "]Q3", "]e0")
# Spellings of GS that reach us from copy-paste or scanner set-up, whatever the seller configured.
_GS_SPELLINGS = ("\\u001d", "\\x1d", "<GS>", "{GS}")
_PRINTABLE = re.compile(r"[\x21-\x7e]+")  # GS1 character set 82 (no spaces, no control characters)
_SERIAL_FIXED = 13  # serial length of the groups Ozon sellers mark most (shoes, clothes, tyres, water)
_TAIL_92 = (44, 88)
_KEY_91 = 4
_TAIL_93 = 4


class MarkError(ValueError):
    """A scanned code that is not a usable marking code. `code` is stable (for translations)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class MarkCode:
    gtin: str  # 14 digits
    serial: str
    key: str  # the `91` value ("" for a `93` code)
    tail: str  # the `92` crypto tail, or the `93` value
    tail_ai: str  # "92" | "93"

    @property
    def ident(self) -> str:
        """The identification code (`01`+GTIN+`21`+serial): one physical unit, unique for ever."""
        return f"01{self.gtin}21{self.serial}"

    @property
    def text(self) -> str:
        """The code as Ozon wants it: every group, GS between them."""
        if self.tail_ai == "93":
            return f"{self.ident}{GS}93{self.tail}"
        return f"{self.ident}{GS}91{self.key}{GS}92{self.tail}"


def gtin_check_digit(first13: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(first13))
    return str((10 - total % 10) % 10)


def _placeholders(gs_substitute: str) -> tuple[str, ...]:
    return tuple(p for p in (gs_substitute, *_GS_SPELLINGS) if p)


def _normalise(text: str, gs_substitute: str) -> str:
    """The scan without its symbology prefix, line ends and leading FNC1 (a GS or a placeholder)."""
    code = text.strip("\r\n")
    for prefix in _PREFIXES:
        if code.startswith(prefix):
            code = code[len(prefix) :]
            break
    for placeholder in _placeholders(gs_substitute):
        if code.startswith(placeholder) and not code.startswith("01"):
            code = code[len(placeholder) :]
    return code.lstrip(GS)


def looks_like_mark(text: str, gs_substitute: str = "") -> bool:
    """A scan that is meant as a marking code (as opposed to an EAN, a label or a command)."""
    code = _normalise(text, gs_substitute)
    return len(code) >= 25 and code.startswith("01") and code[2:16].isdigit() and code[16:18] == "21"


def parse(text: str, gs_substitute: str = "") -> MarkCode:
    """The marking code in a scan, or MarkError saying what is wrong with it."""
    code = _normalise(text, gs_substitute)
    if not looks_like_mark(code):
        raise MarkError("mark_malformed", "this is not a Честный ЗНАК code (it must start with 01, a GTIN and 21)")
    gtin = code[2:16]
    if gtin_check_digit(gtin[:13]) != gtin[13]:
        raise MarkError("mark_bad_gtin", f"the GTIN {gtin} in the code has a wrong check digit: scan it again")
    rest = code[18:]
    if GS in rest:
        mark = _by_separators(gtin, rest)
    else:
        found = (_by_placeholder(gtin, rest, p) for p in _placeholders(gs_substitute) if p in rest)
        mark = next((m for m in found if m is not None), None) or _by_lengths(gtin, rest)
    for part in (mark.serial, mark.key, mark.tail):
        if part and not _PRINTABLE.fullmatch(part):
            raise MarkError("mark_malformed", "the code holds characters a marking code cannot have")
    return mark


def _by_separators(gtin: str, rest: str) -> MarkCode:
    serial, *groups = rest.split(GS)
    if not 1 <= len(serial) <= 20:
        raise MarkError("mark_malformed", "the serial number in the code has a wrong length")
    if len(groups) == 2 and groups[0].startswith("91") and groups[1].startswith("92"):
        key, tail = groups[0][2:], groups[1][2:]
        if len(key) == _KEY_91 and len(tail) in _TAIL_92:
            return MarkCode(gtin, serial, key, tail, "92")
        if len(key) == _KEY_91 and len(tail) < max(_TAIL_92):
            raise _no_tail()  # the crypto tail ends early: the scan was cut
    elif len(groups) == 1 and groups[0].startswith("93") and len(groups[0]) == 2 + _TAIL_93:
        return MarkCode(gtin, serial, "", groups[0][2:], "93")
    if not any(groups):
        raise _no_tail()
    raise MarkError("mark_malformed", "the code's verification groups (91/92 or 93) are not as Честный ЗНАК makes them")


def _by_placeholder(gtin: str, rest: str, p: str) -> MarkCode | None:
    """The code read with `p` standing for GS, where the layout puts a separator (and nowhere else)."""
    for i in range(1, min(len(rest), 21)):
        if not rest.startswith(p, i):
            continue
        after = rest[i + len(p) :]
        if after.startswith("93") and len(after) == 2 + _TAIL_93:
            return MarkCode(gtin, rest[:i], "", after[2:], "93")
        second = 2 + _KEY_91
        if after.startswith("91") and after.startswith(p + "92", second):
            tail = after[second + len(p) + 2 :]
            if len(tail) in _TAIL_92:
                return MarkCode(gtin, rest[:i], after[2:second], tail, "92")
    return None


def _by_lengths(gtin: str, rest: str) -> MarkCode:
    """No separators (the scanner dropped them): only the fixed-length layouts can be read."""
    serial, after = rest[:_SERIAL_FIXED], rest[_SERIAL_FIXED:]
    if len(serial) < _SERIAL_FIXED or not after:
        raise _no_tail()
    if after.startswith("93") and len(after) == 2 + _TAIL_93:
        return MarkCode(gtin, serial, "", after[2:], "93")
    key_end = 2 + _KEY_91
    if after.startswith("91") and after[key_end : key_end + 2] == "92" and len(after) - key_end - 2 in _TAIL_92:
        return MarkCode(gtin, serial, after[2:key_end], after[key_end + 2 :], "92")
    raise MarkError(
        "mark_no_separators",
        "the scanner sent the code without its group separators and it cannot be read safely: "
        "set the scanner to send GS, or set its placeholder in Settings",
    )


def _no_tail() -> MarkError:
    return MarkError(
        "mark_no_tail",
        "the code has no crypto tail: scan the whole DataMatrix (the scanner may be cutting it short)",
    )


def gtin_matches(gtin: str, barcodes: Iterable[str]) -> bool:
    """The product's EAN-13 (or UPC-A, EAN-8, GTIN-14) is the GTIN in the code."""
    for barcode in barcodes:
        digits = barcode.strip()
        if digits.isdigit() and len(digits) in (8, 12, 13, 14) and digits.zfill(14) == gtin:
            return True
    return False
