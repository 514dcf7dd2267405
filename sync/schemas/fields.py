"""Reading Ozon's JSON: `Fields` names the full path of anything missing or malformed; Ozon's times
parsed and formatted; v3 `result` wrappers unwrapped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sync.errors import ProtocolError

_NO_SKUS: frozenset[int] = frozenset()
_FRACTION = re.compile(r"(\.\d{6})\d+")


class Fields:
    """Reads one JSON object, naming the full path of anything missing or malformed."""

    __slots__ = ("obj", "where")

    def __init__(self, obj: Any, where: str) -> None:
        if not isinstance(obj, Mapping):
            raise ProtocolError(f"{where} is not an object", field=where)
        self.obj = obj
        self.where = where

    def _fail(self, key: str, what: str) -> ProtocolError:
        return ProtocolError(f"{self.where}.{key} {what}", field=f"{self.where}.{key}")

    def need(self, key: str) -> Any:
        value = self.obj.get(key)
        if value is None:
            raise self._fail(key, "is missing")
        return value

    def text(self, key: str, required: bool = False) -> str:
        value = self.obj.get(key)
        if type(value) is str:  # the common case first: this runs ~20 times per posting
            return value
        if value is None:
            if required:
                raise self._fail(key, "is missing")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise self._fail(key, "is not text")

    def int_id(self, key: str, required: bool = False) -> int:
        value = self.obj.get(key)
        if type(value) is int:
            return value
        if required and value is None:
            raise self._fail(key, "is missing")
        if value is None or value == "":
            return 0
        try:
            return int(value)
        except (TypeError, ValueError):
            raise self._fail(key, f"is not a number: {value!r:.40}") from None

    def flag(self, key: str) -> bool:
        """A boolean as Ozon sends it: `true`, or in some answers the string `"true"` / `"false"`."""
        value = self.obj.get(key)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("true", "1", "yes"):
                return True
            if word in ("false", "0", "no", ""):
                return False
        elif isinstance(value, int | float):
            return value != 0
        raise self._fail(key, f"is not a boolean: {value!r:.40}")

    def code(self, key: str) -> str:
        """A barcode: Ozon sends "0" for none."""
        value = self.text(key).strip()
        return "" if value == "0" else value

    def sku_set(self, key: str) -> frozenset[int]:
        """A list of SKUs, as numbers or as strings."""
        if not self.obj.get(key):  # the common case: nine empty lists in every posting
            return _NO_SKUS
        out = set()
        for i, raw in enumerate(self.items(key)):
            try:
                out.add(int(raw))
            except (TypeError, ValueError):
                raise self._fail(f"{key}[{i}]", f"is not a SKU: {raw!r:.40}") from None
        return frozenset(out)

    def time(self, key: str, required: bool = False) -> datetime | None:
        value = self.need(key) if required else self.obj.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise self._fail(key, "is not a time")
        try:
            return parse_time(value)
        except ValueError:
            raise self._fail(key, f"is not a time: {value!r:.40}") from None

    def money(self, key: str, currency_key: str = "currency_code") -> tuple[Decimal, str]:
        value = self.obj.get(key)
        currency = self.obj.get(currency_key) or "RUB"
        if isinstance(value, Mapping):
            currency = value.get("currency") or value.get("currency_code") or currency
            value = value.get("amount", value.get("price"))
        if value in (None, ""):
            return Decimal("0"), str(currency)
        try:
            return Decimal(str(value)), str(currency)
        except InvalidOperation:
            raise self._fail(key, f"is not an amount: {value!r:.40}") from None

    def sub(self, key: str) -> Fields | None:
        value = self.obj.get(key)
        return None if value is None else Fields(value, f"{self.where}.{key}")

    def items(self, key: str, required: bool = False) -> list[Any]:
        value = self.need(key) if required else self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "is not a list")
        return value


def parse_time(value: str) -> datetime:
    """RFC 3339 with or without fractions (up to nanoseconds), `Z` or an offset; returns aware UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:
        text = _FRACTION.sub(r"\1", text)
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unwrap(body: Any, where: str) -> Any:
    """v3 answers wrap in {"result": ...}; v4 answers are flat."""
    if isinstance(body, Mapping) and "result" in body and isinstance(body["result"], (Mapping, list)):
        return body["result"]
    return body


def result_rows(body: Any, where: str) -> list[Fields]:
    """The objects of a `{"result": [...]}` answer."""
    rows = unwrap(body, where)
    if not isinstance(rows, list):
        raise ProtocolError(f"{where}.result is not a list", field=f"{where}.result")
    return [Fields(raw, f"{where}.result[{i}]") for i, raw in enumerate(rows)]
