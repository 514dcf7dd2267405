"""Auto-replies through the sync engine on the emulator: a matching new buyer message gets one reply,
sent by the same cycle; history, the support chat, dry runs and working hours send nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

import main
from app.chat import autoreply
from app.chat.templates import MOSCOW
from app.context import AppContext
from app.db.tables import ChatMessageRow, ChatRow
from app.domain.chats import ChatType
from app.repos import postings as posting_repo
from sync.emulator import Emulator
from sync.engine import SyncEngine

WHERE = {"name": "where", "intents": ["where_is_order"], "template_key": "where_is_order"}


def _rules(ctx: AppContext, emu: Emulator, *items: dict[str, Any]) -> None:
    with ctx.db.write() as s:
        autoreply.import_rules(s, list(items), emu.now())


def _sends(emu: Emulator, chat_id: str | None = None) -> list[dict[str, Any]]:
    return [
        e
        for e in emu.log
        if e["method"] == "/v1/chat/send/message" and (chat_id is None or e["request"]["chat_id"] == chat_id)
    ]


def _active_posting(emu: Emulator, ctx: AppContext) -> str:
    """A cached posting waiting to be packed (its buyer may write)."""
    with ctx.db.read() as s:
        found = posting_repo.list_postings(s, "awaiting_packaging")
    return sorted(c.posting.posting_number for c in found)[0]


def _buyer_writes(emu: Emulator, ctx: AppContext, text: str, posting_number: str | None = None) -> str:
    """A buyer writes a minute later; the chat id."""
    emu.advance(60)
    number = posting_number or _active_posting(emu, ctx)
    emu.send_buyer_message(posting_number=number, text=text)
    return str(emu.posting(number)["chat_id"])


@pytest.fixture
def synced(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> SyncEngine:
    """The first sync of the shop, with its chat history, before any rule exists."""
    engine.run_cycle()
    return engine


def test_a_buyer_asking_where_the_order_is_gets_one_reply(synced: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    _rules(ctx, emu, WHERE)
    chat_id = _buyer_writes(emu, ctx, "Здравствуйте, где мой заказ?")
    synced.run_cycle()
    (sent,) = _sends(emu, chat_id)
    assert "{" not in sent["request"]["text"] and "Здравствуйте!" in sent["request"]["text"]
    with ctx.db.read() as s:
        (entry,) = autoreply.log(s)
        assert entry.outcome == autoreply.SENT and entry.chat_id == chat_id and entry.outbox_key

    _buyer_writes(emu, ctx, "где заказ??", _posting_of(emu, chat_id))
    synced.run_cycle()
    assert len(_sends(emu, chat_id)) == 1  # once per chat within the period
    with ctx.db.read() as s:
        texts = s.scalars(select(ChatMessageRow.text).where(ChatMessageRow.chat_id == chat_id)).all()
    assert sent["request"]["text"] in texts  # the reply came back with a pull


def _posting_of(emu: Emulator, chat_id: str) -> str:
    store = emu._store  # the emulator has no public chat -> posting lookup
    return next(number for number, c in store.chat_by_posting.items() if c == chat_id)


def test_a_message_no_rule_matches_gets_nothing(synced: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    _rules(ctx, emu, WHERE, {"name": "keyword", "keywords": ["ЁЛКА"], "template_key": "thanks"})
    chat_id = _buyer_writes(emu, ctx, "Из какого материала сделана куртка?")
    synced.run_cycle()
    assert _sends(emu, chat_id) == []
    other = _buyer_writes(emu, ctx, "А ёлка зелёная?", _posting_of(emu, chat_id))
    synced.run_cycle()
    assert len(_sends(emu, other)) == 1  # the keyword matched, ё and case folded


def test_the_support_chat_is_never_answered(synced: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    _rules(ctx, emu, {"name": "all", "template_key": "outside_hours"})
    with ctx.db.read() as s:
        rows = s.scalars(select(ChatRow)).all()
        support = next(c.chat_id for c in rows if ChatType.parse(c.chat_type) is ChatType.SELLER_SUPPORT)
    emu.advance(60)
    emu.send_buyer_message(chat_id=support, text="Где ваш заказ? Ответьте в течение суток")
    synced.run_cycle()
    assert _sends(emu) == []
    with ctx.db.read() as s:
        assert autoreply.log(s) == []


def test_a_dry_run_only_logs_the_suggestion(synced: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    _rules(ctx, emu, {**WHERE, "dry_run": True})
    chat_id = _buyer_writes(emu, ctx, "где мой заказ")
    synced.run_cycle()
    assert _sends(emu) == []
    with ctx.db.read() as s:
        (entry,) = autoreply.log(s)
    assert entry.outcome == autoreply.SUGGESTED and entry.chat_id == chat_id and entry.outbox_key is None
    assert "{" not in entry.text and entry.text.startswith("Здравствуйте!")


def _hours(emu: Emulator, start_h: float, end_h: float) -> str:
    local = emu.now().astimezone()
    return f"{local + timedelta(hours=start_h):%H:%M}-{local + timedelta(hours=end_h):%H:%M}"


def test_an_outside_hours_rule_answers_only_outside_the_working_hours(
    synced: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    _rules(ctx, emu, {"name": "night", "outside_hours_only": True, "template_key": "outside_hours"})
    synced.ctx.work_hours = _hours(emu, -3, 3)  # open now
    chat_id = _buyer_writes(emu, ctx, "Добрый вечер")
    synced.run_cycle()
    assert _sends(emu, chat_id) == []
    synced.ctx.work_hours = _hours(emu, 2, 4)  # closed now
    _buyer_writes(emu, ctx, "Вы тут?", _posting_of(emu, chat_id))
    synced.run_cycle()
    (sent,) = _sends(emu, chat_id)
    assert "нерабочее время" in sent["request"]["text"]


def test_the_first_sync_of_a_shop_answers_none_of_its_history(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    _rules(ctx, emu, {"name": "all", "template_key": "outside_hours"})  # before the first sync
    engine.run_cycle()
    assert _sends(emu) == []
    # A rule made long ago still leaves messages older than a day alone.
    with ctx.db.write() as s:
        autoreply.import_rules(s, [{"name": "all", "template_key": "thanks"}], emu.now() - timedelta(days=90))
    engine.run_cycle()
    with ctx.db.read() as s:
        assert autoreply.log(s) == []


def test_a_message_the_seller_already_answered_gets_no_auto_reply(
    synced: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    _rules(ctx, emu, WHERE)
    number = _active_posting(emu, ctx)
    emu.advance(60)
    emu.send_buyer_message(posting_number=number, text="где мой заказ")
    chat_id = str(emu.posting(number)["chat_id"])
    store = emu._store  # the seller answers on another desk
    store_chat = store.chats[chat_id]
    emu._factory.message(store_chat, "Seller", emu.now() + timedelta(seconds=1), "Отправим сегодня")
    emu.advance(5)
    synced.run_cycle()
    assert _sends(emu, chat_id) == []


def test_chat_send_with_a_template_sends_the_filled_text(
    synced: SyncEngine, emu: Emulator, ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    with ctx.db.read() as s:
        waiting = sorted(
            (c.posting for c in posting_repo.list_postings(s, "awaiting_packaging") if c.posting.shipment_date),
            key=lambda p: p.posting_number,
        )
    now = datetime.now(UTC)  # the command's clock is the computer's
    on_time = next(p.posting_number for p in waiting if p.shipment_date and p.shipment_date > now + timedelta(hours=1))
    late = next((p.posting_number for p in waiting if p.shipment_date and p.shipment_date < now), None)
    chat_id = _buyer_writes(emu, ctx, "Когда отправите?", on_time)
    late_chat = _buyer_writes(emu, ctx, "Когда отправите?", late) if late else None
    synced.run_cycle()
    if late_chat is not None:  # a ship-by gone by is never promised: refused, nothing sent
        late_argv = ["--data-dir", str(ctx.paths.data), "chat-send", late_chat, "--template", "when_ship"]
        assert main.main(late_argv) == main.EXIT_USAGE
        assert "has passed" in capsys.readouterr().err
    argv = ["--data-dir", str(ctx.paths.data), "chat-send", chat_id, "--template", "when_ship"]
    assert main.main(argv) == 0
    key = capsys.readouterr().out.strip()
    assert len(key) == 36
    emu.advance(120)  # the command's clock is the computer's; the emulator's stood still
    synced.run_cycle()
    (sent,) = _sends(emu, chat_id)
    assert late_chat is None or _sends(emu, late_chat) == []
    ship_by = emu.posting(_posting_of(emu, chat_id))["shipment_date"]
    assert "{" not in sent["request"]["text"]
    assert f"не позднее {ship_by.astimezone(MOSCOW):%d.%m.%Y}" in sent["request"]["text"]

    assert main.main([*argv[:-1], "no_such_template"]) == main.EXIT_USAGE
    assert "no_such_template" in capsys.readouterr().err
