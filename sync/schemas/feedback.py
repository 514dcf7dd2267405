"""Reviews and questions."""

from __future__ import annotations

from typing import Any

from app.domain.feedback import Question, Review
from sync.schemas.fields import Fields


def review(obj: Any, where: str) -> Review:
    f = Fields(obj, where)
    status = f.text("status").upper()
    if status == "UNPROCESSED":  # v1 spelling
        status = "NEW"
    return Review(
        review_id=f.text("id", required=True),
        sku=f.int_id("sku"),
        text=f.text("text"),
        rating=f.int_id("rating"),
        published_at=f.time("published_at"),
        status=status or "NEW",
        order_status=f.text("order_status"),
        comments_amount=f.int_id("comments_amount"),
        photos_amount=f.int_id("photos_amount"),
    )


def question(obj: Any, where: str) -> Question:
    f = Fields(obj, where)
    return Question(
        question_id=f.text("id", required=True),
        sku=f.int_id("sku"),
        text=f.text("text"),
        author_name=f.text("author_name"),
        published_at=f.time("published_at"),
        status=f.text("status").upper() or "NEW",
        answers_count=f.int_id("answers_count"),
    )
