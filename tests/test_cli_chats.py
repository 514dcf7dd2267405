"""`main.py chats` and `chat-send` on a cached shop: the list with its reply clocks, messages queued
(offline is fine), a lint failure or a bad photo one line and exit 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import main
from app import outbox
from app.context import open_context
from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from app.outbox import ActionKind
from app.repos import chats as chat_repo
from tests.test_cli import one_line, run

WRITTEN = datetime.now(UTC) - timedelta(hours=3)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    where = tmp_path / "data"
    ctx = open_context(str(where))
    with ctx.db.write() as s:
        chat_repo.save_chats(
            s,
            [
                Chat("buyer-1", ChatType.BUYER_SELLER, True, WRITTEN, 1, "11"),
                Chat("support-1", ChatType.SELLER_SUPPORT, True, WRITTEN, 0, "12"),
            ],
            WRITTEN,
        )
        chat_repo.save_messages(
            s,
            [
                ChatMessage("11", "buyer-1", AuthorType.CUSTOMER, WRITTEN, "Когда отправите?", order_number="555-1"),
                ChatMessage("12", "support-1", AuthorType.SUPPORT, WRITTEN, "Обращение закрыто", is_read=True),
            ],
        )
    ctx.close()
    return where


def test_chats_json_has_the_clock(shop: Path) -> None:
    done = run("--data-dir", str(shop), "chats", "--json")
    assert done.returncode == 0, done.stderr
    rows = {r["chat_id"]: r for r in json.loads(done.stdout)}
    buyer, support = rows["buyer-1"], rows["support-1"]
    assert buyer["kind"] == "buyer" and buyer["needs_reply"] is True and buyer["unread"] == 1
    due = datetime.fromisoformat(buyer["reply_due"].replace("Z", "+00:00"))
    assert abs(due - (WRITTEN + timedelta(hours=24))) < timedelta(seconds=1)
    assert support["kind"] == "support" and support["reply_due"] is None and support["needs_reply"] is False
    assert support["posting_number"] is None
    only = json.loads(run("--data-dir", str(shop), "chats", "--needs-reply", "--json").stdout)
    assert [r["chat_id"] for r in only] == ["buyer-1"]


def test_chat_send_queues_once_and_the_lint_stops_a_phone(shop: Path, tmp_path: Path) -> None:
    done = run("--data-dir", str(shop), "chat-send", "buyer-1", "--text", "Отправим завтра утром.")
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    one_line(
        run("--data-dir", str(shop), "chat-send", "buyer-1", "--text", "пишите в вотсап 8 916 123 45 67"),
        main.EXIT_USAGE,
        "Not sent",
    )
    fake = tmp_path / "photo.png"
    fake.write_text("<html>not a photo</html>")
    one_line(run("--data-dir", str(shop), "chat-send", "buyer-1", "--image", str(fake)), main.EXIT_USAGE)
    one_line(run("--data-dir", str(shop), "chat-send", "nope", "--text", "Здравствуйте"), main.EXIT_FAILED, "nope")
    ctx = open_context(str(shop))
    try:
        with ctx.db.read() as s:
            (entry,) = outbox.entries(s)
        assert entry.key == key and entry.action is ActionKind.CHAT_SEND_TEXT
        assert entry.payload == {"text": "Отправим завтра утром."}
    finally:
        ctx.close()


def test_chats_says_when_the_plan_leaves_chats_out(shop: Path) -> None:
    from app.repos import sync_state
    from app.sync_status import plan_limited_key

    ctx = open_context(str(shop))
    with ctx.db.write() as s:
        sync_state.put(s, plan_limited_key("chats"), WRITTEN.isoformat(), WRITTEN)
    ctx.close()
    done = run("--data-dir", str(shop), "chats", "--json")
    assert done.returncode == 0 and "plan does not include the chat API" in done.stderr
    assert len(json.loads(done.stdout)) == 2  # what was synced before is still listed
