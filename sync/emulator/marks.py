"""The emulator's stand-in for Честный ЗНАК and for customs: the format of a marking code and of a
customs declaration number (ГТД), and valid marking codes made up deterministically.

A marking code as Ozon wants it (docs/ozon-contract.md, Exemplars): GS1 DataMatrix text, GS as ``\\x1d``, no ``]d2``::

    01 <GTIN-14> 21 <serial, 13> GS 91 <key, 4> GS 92 <crypto tail: 88 chars for shoes, 44 otherwise>
    01 <GTIN-14> 21 <serial, 13> GS 93 <crypto tail, 4>

The GTIN-14 must carry a valid check digit and be ``"0"`` + one of the product's EAN-13 barcodes.

Check error codes (``error_codes`` in the exemplar status; ``errors`` in validate). Ozon publishes none of
the checker's codes except the two marked (Ozon); the others are the emulator's own:

* ``MARK_FORMAT_INVALID``: the code does not parse as above (GS, lengths, characters, GTIN check digit).
* ``MARK_GTIN_MISMATCH``: well formed, but the GTIN is not ``"0"`` + one of this product's EAN-13s.
* ``MARK_ALREADY_USED``: the code is set on another posting of the shop, or twice in one set.
* ``MANDATORY_MARK_REDUNDANT`` (Ozon): a marking code on a product that neither needs nor may have one.
* ``MARK_TYPE_NOT_EXPECTED``: a ``jw_uin`` or ``imei`` mark on a product that needs none.
* ``GTD_FORMAT_INVALID``: a ГТД that is not ``NNNNNNNN/DDMMYY/NNNNNNN`` (optionally ``/NNN``) with a real date.
* ``GTD_MUST_BE_SPECIFIED_FOR_PRODUCT_COUNTRY`` (Ozon): a needed ГТД neither given nor declared absent
  (``is_gtd_absent: true``, which always passes).
"""

from __future__ import annotations

import base64
import hashlib
import re
import string
from datetime import date

from .model import Product

GS = "\x1d"
SERIAL_LENGTH = 13
MARK_TYPES = ("mandatory_mark", "jw_uin", "imei")
FORMAT_INVALID = "MARK_FORMAT_INVALID"
GTIN_MISMATCH = "MARK_GTIN_MISMATCH"
ALREADY_USED = "MARK_ALREADY_USED"
REDUNDANT = "MANDATORY_MARK_REDUNDANT"
TYPE_NOT_EXPECTED = "MARK_TYPE_NOT_EXPECTED"
GTD_FORMAT_INVALID = "GTD_FORMAT_INVALID"
GTD_MISSING = "GTD_MUST_BE_SPECIFIED_FOR_PRODUCT_COUNTRY"

# GS1 "character set 82" (serials, keys) and the base64 alphabet of the crypto tail.
_CSET82 = r"""!"%&'()*+,\-./0-9:;<=>?A-Z_a-z"""
_MARK = re.compile(
    rf"01(\d{{14}})21[{_CSET82}]{{{SERIAL_LENGTH}}}{GS}"
    rf"(?:91[{_CSET82}]{{4}}{GS}92([A-Za-z0-9+/=]+)|93[{_CSET82}]{{4}})"
)
_GTD = re.compile(r"\d{8}/(\d\d)(\d\d)(\d\d)/\d{7}(?:/\d{3})?")
TAIL_BYTES = {44: 32, 88: 64}  # base64 of 32 bytes is 44 characters, of 64 bytes 88
_SERIAL_CHARS = string.ascii_letters + string.digits + "!%&*+-._"


def crypto_tail_length(product: Product) -> int:
    return 88 if product.mark_group == "shoes" else 44


def gtin14_valid(gtin: str) -> bool:
    if len(gtin) != 14 or not gtin.isdigit():
        return False
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(gtin[12::-1]))
    return (10 - total % 10) % 10 == int(gtin[13])


def mark_errors(code: str, mark_type: str, product: Product) -> list[str]:
    """Format and product checks of one mark (not "already used": that needs the shop's history)."""
    if mark_type != "mandatory_mark":
        return [TYPE_NOT_EXPECTED]  # no product of this shop needs a jewellery UIN or an IMEI
    if "mandatory_mark" not in product.needs:
        return [REDUNDANT]
    found = _MARK.fullmatch(code)
    if found is None or not gtin14_valid(found.group(1)):
        return [FORMAT_INVALID]
    tail = found.group(2)
    if tail is not None and len(tail) != crypto_tail_length(product):
        return [FORMAT_INVALID]
    gtin = found.group(1)
    if gtin[0] != "0" or gtin[1:] not in product.barcodes:
        return [GTIN_MISMATCH]
    return []


def gtd_errors(gtd: str) -> list[str]:
    found = _GTD.fullmatch(gtd)
    if found is None:
        return [GTD_FORMAT_INVALID]
    day, month, year = (int(x) for x in found.groups())
    try:
        date(2000 + year, month, day)
    except ValueError:
        return [GTD_FORMAT_INVALID]
    return []


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()


def serial(seed: int, sku: int, n: int) -> str:
    """The n-th made-up serial for a product, the same for the same seed."""
    digest = _digest("serial", seed, sku, n)
    return "".join(_SERIAL_CHARS[b % len(_SERIAL_CHARS)] for b in digest[:SERIAL_LENGTH])


def make(seed: int, product: Product, serial_number: str) -> str:
    """A well-formed code (91/92 group) for the product's first EAN-13; ValueError if it has none."""
    ean = next((b for b in product.barcodes if len(b) == 13 and b.isdigit()), None)
    if ean is None:
        raise ValueError(f"product {product.sku} has no EAN-13 barcode to put in a marking code")
    if len(serial_number) != SERIAL_LENGTH or re.fullmatch(f"[{_CSET82}]+", serial_number) is None:
        raise ValueError(f"a serial is {SERIAL_LENGTH} characters of GS1 set 82")
    key = _digest("key", seed, product.sku, serial_number).hex()[:4].upper()
    raw = _digest("tail", seed, product.sku, serial_number) + _digest("tail2", seed, product.sku, serial_number)
    tail = base64.b64encode(raw[: TAIL_BYTES[crypto_tail_length(product)]]).decode()
    return f"01{'0' + ean}21{serial_number}{GS}91{key}{GS}92{tail}"
