"""Reviews and questions: lists sorted newest first, read until a page holds nothing new."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from app.events import FeedbackChanged
from app.repos import feedback as feedback_repo
from sync.client import Page
from sync.context import SyncContext
from sync.cycle import MAX_PAGES, CycleResult

T = TypeVar("T")


def pull_feedback(ctx: SyncContext, result: CycleResult) -> None:
    with ctx.db.read() as s:
        known_reviews = feedback_repo.known_reviews(s)
        known_questions = feedback_repo.known_questions(s)
    result.reviews += pull_newest_first(
        ctx,
        ctx.client.reviews_page,
        lambda r: known_reviews.get(r.review_id) != (r.status, r.comments_amount),
        feedback_repo.save_reviews,
    )
    result.questions += pull_newest_first(
        ctx,
        ctx.client.questions_page,
        lambda q: known_questions.get(q.question_id) != (q.status, q.answers_count),
        feedback_repo.save_questions,
    )
    if result.reviews or result.questions:
        ctx.bus.publish(FeedbackChanged(result.reviews + result.questions))


def pull_newest_first(
    ctx: SyncContext,
    fetch: Callable[[str], Page[T]],
    changed: Callable[[T], bool],
    save: Callable[[Session, list[T]], None],
) -> int:
    """Lists sorted newest first: stop at the first page that holds nothing new or changed."""
    count, last_id = 0, ""
    for _ in range(MAX_PAGES):
        page = fetch(last_id)
        fresh = [item for item in page.items if changed(item)]
        with ctx.db.write() as s:
            save(s, fresh)
        count += len(fresh)
        if not fresh or not page.has_next:
            break
        last_id = page.cursor
    return count
