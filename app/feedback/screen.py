"""What the Reviews page reads, each in one short transaction of its own (the UI holds no SQL and runs
these on its database worker): keys first and rows by key, the badge, the plan flag, templates filled
for a review, and the live check of a reply."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.chat import templates as chat_templates
from app.chat.screen import FilledTemplate, TemplateChoice
from app.db.engine import Database
from app.feedback import fill, query, reply
from app.feedback.query import Key, QuestionFilter, QuestionView, ReviewFilter, ReviewView, Waiting


@dataclass(frozen=True, slots=True)
class ReviewListing:
    keys: list[Key]
    first_rows: dict[Key, ReviewView]


@dataclass(frozen=True, slots=True)
class QuestionListing:
    keys: list[Key]
    first_rows: dict[Key, QuestionView]


def read_reviews_listing(db: Database, wanted: ReviewFilter, first: int = 100) -> ReviewListing:
    with db.read() as session:
        keys = query.review_keys(session, wanted)
        return ReviewListing(keys, {r.key: r for r in query.reviews_by_key(session, keys[:first])})


def read_reviews(db: Database, keys: Sequence[Key]) -> dict[Key, ReviewView]:
    with db.read() as session:
        return {r.key: r for r in query.reviews_by_key(session, keys)}


def read_questions_listing(db: Database, wanted: QuestionFilter, first: int = 100) -> QuestionListing:
    with db.read() as session:
        keys = query.question_keys(session, wanted)
        return QuestionListing(keys, {q.key: q for q in query.questions_by_key(session, keys[:first])})


def read_questions(db: Database, keys: Sequence[Key]) -> dict[Key, QuestionView]:
    with db.read() as session:
        return {q.key: q for q in query.questions_by_key(session, keys)}


def read_review(db: Database, review_id: str) -> ReviewView | None:
    with db.read() as session:
        return query.review(session, review_id)


def read_question(db: Database, question_id: str) -> QuestionView | None:
    with db.read() as session:
        return query.question(session, question_id)


def read_waiting(db: Database) -> Waiting:
    with db.read() as session:
        return query.waiting(session)


def read_plan_limited(db: Database) -> bool:
    """The shop's Ozon plan leaves reviews and questions out (the last sync said so)."""
    with db.read() as session:
        return query.plan_limited(session) is not None


def templates(db: Database) -> list[TemplateChoice]:
    with db.read() as session:
        found = chat_templates.all_templates(session)
    return [TemplateChoice(t.key, t.name_zh, t.name_en, t.text_ru, tuple(t.intents)) for t in found]


def fill_template(db: Database, key: str, review_id: str) -> FilledTemplate:
    """The template filled for a review (LintError template_unfillable naming what a review cannot fill)."""
    with db.read() as session:
        filled = fill.fill_for_review(session, key, review_id)
    return FilledTemplate(filled.text, tuple(filled.allowed))


def fill_question_template(db: Database, key: str, question_id: str) -> FilledTemplate:
    """The template filled for a question (LintError template_unfillable naming what a question cannot fill)."""
    with db.read() as session:
        filled = fill.fill_for_question(session, key, question_id)
    return FilledTemplate(filled.text, tuple(filled.allowed))


def check_reply(
    db: Database, review_id: str, text: str, now: datetime, allowed: Iterable[str] = ()
) -> reply.ReplyOutcome:
    """The live hint: LintError when the text must not go, else whether it repeats another reply."""
    with db.read() as session:
        return reply.check_reply(session, review_id, text, now, allowed)
