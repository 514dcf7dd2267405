"""Currencies: the one home of the code → symbol rule (orders, analytics, exports)."""

from __future__ import annotations

from collections.abc import Iterable

HOME_CURRENCY = "RUB"  # what a posting item without a currency is priced in
SYMBOLS = {"RUB": "₽", "CNY": "¥", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UZS": "soʻm"}


def currency_symbol(code: str) -> str:
    """₽ for RUB, ¥ for CNY …; an unknown code stands for itself."""
    return SYMBOLS.get(code, code)


def ordered_currencies(codes: Iterable[str]) -> list[str]:
    """The home currency first, the others by code."""
    return sorted(set(codes), key=lambda c: (c != HOME_CURRENCY, c))
