"""Reviews and questions in the local cache."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.tables import QuestionRow, ReviewRow
from app.domain.feedback import Question, Review
from app.repos.upsert import upsert


def save_reviews(session: Session, reviews: Sequence[Review]) -> None:
    rows = [
        {
            "review_id": r.review_id,
            "sku": r.sku,
            "text": r.text,
            "rating": r.rating,
            "published_at": r.published_at,
            "status": r.status,
            "order_status": r.order_status,
            "comments_amount": r.comments_amount,
            "photos_amount": r.photos_amount,
            "search_text": r.text.casefold(),
        }
        for r in reviews
    ]
    upsert(session, ReviewRow.__table__, rows, ["review_id"], keep=["local_status"])  # type: ignore[arg-type]


def save_questions(session: Session, questions: Sequence[Question]) -> None:
    rows = [
        {
            "question_id": q.question_id,
            "sku": q.sku,
            "text": q.text,
            "author_name": q.author_name,
            "published_at": q.published_at,
            "status": q.status,
            "answers_count": q.answers_count,
            "search_text": q.text.casefold(),
        }
        for q in questions
    ]
    upsert(session, QuestionRow.__table__, rows, ["question_id"], keep=["local_status"])  # type: ignore[arg-type]


def known_reviews(session: Session) -> dict[str, tuple[str, int]]:
    return {
        rid: (st, n)
        for rid, st, n in session.execute(select(ReviewRow.review_id, ReviewRow.status, ReviewRow.comments_amount))
    }


def known_questions(session: Session) -> dict[str, tuple[str, int]]:
    return {
        qid: (st, n)
        for qid, st, n in session.execute(
            select(QuestionRow.question_id, QuestionRow.status, QuestionRow.answers_count)
        )
    }


def review_answered(session: Session, review_id: str, replied: bool, status: str = "PROCESSED") -> None:
    """Ozon took a reply (which marks the review processed) or a status change: the cache says so
    until the next pull brings Ozon's own numbers."""
    values: dict[str, object] = {"status": status}
    if replied:
        values["comments_amount"] = ReviewRow.comments_amount + 1
    session.execute(update(ReviewRow).where(ReviewRow.review_id == review_id).values(**values))


def question_answered(session: Session, question_id: str) -> None:
    """Ozon took an answer (Ozon marks the question processed)."""
    session.execute(
        update(QuestionRow)
        .where(QuestionRow.question_id == question_id)
        .values(status="PROCESSED", answers_count=QuestionRow.answers_count + 1)
    )
