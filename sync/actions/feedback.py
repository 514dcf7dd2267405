"""A reply to a review, an answer to a question. Neither is idempotent: after an ambiguous failure
the published ones are searched for our text before posting it again."""

from __future__ import annotations

from app.outbox import OutboxEntry
from sync.context import SyncContext


def apply_review_reply(ctx: SyncContext, entry: OutboxEntry) -> None:
    text = str(entry.payload["text"])
    # Replies are not idempotent either: after an ambiguous failure, look before re-posting.
    if not (entry.ambiguous and _contains(ctx.client.review_comment_texts(entry.target_id), text)):
        ctx.client.review_comment(entry.target_id, text)


def apply_question_answer(ctx: SyncContext, entry: OutboxEntry) -> None:
    text, sku = str(entry.payload["text"]), int(entry.payload["sku"])
    if not (entry.ambiguous and _contains(ctx.client.question_answer_texts(entry.target_id, sku), text)):
        ctx.client.question_answer(entry.target_id, sku, text)


def _contains(texts: list[str], text: str) -> bool:
    return any(t.strip() == text.strip() for t in texts)
