"""The reviews and questions read models: filters, what a queued action shows, the plan flag."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from app import outbox
from app.context import AppContext
from app.domain.feedback import Question, Review
from app.domain.products import Product
from app.feedback import query, reply
from app.feedback.query import QuestionFilter, ReviewFilter
from app.outbox import ActionKind, TargetKind
from app.repos import feedback as feedback_repo
from app.repos import products as product_repo
from app.repos import sync_state
from app.sync_status import plan_limited_key

AT = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _shop(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        product_repo.save(s, [Product(111, 1, "CUP-RED", "Кружка красная"), Product(222, 2, "TEE-1", "Футболка")], AT)
        feedback_repo.save_reviews(
            s,
            [
                Review("r-1", 111, "Курьер опоздал, но КРУЖКА отличная", 5, AT, "NEW", photos_amount=2),
                Review("r-2", 111, "Пришла с трещиной [брак] 100%_", 1, AT - timedelta(hours=1), "VIEWED"),
                Review("r-3", 222, "нормально", 4, AT - timedelta(hours=2), "PROCESSED", comments_amount=1),
            ],
        )
        feedback_repo.save_questions(
            s,
            [
                Question("q-1", 111, "Можно мыть в посудомойке?", "Анна", AT, "NEW"),
                Question("q-2", 222, "Какой размер?", "Олег", AT - timedelta(hours=1), "PROCESSED", answers_count=1),
            ],
        )


def ids(ctx: AppContext, wanted: ReviewFilter | None = None) -> list[str]:
    with ctx.db.read() as s:
        return [r.review_id for r in query.list_reviews(s, wanted or ReviewFilter())]


def test_review_filters(ctx: AppContext) -> None:
    _shop(ctx)
    assert ids(ctx) == ["r-1", "r-2", "r-3"]
    assert ids(ctx, ReviewFilter(ratings=frozenset({1, 2}))) == ["r-2"]
    assert ids(ctx, ReviewFilter(status="new")) == ["r-1"]
    assert ids(ctx, ReviewFilter(replied=True)) == ["r-3"]
    assert ids(ctx, ReviewFilter(replied=False)) == ["r-1", "r-2"]
    assert ids(ctx, ReviewFilter(product="CUP-RED")) == ["r-1", "r-2"]
    assert ids(ctx, ReviewFilter(product="222")) == ["r-3"]
    # Search: any case of a Cyrillic word, the product's name or article; wildcards taken literally.
    assert ids(ctx, ReviewFilter(search="курьер")) == ["r-1"]
    assert ids(ctx, ReviewFilter(search="кружка")) == ["r-1", "r-2"]  # r-2 by its product's name
    assert ids(ctx, ReviewFilter(search="Нормально")) == ["r-3"]
    assert ids(ctx, ReviewFilter(search="нОРМАЛЬНО")) == ["r-3"]  # any case, not just the usual spellings
    assert ids(ctx, ReviewFilter(search="КРУЖКА")) == ["r-1", "r-2"]
    assert ids(ctx, ReviewFilter(search="tee-1")) == ["r-3"]
    assert ids(ctx, ReviewFilter(search="[брак]")) == ["r-2"]
    assert ids(ctx, ReviewFilter(search="100%_")) == ["r-2"]
    assert ids(ctx, ReviewFilter(search="*")) == []
    with ctx.db.read() as s:
        first = query.review(s, "r-1")
        keys = query.review_keys(s)
        assert [r.review_id for r in query.reviews_by_key(s, [keys[2], keys[0], -5])] == ["r-3", "r-1"]
    assert first is not None and first.product_name == "Кружка красная" and first.offer_id == "CUP-RED"
    assert first.photos == 2 and first.rating == 5 and not first.replied and not first.pending


def test_queued_actions_show_at_once_and_a_dropped_one_does_not(ctx: AppContext) -> None:
    _shop(ctx)
    reply.mark_processed(ctx.db, ctx.clock, "r-1", bus=ctx.bus)
    with ctx.db.read() as s:
        shown = query.review(s, "r-1")
        assert query.waiting(s) == query.Waiting(reviews=1, questions=1)
    assert shown is not None and shown.status == "PROCESSED" and shown.pending and not shown.replied
    entry = reply.reply_to_review(ctx.db, ctx.clock, "r-2", "Приносим извинения, заменим.", bus=ctx.bus).entry
    assert entry is not None
    with ctx.db.write() as s:
        outbox.drop(s, entry.key, ctx.clock.now())
    with ctx.db.read() as s:
        dropped = query.review(s, "r-2")
        # A dropped reply never reached Ozon: it is no repeat either.
        assert reply.repeated_reply(s, "r-3", "Приносим извинения, заменим!", ctx.clock.now()) is None
    assert dropped is not None and dropped.status == "VIEWED" and not dropped.replied


def test_question_filters_and_the_plan_flag(ctx: AppContext) -> None:
    _shop(ctx)
    with ctx.db.read() as s:
        assert [q.question_id for q in query.list_questions(s, QuestionFilter(answered=False))] == ["q-1"]
        assert [q.question_id for q in query.list_questions(s, QuestionFilter(search="РАЗМЕР"))] == ["q-2"]
        assert [q.question_id for q in query.list_questions(s, QuestionFilter(product="CUP-RED"))] == ["q-1"]
        assert query.plan_limited(s) is None
    with ctx.db.write() as s:
        outbox.enqueue(s, ActionKind.QUESTION_ANSWER, TargetKind.QUESTION, "q-1", {"text": "Да", "sku": 111}, AT)
        sync_state.put(s, plan_limited_key("reviews"), AT.isoformat(), AT)
    with ctx.db.read() as s:
        q = query.question(s, "q-1")
        assert query.plan_limited(s) == AT
    assert q is not None and q.answered and q.pending and q.status == "PROCESSED"
    assert query.question_json(q)["answered"] is True


def test_the_repeated_reply_check_is_not_fooled_by_unicode_spellings() -> None:
    text = "Спасибо за покупку, пользуйтесь с удовольствием!"
    assert reply.normalised(unicodedata.normalize("NFD", text)) == reply.normalised(text)  # й as и + combining breve
    assert reply.normalised("ＯＫ，谢谢！") == reply.normalised("ok 谢谢")  # full-width, as a Chinese IME types it
