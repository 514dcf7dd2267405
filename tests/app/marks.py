"""Честный ЗНАК codes for tests, built the way the scanners deliver them."""

from __future__ import annotations

import random

from app.marking import GS

_SERIAL_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz!%&'*+-./_,:;=<>?\""


def gtin_of(ean13: str) -> str:
    return "0" + ean13


def mark(ean13: str, serial: str | None = None, tail: int = 44, seed: int = 0, short: bool = False) -> str:
    """A well-formed code for the product with this EAN-13: `01`+GTIN `21`+serial GS `91`+key GS
    `92`+tail (44 or 88 chars), or with `short` the newer `93` layout."""
    rng = random.Random(f"{ean13}/{serial}/{seed}")
    serial = serial or "".join(rng.choice(_SERIAL_CHARS) for _ in range(13))
    head = f"01{gtin_of(ean13)}21{serial}"
    if short:
        return f"{head}{GS}93{''.join(rng.choice('ABCDEFabcdef0123456789') for _ in range(4))}"
    key = "".join(rng.choice("ABCDEF0123456789") for _ in range(4))
    crypto = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") for _ in range(tail)
    )
    return f"{head}{GS}91{key}{GS}92{crypto}"
