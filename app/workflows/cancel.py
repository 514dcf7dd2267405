"""Cancel a posting on the seller's side, with one of Ozon's reasons (CANCEL action)."""

from __future__ import annotations

from app import history, outbox
from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import PostingStatus
from app.errors import InvalidAction
from app.events import EventBus
from app.history import EventKind
from app.outbox import ActionKind, OutboxEntry, TargetKind
from app.workflows import changes, labels
from app.workflows.lookup import require_posting

# Ozon's seller reasons (`/v2/posting/fbs/cancel-reason/list`), for when the list cannot be fetched.
# Buyer-facing data from Ozon, in Russian; reason 402 ("other") needs a message.
SELLER_CANCEL_REASONS: dict[int, str] = {
    352: "Товар закончился на складе продавца",
    400: "Остался только бракованный товар",
    401: "Продавец отклонил арбитраж",
    402: "Другое (вина продавца)",
    665: "Покупатель не забрал заказ",
    666: "Возврат из службы доставки: нет доставки в указанный регион",
    667: "Заказ утерян службой доставки",
}
MESSAGE_REQUIRED = frozenset({402})
CANCELLABLE = frozenset(
    {PostingStatus.AWAITING_APPROVE, PostingStatus.AWAITING_PACKAGING, PostingStatus.AWAITING_DELIVER}
)
# A ship still waiting to go out may be followed by a cancel (they run in order).
_PENDING_OK = frozenset({None, PostingStatus.AWAITING_DELIVER.value, PostingStatus.AWAITING_PACKAGING.value})


def cancel(
    db: Database,
    clock: Clock,
    posting_number: str,
    reason_id: int,
    message: str = "",
    user: str = "",
    *,
    bus: EventBus,
) -> OutboxEntry:
    message = message.strip()
    if reason_id in MESSAGE_REQUIRED and not message:
        raise InvalidAction("cancel_message_required", "this reason needs a message for Ozon", reason_id=reason_id)
    if len(message) > 500:
        raise InvalidAction("cancel_message_too_long", "the message may have at most 500 characters")
    now = clock.now()
    with db.write() as s:
        cached = require_posting(s, posting_number)
        status = cached.posting.status
        if status is PostingStatus.CANCELLED or cached.local_status == PostingStatus.CANCELLED.value:
            raise InvalidAction("posting_cancelled", f"posting {posting_number} is already cancelled")
        if status not in CANCELLABLE or cached.local_status not in _PENDING_OK:
            raise InvalidAction(
                "posting_not_cancellable",
                f"posting {posting_number} is {cached.shown_status}; it can no longer be cancelled",
                status=cached.shown_status,
            )
        entry = outbox.enqueue(
            s, ActionKind.CANCEL, TargetKind.POSTING, posting_number, {"reason_id": reason_id, "message": message}, now
        )
        outbox.apply_local_effect(s, entry)
        detail = f"cancel (reason {reason_id}) {entry.key}"
        history.record(s, posting_number, EventKind.ACTION_QUEUED, now, detail, user)
        labels.cancel_label_jobs(s, posting_number, now)
        done = changes.collect(s, [posting_number], cancelled=[posting_number])
    changes.publish(bus, done)
    return entry
