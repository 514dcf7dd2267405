"""Chats v3: list, history, read, send text and files, start; the Premium Plus gate."""

from __future__ import annotations

import base64
from typing import Any

from sync.emulator import Emulator

from .conftest import BASE, Api, make_emulator, session_for


def all_chats(api: Api, **filters: Any) -> list[dict[str, Any]]:
    chats: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = api.ok("/v3/chat/list", {"filter": filters, "limit": 7, "cursor": cursor})
        chats += page["chats"]
        assert page["has_next"] in ("true", "false")  # a string, as in Ozon's official example
        if page["has_next"] == "false":
            return chats
        cursor = page["cursor"]


def test_chat_list_pages_with_uppercase_enums(api: Api) -> None:
    chats = all_chats(api)
    ids = [c["chat"]["chat_id"] for c in chats]
    assert len(ids) == len(set(ids)) > 7
    assert {c["chat"]["chat_type"] for c in chats} == {"BUYER_SELLER", "SELLER_SUPPORT"}
    assert sum(c["chat"]["chat_type"] == "SELLER_SUPPORT" for c in chats) == 1
    assert {c["chat"]["chat_status"] for c in chats} == {"OPENED"}
    first = api.ok("/v3/chat/list", {"filter": {"chat_status": "opened"}, "limit": 100})
    assert first["total_unread_count"] == sum(c["unread_count"] for c in chats) > 0
    unread = all_chats(api, unread_only=True)
    assert unread and all(c["unread_count"] > 0 for c in unread)
    assert api.error("/v3/chat/list", {"limit": 101}, 400)["code"] == 3


def test_some_chats_have_twenty_digit_message_ids(api: Api) -> None:
    chats = all_chats(api)
    ids = [c["last_message_id"] for c in chats]
    assert all(isinstance(i, str) and i.isdigit() for i in ids)
    assert {len(i) for i in ids} == {19, 20}
    support = next(c for c in chats if c["chat"]["chat_type"] == "SELLER_SUPPORT")
    history = api.ok("/v3/chat/history", {"chat_id": support["chat"]["chat_id"], "limit": 100})["messages"]
    assert all(len(m["message_id"]) == 20 for m in history)
    oldest = history[-1]["message_id"]
    page = api.ok(
        "/v3/chat/history",
        {"chat_id": support["chat"]["chat_id"], "direction": "Forward", "from_message_id": oldest, "limit": 2},
    )
    assert [m["message_id"] for m in page["messages"]] == [oldest, history[-2]["message_id"]]
    assert int(history[0]["message_id"]) > 2**64, "beyond uint64, like the official example"


def test_history_send_and_read(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    first = emu.send_buyer_message(posting_number=number, text="Когда отправите?")
    chat_id = emu.posting(number)["chat_id"]
    second = emu.send_buyer_message(chat_id=chat_id, image=True)
    assert int(second) > int(first)
    history = api.ok("/v3/chat/history", {"chat_id": chat_id})
    newest, oldest = history["messages"]
    assert (newest["message_id"], oldest["message_id"]) == (second, first)  # Backward: newest first
    assert oldest["data"] == ["Когда отправите?"] and oldest["user"]["type"] == "Customer"
    assert oldest["context"]["order_number"] == number.rsplit("-", 1)[0]
    # On the emulator's own origin, like label files (Ozon: https://cdn1.ozone.ru/s3/chat-files/...).
    assert newest["is_image"] is True and newest["data"][0].startswith(BASE + "/s3/chat-files/")
    assert api.ok("/v3/chat/list", {"limit": 100})["chats"]
    assert api.ok("/v2/chat/read", {"chat_id": chat_id, "from_message_id": first}) == {"unread_count": 1}
    assert api.ok("/v2/chat/read", {"chat_id": chat_id, "from_message_id": second}) == {"unread_count": 0}
    assert api.ok("/v1/chat/send/message", {"chat_id": chat_id, "text": "Отправим сегодня!"}) == {"result": "success"}
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 32).decode()
    assert api.ok("/v1/chat/send/file", {"chat_id": chat_id, "name": "photo.png", "base64_content": png}) == {
        "result": "success"
    }
    messages = api.ok(
        "/v3/chat/history", {"chat_id": chat_id, "direction": "Forward", "from_message_id": first, "limit": 10}
    )["messages"]
    assert [m["user"]["type"] for m in messages] == ["Customer", "Customer", "Seller", "Seller"]
    ids = [int(m["message_id"]) for m in messages]
    assert ids == sorted(ids) and all(isinstance(m["message_id"], str) for m in messages)
    assert messages[2]["data"] == ["Отправим сегодня!"] and messages[3]["is_image"] is True
    page = api.ok("/v3/chat/history", {"chat_id": chat_id, "limit": 1})
    assert page["has_next"] is True and len(page["messages"]) == 1
    assert [e["method"] for e in emu.log] == [
        "/v2/chat/read",
        "/v2/chat/read",
        "/v1/chat/send/message",
        "/v1/chat/send/file",
    ]
    assert {e["chat_id"] for e in emu.log} == {chat_id}


def test_chat_refusals(api: Api, emu: Emulator) -> None:
    chat_id = api.ok("/v3/chat/list", {"limit": 1})["chats"][0]["chat"]["chat_id"]
    assert "text" in api.error("/v1/chat/send/message", {"chat_id": chat_id, "text": "я" * 1001}, 400)["message"]
    assert "text" in api.error("/v1/chat/send/message", {"chat_id": chat_id, "text": ""}, 400)["message"]
    assert api.error("/v1/chat/send/message", {"chat_id": "nope", "text": "hi"}, 404)["code"] == 5
    assert (
        "from_message_id" in api.error("/v3/chat/history", {"chat_id": chat_id, "direction": "Forward"}, 400)["message"]
    )
    assert api.error("/v1/chat/send/file", {"chat_id": chat_id, "name": "a.png", "base64_content": "%%%"}, 400)
    assert emu.log == []


def test_chat_start_reuses_the_posting_chat(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    chat_id = api.ok("/v1/chat/start", {"posting_number": number})["result"]["chat_id"]
    assert api.ok("/v1/chat/start", {"posting_number": number})["result"]["chat_id"] == chat_id
    assert emu.send_buyer_message(posting_number=number) and emu.posting(number)["chat_id"] == chat_id
    emu.cancel_posting(number)
    assert api.error("/v1/chat/start", {"posting_number": number}, 400)["code"] == 3


def test_without_premium_plus_chats_and_reviews_are_refused() -> None:
    emu = make_emulator(premium=False, postings=20)
    api = Api(session_for(emu), BASE)
    refusal = {"code": 7, "message": "Premium Plus subscription is required for this method", "details": []}
    for path in ("/v3/chat/list", "/v1/chat/send/message", "/v2/review/list", "/v1/question/list"):
        assert api.error(path, {}, 403) == refusal
    assert api.ok("/v1/roles")["roles"]
