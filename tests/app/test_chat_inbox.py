"""The chat list, its reply clock, filters and search, the conversation and composing, on the cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from app import outbox
from app.chat import compose, inbox, reply_clock
from app.chat.inbox import ChatFilter, ChatKind, MessageState
from app.chat.lint import LintError
from app.chat.reply_clock import Urgency
from app.context import AppContext, open_context
from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from app.outbox import ActionKind, OutboxState
from app.repos import chats as chat_repo
from app.repos import postings as posting_repo
from tests.app.factories import NOW, posting

H = timedelta(hours=1)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _message(chat_id: str, n: int, author: AuthorType, at: datetime, text: str = "", order: str = "") -> ChatMessage:
    return ChatMessage(str(1000 + n), chat_id, author, at, text or f"сообщение {n}", order_number=order)


def _chat(ctx: AppContext, chat_id: str, *messages: ChatMessage, kind: ChatType = ChatType.BUYER_SELLER) -> None:
    unread = sum(1 for m in messages if m.author is not AuthorType.SELLER and not m.is_read)
    with ctx.db.write() as s:
        chat_repo.save_chats(s, [Chat(chat_id, kind, True, NOW - 48 * H, unread, messages[-1].message_id)], NOW)
        chat_repo.save_messages(s, messages)


@pytest.fixture
def shop(ctx: AppContext) -> AppContext:
    """Four chats: one answered, one waiting 23.5 h (due in half an hour), one waiting 2 h, and support."""
    with ctx.db.write() as s:
        posting_repo.save(
            s, [posting("11111111-0001-1"), replace(posting("22222222-0001-1"), customer_name="Анна Смирнова")], NOW
        )
    c, s_ = AuthorType.CUSTOMER, AuthorType.SELLER
    _chat(ctx, "answered", _message("answered", 1, c, NOW - 5 * H), _message("answered", 2, s_, NOW - 4 * H))
    _chat(
        ctx,
        "old",
        _message("old", 3, c, NOW - 30 * H, order="11111111-0001"),
        _message("old", 4, s_, NOW - 29 * H),
        _message("old", 5, c, NOW - 23.5 * H, "Где мой ЗАКАЗ?"),
        _message("old", 6, c, NOW - 22 * H, "алло"),
    )
    _chat(ctx, "fresh", _message("fresh", 7, c, NOW - 2 * H, "Когда отправите?", order="22222222-0001"))
    _chat(ctx, "support", _message("support", 8, AuthorType.SUPPORT, NOW - H), kind=ChatType.SELLER_SUPPORT)
    return ctx


def test_the_clock_runs_from_the_first_unanswered_buyer_message() -> None:
    c, s = AuthorType.CUSTOMER, AuthorType.SELLER
    assert reply_clock.awaiting_since([(c, NOW), (s, NOW + H), (c, NOW + 2 * H), (c, NOW + 3 * H)]) == NOW + 2 * H
    assert reply_clock.awaiting_since([(c, NOW), (s, NOW + H)]) is None
    assert reply_clock.awaiting_since([(AuthorType.OTHER, NOW), (c, NOW + H)]) == NOW + H
    due = NOW + 24 * H
    assert reply_clock.urgency(due, NOW) is Urgency.OK
    assert reply_clock.urgency(due, due - 3 * H) is Urgency.SOON
    assert reply_clock.urgency(due, due - timedelta(minutes=59)) is Urgency.URGENT
    assert reply_clock.urgency(due, due) is Urgency.OVERDUE
    assert reply_clock.urgency(None, NOW) is Urgency.NONE


def test_the_list_puts_the_nearest_deadline_first_and_links_the_order(shop: AppContext) -> None:
    with shop.db.read() as s:
        chats = inbox.list_chats(s)
    assert [c.chat_id for c in chats] == ["old", "fresh", "support", "answered"]
    old, fresh, support, answered = chats
    assert old.needs_reply and old.reply_due == NOW + 0.5 * H
    assert old.urgency(NOW) is Urgency.URGENT
    assert old.posting_number == "11111111-0001-1" and old.order_number == "11111111-0001"
    assert old.preview == "алло" and old.unread == 3
    assert fresh.reply_due == NOW + 22 * H and fresh.urgency(NOW) is Urgency.OK
    assert support.kind is ChatKind.SUPPORT and not support.needs_reply  # no clock on the support chat
    assert not answered.needs_reply and answered.reply_due is None
    row = inbox.as_json(old)
    assert row["reply_due"] == "2026-11-23T09:30:00Z" and row["needs_reply"] is True and row["kind"] == "buyer"


def test_filters_and_search(shop: AppContext) -> None:
    def ids(wanted: ChatFilter) -> list[str]:
        with shop.db.read() as s:
            return [c.chat_id for c in inbox.list_chats(s, wanted)]

    assert ids(ChatFilter(needs_reply=True)) == ["old", "fresh"]
    assert ids(ChatFilter(support=True)) == ["support"]
    assert ids(ChatFilter(unread=True)) == ["old", "fresh", "support", "answered"]
    assert ids(ChatFilter(order_status="awaiting_packaging")) == ["old", "fresh"]
    assert ids(ChatFilter(search="где мой заказ")) == ["old"]  # Cyrillic, any case
    assert ids(ChatFilter(search="22222222")) == ["fresh"]  # posting or order number
    assert ids(ChatFilter(search="смирнова")) == ["fresh"]  # the buyer
    assert ids(ChatFilter(search="100%_")) == []  # LIKE's own signs are taken literally


def test_a_queued_reply_stops_the_clock_and_a_refused_one_starts_it_again(shop: AppContext) -> None:
    clock = FixedClock(NOW)
    entry = compose.send_text(shop.db, clock, "fresh", "  Отправим сегодня до 18:00.  ", bus=shop.bus)
    with shop.db.read() as s:
        fresh = inbox.summary(s, "fresh")
        last = inbox.conversation(s, "fresh")[-1]
    assert fresh is not None and fresh.reply_queued and not fresh.needs_reply
    assert last.state is MessageState.PENDING and last.author is AuthorType.SELLER
    assert last.text == "Отправим сегодня до 18:00."
    with shop.db.write() as s:
        outbox.mark_conflict(s, entry.key, NOW, "chat is closed")
    with shop.db.read() as s:
        fresh = inbox.summary(s, "fresh")
        last = inbox.conversation(s, "fresh")[-1]
    assert fresh is not None and fresh.needs_reply
    assert last.state is MessageState.FAILED and "closed" in last.error


def test_the_lint_refuses_before_anything_is_queued(shop: AppContext) -> None:
    with pytest.raises(LintError) as refused:
        compose.send_text(shop.db, FixedClock(NOW), "fresh", "Позвоните: +7 916 123-45-67", bus=shop.bus)
    assert refused.value.code == "chat_phone"
    with shop.db.read() as s:
        assert outbox.entries(s) == []
        assert all(m.state is MessageState.SENT for m in inbox.conversation(s, "fresh"))


def test_mark_read_queues_one_read_up_to_the_newest_message(shop: AppContext) -> None:
    entry = compose.mark_read(shop.db, FixedClock(NOW), "old", bus=shop.bus)
    assert entry is not None and entry.action is ActionKind.CHAT_READ and entry.payload["message_id"] == "1006"
    with shop.db.read() as s:
        old = inbox.summary(s, "old")
        assert old is not None and old.unread == 0
        assert all(m.is_read for m in inbox.conversation(s, "old"))
        assert inbox.unread_total(s) == 3  # fresh, support, answered
    assert compose.mark_read(shop.db, FixedClock(NOW), "old", bus=shop.bus) is None


def test_a_draft_survives_a_restart_and_goes_when_sent(tmp_path: object, shop: AppContext) -> None:
    compose.save_draft(shop.db, FixedClock(NOW), "fresh", "Здравствуйте! Посылка")
    folder = shop.paths.data
    shop.close()
    again = open_context(str(folder))
    try:
        with again.db.read() as s:
            assert compose.draft(s, "fresh") == "Здравствуйте! Посылка"
        compose.send_text(again.db, FixedClock(NOW), "fresh", "Здравствуйте! Посылка уже в пути.", bus=again.bus)
        with again.db.read() as s:
            assert compose.draft(s, "fresh") == ""
    finally:
        again.close()


def test_a_chat_started_from_a_posting_has_its_own_queue(ctx: AppContext) -> None:
    entry = compose.start_chat(ctx.db, FixedClock(NOW), "11111111-0001-1", bus=ctx.bus)
    assert entry.target_id == "start:11111111-0001-1" and entry.state is OutboxState.PENDING


@pytest.mark.sqlite_only
def test_migration_links_old_chats_to_their_postings_and_starts_their_clocks(tmp_path: object) -> None:
    from pathlib import Path

    from alembic import command

    from app.db import migrate
    from app.db.engine import Database, sqlite_url

    folder = Path(str(tmp_path))
    db = Database(sqlite_url(str(folder / "packdesk.sqlite3")))
    command.upgrade(migrate._config(db), "0004")
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO postings (posting_number, order_number, order_id, status, substatus, delivery_method_id,"
                " delivery_method_name, warehouse_id, warehouse_name, tpl_provider, tpl_integration_type,"
                " tracking_number, is_express, customer_name, city, address, pvz_code, upper_barcode, lower_barcode,"
                " cancel_reason, available_actions, search_text) VALUES ('7-1-1', '7-1', 7, 'delivered', '', 0, '',"
                " 0, '', '', 'ozon', '', 0, '', '', '', '', '', '', '', '', '7-1-1')"
            )
        )
        s.execute(
            text(
                "INSERT INTO chats (chat_id, chat_type, is_open, unread_count, last_message_id, posting_number)"
                " VALUES ('c1', 'BUYER_SELLER', 1, 1, '2', '7-1')"
            )
        )
        for mid, author, at, body in (
            ("1", "customer", "2026-11-23 07:00:00", "Где ЗАКАЗ"),
            ("2", "customer", "2026-11-23 08:00:00", "ау"),
        ):
            s.execute(
                text(
                    "INSERT INTO chat_messages (message_id, chat_id, author, created_at, text, is_image, is_read,"
                    " order_number, image_urls) VALUES (:m, 'c1', :a, :t, :b, 0, 0, '7-1', '[]')"
                ),
                {"m": mid, "a": author, "t": at, "b": body},
            )
    db.dispose()
    ctx = open_context(str(folder))
    try:
        with ctx.db.read() as s:
            (chat,) = inbox.list_chats(s, ChatFilter(search="где заказ"))
        assert chat.posting_number == "7-1-1" and chat.order_number == "7-1" and chat.preview == "ау"
        assert chat.reply_due is not None and chat.reply_due.isoformat() == "2026-11-24T07:00:00+00:00"
    finally:
        ctx.close()


def test_search_does_not_care_about_yo(ctx: AppContext) -> None:
    """A buyer writes «пришёл», the seller types «пришел» (and the other way round)."""
    c = AuthorType.CUSTOMER
    _chat(ctx, "yo", _message("yo", 1, c, NOW - H, "Пришёл не тот цвет"))
    _chat(ctx, "ye", _message("ye", 2, c, NOW - H, "Еще не пришел заказ"))
    with ctx.db.read() as s:
        assert [x.chat_id for x in inbox.list_chats(s, ChatFilter(search="пришел не тот"))] == ["yo"]
        assert [x.chat_id for x in inbox.list_chats(s, ChatFilter(search="ЕЩЁ не"))] == ["ye"]
