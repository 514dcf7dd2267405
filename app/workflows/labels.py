"""Labels of packed postings: which label a posting gets, when it waits for Ozon, and taking the
labels of a posting that must not leave off the print queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app import outbox, print_queue
from app.domain.postings import Posting
from app.outbox import ActionKind, TargetKind
from app.print_queue import DocKind, JobState, PrintJob


def label_kind(posting: Posting) -> DocKind:
    """rFBS: Packdesk's own label (the seller delivers); FBS: Ozon's."""
    return DocKind.OWN_LABEL if posting.is_rfbs else DocKind.OZON_LABEL


def queue_package_label(s: Session, posting: Posting, now: datetime, user: str = "") -> PrintJob:
    """The label of a packed posting: Packdesk's own prints at once; Ozon's waits until the sync
    engine has fetched it. Packed again after a print: a reprint, and says so."""
    kind = label_kind(posting)
    number = posting.posting_number
    waiting = live_label_job(s, kind, number)
    if waiting is not None:  # packed again before its label printed: that label is the one
        return waiting
    reason = "packed again" if print_queue.printed_before(s, kind, number) else ""
    return print_queue.enqueue(s, kind, (number,), now, reason=reason, user=user, wait_for_label=not posting.is_rfbs)


def live_label_job(s: Session, kind: DocKind, posting_number: str) -> PrintJob | None:
    """The posting's label of this kind that waits for Ozon or for the printer, if any."""
    live = print_queue.jobs_of(s, posting_number, (kind,), (JobState.WAITING, JobState.QUEUED))
    return live[0] if live else None


def label_split_part(s: Session, part: Posting, now: datetime) -> None:
    """A further box of a split posting (Ozon made it a posting of its own) gets its label like the
    first box: fetched from Ozon (FBS) and printed. Once: a retry after a lost answer adds nothing."""
    if print_queue.has_job(s, label_kind(part), part.posting_number):
        return
    queue_package_label(s, part, now)
    if not part.is_rfbs:
        outbox.enqueue(s, ActionKind.FETCH_LABEL, TargetKind.POSTING, part.posting_number, {}, now)


def cancel_label_jobs(s: Session, posting_number: str, now: datetime) -> int:
    """Cancel the posting's labels that wait for Ozon or for the printer; returns how many."""
    live = print_queue.jobs_of(s, posting_number, print_queue.LABEL_KINDS, (JobState.WAITING, JobState.QUEUED))
    for job in live:
        print_queue.cancel(s, job.key, now)
    return len(live)
