"""Product reviews and public questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Review:
    review_id: str
    sku: int
    text: str
    rating: int
    published_at: datetime | None
    status: str  # NEW, VIEWED, PROCESSED (v1's UNPROCESSED is read as NEW)
    order_status: str = ""
    comments_amount: int = 0
    photos_amount: int = 0


@dataclass(frozen=True, slots=True)
class Question:
    question_id: str
    sku: int
    text: str
    author_name: str
    published_at: datetime | None
    status: str
    answers_count: int = 0
