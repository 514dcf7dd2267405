"""Buyer chat end to end on the emulator: a buyer writes, the seller answers from Packdesk, online
or not, and Ozon gets each message once."""

from __future__ import annotations

from typing import Any

from app import outbox
from app.chat import compose, inbox
from app.chat.inbox import ChatFilter, MessageState
from app.chat.reply_clock import REPLY_WITHIN
from app.context import AppContext
from app.outbox import OutboxState
from sync.emulator import Emulator, Fault
from sync.engine import SyncEngine
from tests.sync.test_engine import drain

SEND = "/v1/chat/send/message"


def sends(emu: Emulator, chat_id: str, path: str = SEND) -> list[dict[str, Any]]:
    return [e for e in emu.log if e["method"] == path and e.get("chat_id") == chat_id]


def _buyer_writes(engine: SyncEngine, emu: Emulator, ctx: AppContext, text: str) -> inbox.ChatSummary:
    engine.run_cycle()
    with ctx.db.read() as s:
        answered = [
            c for c in inbox.list_chats(s) if c.kind.value == "buyer" and not c.needs_reply and c.posting_number
        ]
    chat = answered[0]
    emu.advance(60)
    emu.send_buyer_message(chat_id=chat.chat_id, text=text)
    written_at = emu.now()
    engine.run_cycle()
    with ctx.db.read() as s:
        found = inbox.summary(s, chat.chat_id)
    assert found is not None and found.needs_reply
    assert found.reply_due is not None and abs((found.reply_due - written_at - REPLY_WITHIN).total_seconds()) < 2
    assert found.preview == text
    return found


def test_a_buyer_writes_and_the_answer_reaches_ozon_once(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    chat = _buyer_writes(engine, emu, ctx, "Здравствуйте, когда отправите заказ?")
    compose.send_text(ctx.db, emu, chat.chat_id, "Здравствуйте! Отправим сегодня.", bus=ctx.bus)
    drain(engine, emu, ctx)
    engine.run_cycle()
    (sent,) = sends(emu, chat.chat_id)
    assert sent["request"]["text"] == "Здравствуйте! Отправим сегодня."
    with ctx.db.read() as s:
        after = inbox.summary(s, chat.chat_id)
        messages = inbox.conversation(s, chat.chat_id)
    assert after is not None and not after.needs_reply and after.reply_due is None
    # The placeholder is gone and Ozon's own copy of the message is there, once.
    ours = [m for m in messages if m.text == "Здравствуйте! Отправим сегодня."]
    assert len(ours) == 1 and ours[0].state is MessageState.SENT and not ours[0].message_id.startswith("local:")


def test_written_offline_sent_once_when_the_link_is_back(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    chat = _buyer_writes(engine, emu, ctx, "Где мой заказ?")
    emu.add_fault(Fault("timeout", path=SEND, times=3))
    compose.send_text(ctx.db, emu, chat.chat_id, "Заказ уже в пути, трек пришлём.", bus=ctx.bus)
    engine.run_cycle()
    with ctx.db.read() as s:
        (pending,) = [m for m in inbox.conversation(s, chat.chat_id) if m.message_id.startswith("local:")]
        assert pending.state is MessageState.PENDING
        assert not inbox.list_chats(s, ChatFilter(needs_reply=True, chat_id=chat.chat_id))
    drain(engine, emu, ctx)
    assert len(sends(emu, chat.chat_id)) == 1


def test_a_refused_message_is_shown_failed_and_the_clock_runs_again(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    chat = _buyer_writes(engine, emu, ctx, "Верните деньги")
    emu.add_fault(Fault("legacy_error", path=SEND, times=None))
    entry = compose.send_text(ctx.db, emu, chat.chat_id, "Оформите возврат в приложении, пожалуйста.", bus=ctx.bus)
    for _ in range(3):
        engine.run_cycle()
        emu.advance(400)
    with ctx.db.read() as s:
        state = outbox.get(s, entry.key)
        last = inbox.conversation(s, chat.chat_id)[-1]
        again = inbox.summary(s, chat.chat_id)
    assert state is not None and state.state in (OutboxState.CONFLICT, OutboxState.FAILED)
    assert last.state is MessageState.FAILED and last.error
    assert again is not None and again.needs_reply


def test_a_photo_goes_to_ozon_and_comes_back_as_an_image(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    from tests.app.test_attachments import encoded

    chat = _buyer_writes(engine, emu, ctx, "Пришлите фото упаковки")
    compose.send_image(ctx.db, emu, chat.chat_id, "box.png", encoded("PNG", (64, 48)), bus=ctx.bus)
    drain(engine, emu, ctx)
    engine.run_cycle()
    assert len(sends(emu, chat.chat_id, "/v1/chat/send/file")) == 1
    with ctx.db.read() as s:
        last = inbox.conversation(s, chat.chat_id)[-1]
    assert last.is_image and last.image_urls and last.state is MessageState.SENT


def test_a_chat_started_from_a_posting_appears_linked_to_it(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    (number,) = emu.create_postings(count=1)
    emu.advance(60)
    engine.run_cycle()
    compose.start_chat(ctx.db, emu, number, bus=ctx.bus)
    drain(engine, emu, ctx)
    with ctx.db.read() as s:
        (chat,) = [c for c in inbox.list_chats(s) if c.posting_number == number]
    assert chat.kind.value == "buyer" and not chat.needs_reply
    assert len([e for e in emu.log if e["method"] == "/v1/chat/start"]) == 1
