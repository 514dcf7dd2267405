"""What a barcode scanner in keyboard mode types wrong, and how to read it back.

A scanner sends key presses; the computer turns them into characters with whatever keyboard layout
is active. With the Russian layout on, the label code `ii30525117479` arrives as `шш30525117479`;
with Caps Lock on, every letter's case is inverted. No code a scanner reads here (posting numbers,
label codes, EAN and Ozon barcodes, Честный ЗНАК codes, tracking numbers) contains a Cyrillic
letter, so a Cyrillic letter means the Russian layout, and the keys pressed can be read back.
Caps Lock cannot be seen from the text: lookups try the code with its case inverted as well.
"""

from __future__ import annotations

# The Russian (ЙЦУКЕН) layout, key by key, against the US layout: unshifted, then shifted.
_RU = "ё1234567890-=йцукенгшщзхъфывапролджэ\\ячсмитьбю." + 'Ё!"№;%:?*()_+ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭ/ЯЧСМИТЬБЮ,'
_US = "`1234567890-=qwertyuiop[]asdfghjkl;'\\zxcvbnm,./" + '~!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:"|ZXCVBNM<>?'
_TO_US = str.maketrans(_RU, _US)


def _cyrillic(code: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in code)


def as_keys_pressed(code: str) -> str:
    """`code` as the scanner meant it: read back through the US layout if it was typed with the
    Russian one (it holds a Cyrillic letter); unchanged otherwise."""
    return code.translate(_TO_US) if _cyrillic(code) else code


def case_variants(code: str) -> list[str]:
    """The code as typed and with Caps Lock undone (letters' case inverted), for a lookup."""
    return sorted({code, code.swapcase()})
