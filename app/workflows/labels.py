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
    reason = "packed again" if print_queue.printed_before(s, kind, number) else ""
    return print_queue.enqueue(s, kind, (number,), now, reason=reason, user=user, wait_for_label=not posting.is_rfbs)


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
    n = 0
    for job in print_queue.jobs(s, (JobState.WAITING, JobState.QUEUED)):
        if posting_number in job.posting_numbers and job.kind in print_queue.LABEL_KINDS:
            print_queue.cancel(s, job.key, now)
            n += 1
    return n
