"""The Chats page: the list by urgency with its clocks, filters, a conversation read and answered, the
lint's sentence, drafts, hostile buyer text, templates, the plan limit, and the way in from Orders."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider, QLabel
from pytestqt.qtbot import QtBot

from app import events, outbox
from app.chat import compose
from app.chat import screen as chat_screen
from app.chat.screen import FilledTemplate, TemplateChoice
from app.context import AppContext, open_context
from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from app.outbox import ActionKind
from app.repos import chats as chat_repo
from tests.ui.factories import NOW, FixedClock, make_posting, save
from ui.bridge import EventBridge
from ui.chats import texts
from ui.chats.list_model import ChatColumn
from ui.chats.page import ChatsPage
from ui.main_window import MainWindow
from ui.tasks import TaskManager

H = timedelta(hours=1)
C, S = AuthorType.CUSTOMER, AuthorType.SELLER
HOSTILE = "<b>x</b> <a href='https://evil.example'>link</a> <img src=file:///etc/passwd> \u202eesrever\u202c"
POSTING = make_posting(1).posting_number
NO_CHAT = make_posting(2).posting_number


def message(chat_id: str, n: int, author: AuthorType, at: datetime, text: str, *, read: bool = False) -> ChatMessage:
    return dataclasses.replace(ChatMessage(str(1000 + n), chat_id, author, at, text), is_read=read)


def add_chat(ctx: AppContext, chat_id: str, *messages: ChatMessage, kind: ChatType = ChatType.BUYER_SELLER) -> None:
    unread = sum(1 for m in messages if m.author is not S and not m.is_read)
    with ctx.db.write() as s:
        chat_repo.save_chats(s, [Chat(chat_id, kind, True, NOW - 48 * H, unread, messages[-1].message_id)], NOW)
        chat_repo.save_messages(s, messages)
        chat_repo.refresh(s, [chat_id])


def fill(ctx: AppContext) -> None:
    """urgent: 30 min left (red); soon: 3 h left (orange); ok: 22 h left; answered; support."""
    save(ctx, [make_posting(1), make_posting(2)])
    add_chat(ctx, "ok", message("ok", 1, C, NOW - 2 * H, "Когда отправите?"))
    add_chat(ctx, "soon", message("soon", 2, C, NOW - 21 * H, "Где мой заказ?", read=True))
    add_chat(
        ctx,
        "urgent",
        message("urgent", 3, C, NOW - 23.5 * H, f"Здравствуйте, заказ {make_posting(1).order_number}"),
        message("urgent", 4, C, NOW - 23 * H, "Когда отправите?"),
    )
    with ctx.db.write() as s:
        chat_repo.link_posting(s, "urgent", POSTING)
    add_chat(
        ctx,
        "answered",
        message("answered", 5, C, NOW - 5 * H, "Спасибо", read=True),
        message("answered", 6, S, NOW - 4 * H, "Пожалуйста", read=True),
    )
    add_chat(
        ctx,
        "support",
        message("support", 7, AuthorType.SUPPORT, NOW - H, "Тарифы меняются", read=True),
        kind=ChatType.SELLER_SUPPORT,
    )


@dataclasses.dataclass
class Screen:
    page: ChatsPage
    tasks: TaskManager
    ctx: AppContext


def open_page(ctx: AppContext, qtbot: QtBot) -> tuple[ChatsPage, TaskManager, EventBridge]:
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    page = ChatsPage(ctx, tasks, bridge)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: not tasks.busy())
    return page, tasks, bridge


@pytest.fixture
def screen(ctx: AppContext, qtbot: QtBot) -> Iterator[Screen]:
    fill(ctx)
    page, tasks, bridge = open_page(ctx, qtbot)
    yield Screen(page, tasks, ctx)
    bridge.close()
    tasks.shutdown()


def ids(page: ChatsPage) -> list[str]:
    return [str(page.model.index(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(page.model.rowCount())]


def open_chat(qtbot: QtBot, s: Screen, chat_id: str) -> None:
    s.page.view.selectRow(s.page.model.row_of(chat_id))
    qtbot.waitUntil(lambda: s.page.current is not None and s.page.current.summary.chat_id == chat_id)
    qtbot.waitUntil(lambda: not s.tasks.busy())


def actions(ctx: AppContext, chat_id: str) -> list[ActionKind]:
    with ctx.db.read() as session:
        return [e.action for e in outbox.entries(session, target_id=chat_id)]


def test_the_list_puts_the_nearest_deadline_first_with_clock_colours(screen: Screen) -> None:
    page = screen.page
    assert ids(page)[:3] == ["urgent", "soon", "ok"]

    def clock(row: int) -> tuple[str, object]:
        index = page.model.index(row, ChatColumn.CLOCK)
        return index.data(), index.data(Qt.ItemDataRole.ForegroundRole)

    assert clock(0) == ("30 min left", texts.RED)
    assert clock(1) == ("3 h left", texts.ORANGE)
    assert clock(2) == ("22 h left", None)
    assert page.model.index(0, ChatColumn.UNREAD).data() == "2"
    assert page.model.index(ids(page).index("support"), ChatColumn.CHAT).data().startswith("Ozon seller support")


def test_the_clock_words() -> None:
    assert texts.clock(NOW + 2 * H + timedelta(minutes=15), NOW) == "2 h 15 min left"
    assert texts.clock(NOW - 3 * H, NOW) == "overdue 3 h"
    assert texts.clock(NOW - 75 * H, NOW) == "overdue 3 d"
    assert texts.clock(None, NOW) == ""


def test_filters_and_search(qtbot: QtBot, screen: Screen) -> None:
    page = screen.page
    page.needs_reply.setChecked(True)
    qtbot.waitUntil(lambda: ids(page) == ["urgent", "soon", "ok"])
    page.needs_reply.setChecked(False)
    page.support.setChecked(True)
    qtbot.waitUntil(lambda: ids(page) == ["support"])
    page.support.setChecked(False)
    page.unread.setChecked(True)
    qtbot.waitUntil(lambda: ids(page) == ["urgent", "ok"])
    page.unread.setChecked(False)
    page.search.setText("где мой")  # debounced, case-insensitive
    qtbot.waitUntil(lambda: ids(page) == ["soon"])
    page.search.setText("ничего такого")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0 and page.empty.isVisible())


def test_opening_a_chat_shows_it_and_marks_it_read(qtbot: QtBot, screen: Screen) -> None:
    open_chat(qtbot, screen, "urgent")
    view = screen.page.conversation
    assert [view.text_of(i) for i in range(2)][1] == "Когда отправите?"
    gloss = view.bubbles[1].gloss
    assert gloss is not None and gloss.text() == "Buyer asks: when will you ship?"
    qtbot.waitUntil(lambda: ActionKind.CHAT_READ in actions(screen.ctx, "urgent"))
    qtbot.waitUntil(lambda: screen.page.model.index(screen.page.model.row_of("urgent"), ChatColumn.UNREAD).data() == "")
    assert screen.page.order.posting_number == POSTING
    assert screen.page.clock_label.text() == "Reply: 30 min left"


def test_send_queues_one_message_shown_pending(qtbot: QtBot, screen: Screen) -> None:
    open_chat(qtbot, screen, "ok")
    composer = screen.page.composer
    composer.edit.setPlainText("Здравствуйте! Отправим сегодня.")
    assert composer.counter.text() == "31/1000"
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(composer.edit, Qt.Key.Key_Control)  # Qt remembers Ctrl as held otherwise (later tests)
    qtbot.waitUntil(lambda: actions(screen.ctx, "ok").count(ActionKind.CHAT_SEND_TEXT) == 1)
    qtbot.waitUntil(lambda: len(screen.page.conversation.bubbles) == 2)
    last = screen.page.conversation.bubbles[-1]
    assert "waiting to be sent" in last.header.text()
    assert composer.text() == ""


def test_the_lint_refusal_is_a_sentence_and_keeps_the_text(qtbot: QtBot, screen: Screen) -> None:
    open_chat(qtbot, screen, "ok")
    composer = screen.page.composer
    composer.edit.setPlainText("Напишите мне в WhatsApp")
    composer.send_button.click()
    qtbot.waitUntil(lambda: composer.error.isVisible())
    assert composer.error.text() == (
        "Not sent: another messenger (WhatsApp). Ozon forbids taking buyers off the platform."
    )
    assert composer.text() == "Напишите мне в WhatsApp"
    assert ActionKind.CHAT_SEND_TEXT not in actions(screen.ctx, "ok")


def test_a_draft_survives_closing_the_page_and_the_database(qtbot: QtBot, tmp_path: Path, clock: FixedClock) -> None:
    ctx = open_context(str(tmp_path / "shop"), clock=clock)
    fill(ctx)
    page, tasks, bridge = open_page(ctx, qtbot)
    s = Screen(page, tasks, ctx)
    open_chat(qtbot, s, "soon")
    page.composer.edit.setPlainText("Добрый день, уже собираем")
    open_chat(qtbot, s, "ok")  # switching chats saves at once
    with ctx.db.read() as session:
        assert compose.draft(session, "soon") == "Добрый день, уже собираем"
    page.composer.edit.setPlainText("Черновик второй")
    qtbot.waitUntil(lambda: chat_screen.open_chat(ctx.db, "ok").draft == "Черновик второй")  # type: ignore[union-attr]
    page.close()
    bridge.close()
    tasks.shutdown()
    ctx.close()

    again = open_context(str(tmp_path / "shop"), clock=clock)
    page, tasks, bridge = open_page(again, qtbot)
    open_chat(qtbot, Screen(page, tasks, again), "soon")
    assert page.composer.text() == "Добрый день, уже собираем"
    bridge.close()
    tasks.shutdown()
    again.close()


def test_hostile_buyer_text_is_shown_literally(qtbot: QtBot, ctx: AppContext) -> None:
    long = "Щ" * 10_000
    add_chat(ctx, "evil", message("evil", 1, C, NOW - H, HOSTILE), message("evil", 2, C, NOW - H / 2, long))
    page, tasks, bridge = open_page(ctx, qtbot)
    s = Screen(page, tasks, ctx)
    open_chat(qtbot, s, "evil")
    assert page.conversation.text_of(0) == HOSTILE
    assert page.conversation.text_of(1) == long
    for label in page.conversation.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert page.model.index(0, ChatColumn.CHAT).data().endswith("…")  # the preview: one short line
    assert page.conversation.bubbles[1].width() <= page.conversation.viewport().width()
    bridge.close()
    tasks.shutdown()


def test_templates_rank_by_intent_and_insert_the_filled_text(
    qtbot: QtBot, screen: Screen, monkeypatch: pytest.MonkeyPatch
) -> None:
    choices = [
        TemplateChoice("thanks", "感谢", "Thanks", "Спасибо за заказ!", ("thanks",)),
        TemplateChoice("ship", "发货时间", "When we ship", "Отправим {posting} сегодня.", ("when_ship",)),
    ]
    asked: list[tuple[str, ...]] = []

    def ranked(_db: object, intents: tuple[str, ...] = ()) -> list[TemplateChoice]:
        asked.append(tuple(intents))
        return sorted(choices, key=lambda c: not set(c.intents) & set(intents))

    monkeypatch.setattr(chat_screen, "templates", ranked)
    monkeypatch.setattr(
        chat_screen,
        "fill_template",
        lambda _db, key, chat, _now: FilledTemplate(f"Отправим {POSTING} сегодня.", (POSTING,)),
    )
    open_chat(qtbot, screen, "urgent")
    screen.page.composer.templates_button.click()
    qtbot.waitUntil(lambda: screen.page.picker is not None and screen.page.picker.isVisible())
    picker = screen.page.picker
    assert picker is not None
    assert asked == [("when_ship",)]
    assert picker.shown_keys() == ["ship", "thanks"]
    assert picker.list.item(0).text().startswith("★ ")
    picker.search.setText("感谢")
    assert picker.shown_keys() == ["thanks"]
    picker.search.setText("ship")
    picker.accept()
    qtbot.waitUntil(lambda: screen.page.composer.text() == f"Отправим {POSTING} сегодня.")
    assert "When we ship" in screen.page.composer.note.text()


def test_the_plan_limit_shows_a_banner_and_stops_writing(qtbot: QtBot, screen: Screen) -> None:
    open_chat(qtbot, screen, "ok")
    screen.ctx.bus.publish(events.PlanLimited("reviews", "premium"))
    screen.ctx.bus.publish(events.PlanLimited("chats", "premium"))
    qtbot.waitUntil(lambda: screen.page.banner.isVisible())
    assert "does not include the chat API" in screen.page.banner.text.text()
    assert not screen.page.composer.edit.isEnabled()
    assert screen.page.model.rowCount() == 5  # the cached chats are still there


def test_escalation_without_a_support_chat_says_so(qtbot: QtBot, screen: Screen, tmp_path: Path) -> None:
    open_chat(qtbot, screen, "urgent")
    screen.page.order.support_button.click()
    dialog = screen.page.escalation
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.message.toPlainText() != "")
    assert POSTING in dialog.message.toPlainText()
    dialog.send_button.click()
    qtbot.waitUntil(lambda: not screen.tasks.busy())
    assert ActionKind.CHAT_SEND_TEXT in actions(screen.ctx, "support")
    dialog.save_pdf(tmp_path / "support.pdf")
    qtbot.waitUntil(lambda: (tmp_path / "support.pdf").exists() and "Saved" in dialog.status.text())
    assert (tmp_path / "support.pdf").read_bytes().startswith(b"%PDF")


def test_the_badge_and_the_way_in_from_orders(qtbot: QtBot, ctx: AppContext) -> None:
    fill(ctx)
    window = MainWindow(ctx, None, True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.nav.item(window.PAGES.index("chats")).text() == "Chats (3)")
    window.orders.chat_requested.emit(POSTING, "")
    qtbot.waitUntil(lambda: window.chats.chat_id == "urgent" and window.chats.current is not None)
    assert window.stack.currentWidget() is window.chats
    qtbot.waitUntil(lambda: window.nav.item(window.PAGES.index("chats")).text() == "Chats (1)")

    window.orders.chat_requested.emit(NO_CHAT, "")
    qtbot.waitUntil(lambda: window.chats.start_bar.isVisible())
    window.chats.start_button.click()
    qtbot.waitUntil(lambda: "after the next sync" in window.chats.start_text.text())
    assert actions(ctx, f"start:{NO_CHAT}") == [ActionKind.CHAT_START]

    # A posting with no chat can still be taken to Ozon support, from the Orders detail pane.
    window.show_page("orders")
    window.orders.detail.show_posting(NO_CHAT)
    qtbot.waitUntil(lambda: window.orders.detail.detail is not None)
    window.orders.detail.support_button.click()
    qtbot.waitUntil(lambda: window.chats.escalation is not None and window.chats.escalation.isVisible())
    dialog = window.chats.escalation
    assert dialog is not None and dialog.posting_number == NO_CHAT
    qtbot.waitUntil(lambda: NO_CHAT in dialog.message.toPlainText())
    dialog.close()
    window.close()
    window.tasks.shutdown()


def test_a_plan_limit_known_from_an_earlier_sync_shows_at_once(qtbot: QtBot, ctx: AppContext) -> None:
    from app.repos import sync_state
    from app.sync_status import plan_limited_key

    fill(ctx)
    with ctx.db.write() as s:
        sync_state.put(s, plan_limited_key("chats"), NOW.isoformat(), NOW)
    page, tasks, bridge = open_page(ctx, qtbot)
    assert page.banner.isVisible() and page.plan_limited
    assert page.model.rowCount() == 5
    bridge.close()
    tasks.shutdown()


def test_the_real_templates_rank_by_intent_and_fill_the_order(qtbot: QtBot, screen: Screen) -> None:
    open_chat(qtbot, screen, "urgent")  # the buyer asks when the order ships
    screen.page.composer.templates_button.click()
    qtbot.waitUntil(lambda: screen.page.picker is not None and screen.page.picker.isVisible())
    picker = screen.page.picker
    assert picker is not None
    assert picker.shown_keys()[0] == "when_ship"
    assert picker.list.item(0).text() == "★ When will you ship · 什么时候发货"
    picker.search.setText("退货")
    assert picker.shown_keys() == ["return_policy"]
    picker.search.setText("")
    picker.list.setCurrentRow(0)
    picker.accept()
    order = make_posting(1).order_number
    qtbot.waitUntil(lambda: order in screen.page.composer.text())
    assert "{" not in screen.page.composer.text()
    screen.page.composer.send_button.click()  # the order's own numbers pass the lint
    qtbot.waitUntil(lambda: ActionKind.CHAT_SEND_TEXT in actions(screen.ctx, "urgent"))


def test_a_big_shop_sees_its_most_urgent_chats_and_is_told_about_the_rest(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.chat import screen as chat_screen

    monkeypatch.setattr(chat_screen, "LIST_LIMIT", 2)
    fill(ctx)
    page, tasks, bridge = open_page(ctx, qtbot)
    qtbot.waitUntil(lambda: page.more.isVisible())
    assert ids(page) == ["urgent", "soon"]
    assert "2" in page.more.text() and "5" in page.more.text()
    page.search.setText("где мой заказ")
    qtbot.waitUntil(lambda: ids(page) == ["soon"] and not page.more.isVisible())
    bridge.close()
    tasks.shutdown()


@pytest.mark.parametrize("language", ["en_US", "ru_RU", "zh_CN"])
def test_the_posting_number_and_the_clock_are_not_cut_at_1280(ctx: AppContext, qtbot: QtBot, language: str) -> None:
    """In the main window at 1280×800 the list shows each chat's whole posting number (a demo one is 17
    characters) and the conversation's reply clock reads whole, in every language."""
    import contextlib

    from tests.ui.test_packing_screens import not_clipped, target, ui_language

    number = "3425729363-0086-1"
    save(ctx, [make_posting(1, posting_number=number, order_number=number[:-2])])
    add_chat(
        ctx,
        "long",
        message("long", 1, C, NOW - 5 * H - timedelta(minutes=42), "Здравствуйте! Можно отправить побыстрее?"),
    )
    with ctx.db.write() as s:
        chat_repo.link_posting(s, "long", number)
    with ui_language(language) if language != "en_US" else contextlib.nullcontext():
        window = MainWindow(ctx, None, True)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        window.show_page("chats")
        page = window.chats
        qtbot.waitUntil(lambda: page.model.rowCount() == 1)
        page.view.selectRow(0)
        qtbot.waitUntil(lambda: page.current is not None and bool(page.clock_label.text()))
        qtbot.wait(50)
        metrics = page.view.fontMetrics()
        title = str(page.model.index(0, ChatColumn.CHAT).data()).splitlines()[0]
        assert metrics.horizontalAdvance(title.split(" · ")[0]) + 8 <= page.view.columnWidth(ChatColumn.CHAT), language
        assert not_clipped(page.clock_label), (language, page.clock_label.text(), page.clock_label.width())
        assert window.grab().save(target(f"pd-chats-{language}.png"))
        window.close()
        window.tasks.shutdown()


def test_opening_a_long_chat_shows_its_newest_message(ctx: AppContext, qtbot: QtBot) -> None:
    """The buyer's latest question is what the seller answers: the conversation opens at its end, also
    when the bubbles' wrapped text makes the page taller after the first layout."""
    save(ctx, [make_posting(1)])
    text = "Здравствуйте! Подскажите, пожалуйста, когда будет отправка и можно ли поменять цвет на другой? " * 3
    add_chat(ctx, "long", *(message("long", n, C if n % 2 else S, NOW - (40 - n) * H, text) for n in range(30)))
    page, tasks, bridge = open_page(ctx, qtbot)
    page.view.selectRow(page.model.row_of("long"))
    qtbot.waitUntil(lambda: page.current is not None and len(page.conversation.bubbles) == 30)
    bar = page.conversation.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    qtbot.wait(300)
    assert bar.value() == bar.maximum(), (bar.value(), bar.maximum())
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)  # the seller reads back: left there
    page.resize(1000, 700)
    qtbot.wait(100)
    assert bar.value() == 0 < bar.maximum()
    bridge.close()
    tasks.shutdown()
