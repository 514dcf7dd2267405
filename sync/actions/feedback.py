"""A reply to a review, an answer to a question, a review marked processed.

Replies and answers are not idempotent: after an ambiguous failure the published ones are searched
for our text before posting it again. A reply goes with `mark_review_as_processed` (Ozon then
shows the review PROCESSED); once Ozon has it the cached row says so at once, since the newest-first
pull stops before older reviews whose status changed.
"""

from __future__ import annotations

from app.outbox import OutboxEntry
from app.repos import feedback as feedback_repo
from sync.context import SyncContext


def apply_review_reply(ctx: SyncContext, entry: OutboxEntry) -> None:
    text = str(entry.payload["text"])
    if not (entry.ambiguous and _contains(ctx.client.review_comment_texts(entry.target_id), text)):
        ctx.client.review_comment(entry.target_id, text)
    with ctx.db.write() as s:
        feedback_repo.review_answered(s, entry.target_id, replied=True)


def apply_review_status(ctx: SyncContext, entry: OutboxEntry) -> None:
    status = str(entry.payload.get("status") or "PROCESSED")
    ctx.client.review_change_status([entry.target_id], status)  # setting a status twice is harmless
    with ctx.db.write() as s:
        feedback_repo.review_answered(s, entry.target_id, replied=False, status=status)


def apply_question_answer(ctx: SyncContext, entry: OutboxEntry) -> None:
    text, sku = str(entry.payload["text"]), int(entry.payload["sku"])
    if not (entry.ambiguous and _contains(ctx.client.question_answer_texts(entry.target_id, sku), text)):
        ctx.client.question_answer(entry.target_id, sku, text)
    with ctx.db.write() as s:
        feedback_repo.question_answered(s, entry.target_id)


def _contains(texts: list[str], text: str) -> bool:
    return any(t.strip() == text.strip() for t in texts)
