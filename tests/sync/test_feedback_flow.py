"""Reviews and questions end to end on the emulator: a reply reaches Ozon once and the review shows
processed, a repeated reply warns, answers are checked here before anything is queued, a shop whose
plan leaves reviews out is told so."""

from __future__ import annotations

from typing import Any

import pytest

from app import outbox
from app.chat.lint import LintError
from app.context import AppContext
from app.db.tables import ChatTemplateRow, ProductRow
from app.errors import InvalidAction, NotFound
from app.feedback import fill, query, reply
from app.feedback.query import QuestionFilter, ReviewFilter
from sync.emulator import Emulator
from sync.engine import SyncEngine
from tests.sync.conftest import Recorder, adapter_client
from tests.sync.test_engine import drain, open_entries

COMMENT = "/v1/review/comment/create"
CHANGE_STATUS = "/v2/review/change-status"
ANSWER = "/v1/question/answer/create"


def applied(emu: Emulator, path: str, key: str, target: str) -> list[dict[str, Any]]:
    return [e for e in emu.log if e["method"] == path and e.get(key) == target]


def ozon_status(engine: SyncEngine, review_id: str) -> str:
    """The review's status as Ozon lists it now."""
    last_id = ""
    while True:
        page = engine.client.reviews_page(last_id)
        for r in page.items:
            if r.review_id == review_id:
                return r.status
        assert page.has_next, review_id
        last_id = page.cursor


def _new_reviews(engine: SyncEngine, ctx: AppContext, n: int = 2) -> list[query.ReviewView]:
    engine.run_cycle()
    with ctx.db.read() as s:
        found = query.list_reviews(s, ReviewFilter(status="NEW", replied=False))
    assert len(found) >= n
    return found[:n]


def test_a_reply_reaches_ozon_once_and_the_review_shows_processed(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    (review,) = _new_reviews(engine, ctx, 1)
    done = reply.reply_to_review(ctx.db, emu, review.review_id, "  Спасибо за отзыв, рады помочь!  ", bus=ctx.bus)
    assert done.queued and done.repeated is None and done.text == "Спасибо за отзыв, рады помочь!"
    with ctx.db.read() as s:
        shown = query.review(s, review.review_id)
    # Shown at once, before any sync: processed, replied, waiting for Ozon.
    assert shown is not None and shown.status == "PROCESSED" and shown.replied and shown.pending
    drain(engine, emu, ctx)
    engine.run_cycle()
    engine.run_cycle()
    (sent,) = applied(emu, COMMENT, "review_id", review.review_id)
    assert sent["request"]["text"] == "Спасибо за отзыв, рады помочь!"
    assert sent["request"]["mark_review_as_processed"] is True
    assert ozon_status(engine, review.review_id) == "PROCESSED"
    with ctx.db.read() as s:
        after = query.review(s, review.review_id)
        assert review.review_id not in [r.review_id for r in query.list_reviews(s, ReviewFilter(status="NEW"))]
    assert after is not None and after.status == "PROCESSED" and after.replied and not after.pending


def test_mark_processed_without_a_reply_uses_the_v2_status_method(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    (review,) = _new_reviews(engine, ctx, 1)
    reply.mark_processed(ctx.db, emu, review.review_id, bus=ctx.bus)
    drain(engine, emu, ctx)
    (sent,) = applied(emu, CHANGE_STATUS, "review_id", review.review_id)
    assert sent["request"] == {"review_ids": [review.review_id], "status": "PROCESSED"}
    assert not applied(emu, COMMENT, "review_id", review.review_id)
    assert ozon_status(engine, review.review_id) == "PROCESSED"
    with ctx.db.read() as s:
        after = query.review(s, review.review_id)
    assert after is not None and after.status == "PROCESSED" and not after.replied


def test_a_repeated_reply_is_a_warning_the_seller_can_override(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    first, second = _new_reviews(engine, ctx, 2)
    reply.reply_to_review(ctx.db, emu, first.review_id, "Спасибо за отзыв! Рады, что понравилось.", bus=ctx.bus)
    again = "спасибо  за отзыв, рады что понравилось"  # case, spaces and punctuation differ
    warned = reply.reply_to_review(ctx.db, emu, second.review_id, again, bus=ctx.bus)
    assert not warned.queued and warned.repeated is not None
    assert warned.repeated.review_ids == (first.review_id,) and "Ozon penalises" in warned.repeated.message
    with ctx.db.read() as s:
        assert len(open_entries(ctx)) == 1
        # The same review may be answered again in the same words (a correction is no repeat).
        assert reply.check_reply(s, first.review_id, again, emu.now()).repeated is None
    forced = reply.reply_to_review(ctx.db, emu, second.review_id, again, bus=ctx.bus, force=True)
    assert forced.queued and forced.repeated is not None
    # Thirty days on, the words are free again.
    emu.advance(31 * 86400)
    with ctx.db.read() as s:
        assert reply.repeated_reply(s, "another", again, emu.now()) is None


def test_texts_are_checked_before_anything_is_queued(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    (review,) = _new_reviews(engine, ctx, 1)
    with ctx.db.read() as s:
        q = query.list_questions(s, QuestionFilter(answered=False))[0]
    with pytest.raises(LintError, match="phone"):
        reply.reply_to_review(ctx.db, emu, review.review_id, "Позвоните нам: +7 916 123-45-67", bus=ctx.bus)
    with pytest.raises(LintError, match="at least 2"):
        reply.answer_question(ctx.db, emu, q.question_id, "Д", bus=ctx.bus)
    with pytest.raises(LintError, match="at most 3000"):
        reply.answer_question(ctx.db, emu, q.question_id, "Да. " * 751, bus=ctx.bus)
    with pytest.raises(LintError, match="phone"):
        reply.answer_question(ctx.db, emu, q.question_id, "Да, звоните 8 (916) 123-45-67", bus=ctx.bus)
    with pytest.raises(NotFound):
        reply.reply_to_review(ctx.db, emu, "nope", "Спасибо!", bus=ctx.bus)
    assert not open_entries(ctx)
    assert len(reply.check_answer("Да, " + "x" * 2996)) == 3000


def test_an_answer_reaches_ozon_once_and_the_question_shows_answered(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    with ctx.db.read() as s:
        q = query.list_questions(s, QuestionFilter(answered=False))[0]
    reply.answer_question(ctx.db, emu, q.question_id, "Да, подойдёт.", bus=ctx.bus)
    with ctx.db.read() as s:
        shown = query.question(s, q.question_id)
    assert shown is not None and shown.answered and shown.pending and shown.status == "PROCESSED"
    drain(engine, emu, ctx)
    engine.run_cycle()
    (sent,) = applied(emu, ANSWER, "question_id", q.question_id)
    assert sent["request"] == {"question_id": q.question_id, "sku": q.sku, "text": "Да, подойдёт."}
    with ctx.db.read() as s:
        after = query.question(s, q.question_id)
        assert q.question_id not in [x.question_id for x in query.list_questions(s, QuestionFilter(answered=False))]
    assert after is not None and after.answered and not after.pending and after.status == "PROCESSED"


def test_a_template_fills_what_a_review_knows_and_refuses_the_rest(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    (review,) = _new_reviews(engine, ctx, 1)
    with ctx.db.write() as s:  # a template naming the product (as a later template editor may allow)
        s.add(ChatTemplateRow(key="product", text_ru="Спасибо за отзыв о «{product_name}»!", updated_at=emu.now()))
    with ctx.db.read() as s:
        name = s.get(ProductRow, review.sku)
        thanks = fill.fill_for_review(s, "thanks", review.review_id)  # a default without variables
        filled = fill.fill_for_review(s, "product", review.review_id)
        with pytest.raises(LintError, match=r"\{order_number\}, which a review cannot fill"):
            fill.fill_for_review(s, "where_is_order", review.review_id)
        with pytest.raises(NotFound):
            fill.fill_for_review(s, "nope", review.review_id)
    assert thanks.text.startswith("Спасибо") and "{" not in thanks.text
    assert name is not None and filled.text == f"Спасибо за отзыв о «{name.name}»!"
    done = reply.reply_to_review(ctx.db, emu, review.review_id, filled.text, bus=ctx.bus, allowed=filled.allowed)
    drain(engine, emu, ctx)
    (sent,) = applied(emu, COMMENT, "review_id", review.review_id)
    assert done.queued and sent["request"]["text"] == filled.text


def test_a_plan_without_reviews_is_said_plainly(ctx: AppContext, events: Recorder) -> None:
    emu = Emulator(seed=3, postings=30, client_id="123456", api_key="test-key", speed=0.0, live=False, premium=False)
    ctx.clock = emu
    engine = SyncEngine(ctx.db, adapter_client(emu), ctx.bus, emu, ctx.paths.labels)
    with ctx.db.read() as s:
        assert query.plan_limited(s) is None
    assert engine.run_cycle().ok
    with ctx.db.read() as s:
        assert query.plan_limited(s) is not None
        assert query.list_reviews(s) == [] and query.list_questions(s) == []


def test_nothing_is_sent_twice_after_drain(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    first, second = _new_reviews(engine, ctx, 2)
    reply.reply_to_review(ctx.db, emu, first.review_id, "Благодарим за оценку!", bus=ctx.bus)
    reply.mark_processed(ctx.db, emu, second.review_id, bus=ctx.bus)
    drain(engine, emu, ctx)
    for _ in range(3):
        engine.run_cycle()
    assert len(applied(emu, COMMENT, "review_id", first.review_id)) == 1
    assert len(applied(emu, CHANGE_STATUS, "review_id", second.review_id)) == 1
    with ctx.db.read() as s:
        assert {e.state.value for e in outbox.entries(s)} == {"done"}


def test_the_same_reply_or_answer_to_the_same_review_or_question_is_sent_once(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    """A second click, or the command run again, must not publish the same text twice under one
    review (the repeated-reply warning is about *other* reviews, and --force is for those)."""
    (review,) = _new_reviews(engine, ctx, 1)
    assert reply.reply_to_review(ctx.db, emu, review.review_id, "Спасибо за отзыв!", bus=ctx.bus).queued
    for again in ("Спасибо за отзыв!", "  Спасибо  за\nотзыв! "):
        with pytest.raises(InvalidAction) as refused:
            reply.reply_to_review(ctx.db, emu, review.review_id, again, bus=ctx.bus, force=True)
        assert refused.value.code == "review_reply_duplicate"
    with ctx.db.read() as s:
        q = query.list_questions(s, QuestionFilter(answered=False))[0]
    reply.answer_question(ctx.db, emu, q.question_id, "Да, подойдёт.", bus=ctx.bus)
    with pytest.raises(InvalidAction) as refused:
        reply.answer_question(ctx.db, emu, q.question_id, "Да,  подойдёт. ", bus=ctx.bus)
    assert refused.value.code == "answer_duplicate"
    drain(engine, emu, ctx)
    assert len(applied(emu, COMMENT, "review_id", review.review_id)) == 1
    assert len(applied(emu, ANSWER, "question_id", q.question_id)) == 1
    with pytest.raises(InvalidAction):  # sent already: still once
        reply.reply_to_review(ctx.db, emu, review.review_id, "Спасибо за отзыв!", bus=ctx.bus)
