"""The control API under ``/__emulator/`` (not Ozon's): no auth, never faulted.

GET  log | state | faults          POST postings | cancel | message | return | mark | advance | faults
DELETE faults
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .clock import iso_z
from .dispatch import Reply, error_reply, json_reply
from .errors import INVALID_ARGUMENT, NOT_FOUND
from .faults import Fault

if TYPE_CHECKING:
    from .emulator import Emulator

PREFIX = "/__emulator/"


def handle(emu: Emulator, method: str, path: str, body: bytes) -> Reply:
    name = path[len(PREFIX) :].strip("/")
    try:
        data = json.loads(body) if body.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        result = _call(emu, method, name, data)
    except LookupError as err:
        return error_reply(404, NOT_FOUND, str(err))
    except (TypeError, ValueError) as err:
        return error_reply(400, INVALID_ARGUMENT, str(err))
    return json_reply(result)


def _call(emu: Emulator, method: str, name: str, data: dict[str, Any]) -> Any:
    if method == "GET":
        if name == "log":
            return emu.log
        if name == "state":
            return emu.state()
        if name == "faults":
            return {"faults": emu.faults}
    elif method == "POST":
        if name == "postings":
            numbers = emu.create_postings(
                count=int(data.get("count", 1)),
                status=str(data.get("status", "awaiting_packaging")),
                rfbs=bool(data.get("rfbs", False)),
                products=_products(data),
            )
            return {"posting_numbers": numbers}
        if name == "cancel":
            emu.cancel_posting(_need(data, "posting_number"), int(data.get("reason_id", 352)))
            return {"result": True}
        if name == "message":
            message_id = emu.send_buyer_message(
                chat_id=data.get("chat_id"),
                posting_number=data.get("posting_number"),
                text=data.get("text"),
                image=bool(data.get("image", False)),
            )
            return {"message_id": message_id}
        if name == "return":
            return {"id": emu.open_return(_need(data, "posting_number"), str(data.get("kind", "fbs")))}
        if name == "mark":
            serial = data.get("serial")
            return {"mark": emu.mark_code(int(_need(data, "sku")), None if serial is None else str(serial))}
        if name == "advance":
            emu.advance(float(data.get("seconds", 0)))
            return {"now": iso_z(emu.now())}
        if name == "faults":
            emu.add_fault(Fault(**data))
            return {"faults": emu.faults}
    elif method == "DELETE" and name == "faults":
        return {"cleared": emu.clear_faults()}
    raise LookupError(f"no control method {method} {PREFIX}{name}")


def _need(data: dict[str, Any], key: str) -> str:
    if data.get(key) in (None, ""):
        raise ValueError(f"{key} is required")
    return str(data[key])


def _products(data: dict[str, Any]) -> list[Any] | None:
    """JSON has no tuples: ``[sku, qty]`` pairs become ``(sku, qty)``."""
    raw = data.get("products")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise ValueError("products must be a list")
    return [tuple(item) if isinstance(item, list) else item for item in raw]
