"""The Reviews page: filters and search, a reply filled from a template and queued, an unfillable
template refused with its reason, a repeated reply sent only when the seller confirms, mark processed,
a question answered (2..3000 characters), the plan-limit banner, hostile text, and the badge."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import events, outbox
from app.chat import templates
from app.chat.templates import Template
from app.context import AppContext
from app.domain.feedback import Question, Review
from app.domain.products import Product
from app.events import FeedbackChanged
from app.feedback import reply
from app.outbox import ActionKind
from app.repos import feedback as feedback_repo
from app.repos import products as product_repo
from app.repos import sync_state
from app.sync_status import plan_limited_key
from tests.ui.factories import NOW
from ui.bridge import EventBridge
from ui.main_window import MainWindow
from ui.reviews.models import ReviewColumn
from ui.reviews.page import ReviewsPage
from ui.tasks import TaskManager

H = timedelta(hours=1)
HOSTILE = "<b>x</b> <a href='https://evil.example'>link</a> <img src=file:///etc/passwd>"


def fill(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        product_repo.save(s, [Product(111, 1, "CUP-RED", "Кружка красная"), Product(222, 2, "TEE-1", "Футболка")], NOW)
        feedback_repo.save_reviews(
            s,
            [
                Review("r-1", 111, "Курьер опоздал, но кружка отличная", 5, NOW - H, "NEW", photos_amount=2),
                Review("r-2", 111, "Пришла с трещиной", 1, NOW - 2 * H, "VIEWED"),
                Review("r-3", 222, HOSTILE, 4, NOW - 3 * H, "PROCESSED", comments_amount=1),
            ],
        )
        feedback_repo.save_questions(
            s,
            [
                Question("q-1", 111, "Можно мыть в посудомойке?", "Анна", NOW, "NEW"),
                Question("q-2", 222, "Какой размер?", "Олег", NOW - H, "PROCESSED", answers_count=1),
            ],
        )
        templates.save(
            s,
            Template(
                "review_thanks", "感谢评价", "Thanks for the review", "Спасибо за отзыв о товаре «{product_name}»!"
            ),
            NOW,
        )
        templates.save(s, Template("review_order", "订单", "Order", "Ваш заказ {order_number} в пути."), NOW)


@dataclasses.dataclass
class Screen:
    page: ReviewsPage
    tasks: TaskManager
    ctx: AppContext


def open_page(ctx: AppContext, qtbot: QtBot) -> tuple[ReviewsPage, TaskManager, EventBridge]:
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    page = ReviewsPage(ctx, tasks, bridge)
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


def review_ids(page: ReviewsPage) -> list[str]:
    model = page.reviews.model
    return [str(model.index(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(model.rowCount())]


def open_review(qtbot: QtBot, s: Screen, review_id: str) -> None:
    tab = s.page.reviews
    tab.view.selectRow(review_ids(s.page).index(review_id))
    qtbot.waitUntil(lambda: tab.current is not None and tab.current.review_id == review_id)


def queued(ctx: AppContext, action: ActionKind) -> list[tuple[str, dict[str, object]]]:
    with ctx.db.read() as session:
        return [(e.target_id, e.payload) for e in outbox.entries(session) if e.action is action]


def test_filters_and_search(qtbot: QtBot, screen: Screen) -> None:
    page, tab = screen.page, screen.page.reviews
    assert review_ids(page) == ["r-1", "r-2", "r-3"]
    tab.rating.setCurrentIndex(tab.rating.findData("bad"))
    qtbot.waitUntil(lambda: review_ids(page) == ["r-2"])
    tab.rating.setCurrentIndex(0)
    tab.replied.setCurrentIndex(tab.replied.findData("yes"))
    qtbot.waitUntil(lambda: review_ids(page) == ["r-3"])
    tab.replied.setCurrentIndex(0)
    tab.status.setCurrentIndex(tab.status.findData("NEW"))
    qtbot.waitUntil(lambda: review_ids(page) == ["r-1"])
    tab.status.setCurrentIndex(0)
    qtbot.keyClicks(tab.product, "TEE-1")
    qtbot.waitUntil(lambda: review_ids(page) == ["r-3"])
    tab.product.clear()
    tab.search.setText("трещин")  # QTest types ASCII only
    qtbot.waitUntil(lambda: review_ids(page) == ["r-2"])
    assert page.tabs.tabText(0) == "Reviews (2)" and page.tabs.tabText(1) == "Questions (1)"


def test_a_reply_from_a_template_is_queued(qtbot: QtBot, screen: Screen) -> None:
    tab = screen.page.reviews
    open_review(qtbot, screen, "r-1")
    assert tab.photos_label.text() == "2" and "Кружка красная" in tab.product_label.text()
    tab.open_templates()
    qtbot.waitUntil(lambda: tab.picker is not None and tab.picker.isVisible())
    picker = tab.picker
    assert picker is not None
    picker.list.setCurrentRow(picker.shown_keys().index("review_order"))
    picker.accept()
    qtbot.waitUntil(lambda: tab.hint.isVisible())
    assert "{order_number}" in tab.hint.text() and tab.edit.toPlainText() == ""  # says why, inserts nothing
    tab.open_templates()
    qtbot.waitUntil(lambda: tab.picker is not picker and tab.picker is not None)
    picker = tab.picker
    assert picker is not None
    picker.list.setCurrentRow(picker.shown_keys().index("review_thanks"))
    picker.accept()
    qtbot.waitUntil(lambda: tab.edit.toPlainText() == "Спасибо за отзыв о товаре «Кружка красная»!")
    assert tab.counter.text() == f"{len(tab.edit.toPlainText())}/3000"
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(queued(screen.ctx, ActionKind.REVIEW_REPLY)) == 1)
    assert queued(screen.ctx, ActionKind.REVIEW_REPLY) == [
        ("r-1", {"text": "Спасибо за отзыв о товаре «Кружка красная»!"})
    ]
    qtbot.waitUntil(lambda: tab.edit.toPlainText() == "" and tab.current is not None and tab.current.pending)


def test_the_lint_sentence_shows_as_the_seller_types(qtbot: QtBot, screen: Screen) -> None:
    tab = screen.page.reviews
    open_review(qtbot, screen, "r-2")
    tab.edit.setPlainText("Напишите нам в телеграм @shop_help")
    qtbot.waitUntil(lambda: tab.hint.isVisible() and "Not sent" in tab.hint.text())
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.tasks.busy())
    assert queued(screen.ctx, ActionKind.REVIEW_REPLY) == [] and tab.edit.toPlainText()  # the text stays


def test_a_repeated_reply_is_sent_only_when_confirmed(qtbot: QtBot, screen: Screen) -> None:
    ctx, tab = screen.ctx, screen.page.reviews
    reply.reply_to_review(ctx.db, ctx.clock, "r-3", "Спасибо за отзыв!", bus=ctx.bus)
    asked: list[str] = []
    answers = [False, True]

    def confirm(sentence: str) -> bool:
        asked.append(sentence)
        return answers.pop(0)

    tab.confirm_repeat = confirm
    open_review(qtbot, screen, "r-1")
    tab.edit.setPlainText("спасибо  за ОТЗЫВ")
    qtbot.waitUntil(lambda: tab.hint.isVisible() and "30 days" in tab.hint.text())  # the live warning
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(asked) == 1)
    qtbot.waitUntil(lambda: not screen.tasks.busy())
    assert [t for t, _ in queued(ctx, ActionKind.REVIEW_REPLY)] == ["r-3"]  # declined: nothing queued
    assert "1 other review" in asked[0] and tab.edit.toPlainText() == "спасибо  за ОТЗЫВ"
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(queued(ctx, ActionKind.REVIEW_REPLY)) == 2)
    assert len(asked) == 2 and [t for t, _ in queued(ctx, ActionKind.REVIEW_REPLY)] == ["r-3", "r-1"]


def test_mark_processed(qtbot: QtBot, screen: Screen) -> None:
    tab = screen.page.reviews
    open_review(qtbot, screen, "r-2")
    assert tab.processed_button.isEnabled()
    qtbot.mouseClick(tab.processed_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(queued(screen.ctx, ActionKind.REVIEW_STATUS)) == 1)
    qtbot.waitUntil(lambda: tab.current is not None and tab.current.status == "PROCESSED")
    assert not tab.processed_button.isEnabled()


def test_a_question_is_answered(qtbot: QtBot, screen: Screen) -> None:
    page = screen.page
    page.tabs.setCurrentIndex(1)
    tab = page.questions
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.view.selectRow(0)
    qtbot.waitUntil(lambda: tab.current is not None and tab.current.question_id == "q-1")
    assert tab.author_label.text() == "Анна"
    tab.edit.setPlainText("Д")
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.error.isVisible())
    assert "2 characters" in tab.error.text() and queued(screen.ctx, ActionKind.QUESTION_ANSWER) == []
    tab.edit.setPlainText("Да, можно.")
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(queued(screen.ctx, ActionKind.QUESTION_ANSWER)) == 1)
    assert queued(screen.ctx, ActionKind.QUESTION_ANSWER)[0][0] == "q-1"
    qtbot.waitUntil(lambda: page.tabs.tabText(1) == "Questions")


def test_a_question_is_answered_from_a_template(qtbot: QtBot, screen: Screen) -> None:
    """Issue 11: questions are answered with templates too, filled from the product as for reviews."""
    page = screen.page
    page.tabs.setCurrentIndex(1)
    tab = page.questions
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.view.selectRow(0)
    qtbot.waitUntil(lambda: tab.current is not None and tab.current.question_id == "q-1")
    tab.open_templates()
    qtbot.waitUntil(lambda: tab.picker is not None and tab.picker.isVisible())
    picker = tab.picker
    assert picker is not None
    picker.list.setCurrentRow(picker.shown_keys().index("review_order"))
    picker.accept()
    qtbot.waitUntil(lambda: tab.error.isVisible())
    assert "{order_number}" in tab.error.text() and tab.edit.toPlainText() == ""  # says why, inserts nothing
    tab.open_templates()
    qtbot.waitUntil(lambda: tab.picker is not picker and tab.picker is not None)
    picker = tab.picker
    assert picker is not None
    picker.list.setCurrentRow(picker.shown_keys().index("review_thanks"))
    picker.accept()
    qtbot.waitUntil(lambda: tab.edit.toPlainText() == "Спасибо за отзыв о товаре «Кружка красная»!")
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(queued(screen.ctx, ActionKind.QUESTION_ANSWER)) == 1)
    assert queued(screen.ctx, ActionKind.QUESTION_ANSWER)[0][1]["text"] == "Спасибо за отзыв о товаре «Кружка красная»!"


def test_hostile_review_text_is_literal(qtbot: QtBot, screen: Screen) -> None:
    tab = screen.page.reviews
    open_review(qtbot, screen, "r-3")
    assert tab.text.text() == HOSTILE and tab.text.textFormat() == Qt.TextFormat.PlainText
    tip = str(tab.model.index(2, ReviewColumn.REVIEW).data(Qt.ItemDataRole.ToolTipRole))
    assert "<img" not in tip


def test_the_plan_limit_banner(qtbot: QtBot, ctx: AppContext) -> None:
    fill(ctx)
    with ctx.db.write() as s:
        sync_state.put(s, plan_limited_key("reviews"), NOW.isoformat(), NOW)
    page, tasks, bridge = open_page(ctx, qtbot)
    qtbot.waitUntil(lambda: page.banner.isVisible())
    assert "does not include reviews and questions" in page.banner.text.text()
    assert page.reviews.model.rowCount() == 3  # the cached ones stay readable
    page.reviews.view.selectRow(0)
    qtbot.waitUntil(lambda: page.reviews.current is not None)
    assert not page.reviews.send_button.isEnabled() and not page.questions.send_button.isEnabled()
    # The seller bought the plan and pressed Sync now: reviews came in, the pause is over.
    with ctx.db.write() as s:
        sync_state.clear(s, plan_limited_key("reviews"))
    ctx.bus.publish(FeedbackChanged(1))
    qtbot.waitUntil(lambda: not page.plan_limited and page.banner.isHidden())
    assert page.reviews.send_button.isEnabled() and page.reviews.edit.isEnabled()
    bridge.close()
    tasks.shutdown()


def test_the_plan_limit_event_and_the_badge_in_the_window(qtbot: QtBot, ctx: AppContext) -> None:
    fill(ctx)
    window = MainWindow(ctx, None, True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    item = window.nav.item(window.PAGES.index("reviews"))
    qtbot.waitUntil(lambda: item.text() == "Reviews (3)")  # 2 reviews + 1 question
    reply.mark_processed(ctx.db, ctx.clock, "r-1", bus=ctx.bus)
    qtbot.waitUntil(lambda: item.text() == "Reviews (2)")
    ctx.bus.publish(events.PlanLimited("reviews", "premium plus"))
    qtbot.waitUntil(lambda: window.reviews.plan_limited and not window.reviews.banner.isHidden())
    assert window.orders.isEnabled()  # the rest of the app works
