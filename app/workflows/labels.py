"""Package labels, every rule in one place: which label a posting gets, queuing it when the posting is
packed, printing it again (pack station or Orders), when it waits for Ozon and asking Ozon for it,
the labels of split boxes, and taking the labels of a posting that must not leave off the queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from app import label_files, outbox, print_queue
from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import SHIPPED_OR_LATER, Posting
from app.errors import InvalidAction
from app.events import EventBus
from app.outbox import ActionKind, OutboxState, TargetKind
from app.print_queue import DocKind, JobState, PrintJob
from app.repos import postings as posting_repo
from app.workflows import changes

# A job of Ozon's label went past waiting: its PDF was fetched.
_FETCHED = frozenset({JobState.QUEUED, JobState.DONE, JobState.FAILED})


class LabelAnswer(StrEnum):
    """What asking for a posting's label (again) did."""

    QUEUED = "queued"  # a job for the printer
    WAITING = "waiting"  # a job that prints once Ozon's label is fetched
    STILL_WAITING = "still_waiting"  # the label asked for before still waits for Ozon: nothing added


@dataclass(frozen=True, slots=True)
class LabelRequest:
    answer: LabelAnswer
    job: PrintJob | None = None  # None: STILL_WAITING
    fetch_queued: bool = False  # a FETCH_LABEL action was added to the outbox


def label_kind(posting: Posting) -> DocKind:
    """rFBS: Packdesk's own label (the seller delivers); FBS: Ozon's."""
    return DocKind.OWN_LABEL if posting.is_rfbs else DocKind.OZON_LABEL


def queue_package_label(s: Session, posting: Posting, now: datetime, user: str = "", desk: str = "") -> PrintJob:
    """The label of a packed posting: Packdesk's own prints at once; Ozon's waits until the sync
    engine has fetched it. Packed again after a print: a reprint, and says so."""
    kind = label_kind(posting)
    number = posting.posting_number
    jobs = print_queue.jobs_of(s, number, (kind,), tuple(JobState))
    waiting = [job for job in jobs if job.state in (JobState.WAITING, JobState.QUEUED)]
    if waiting:  # packed again before its label printed: that label is the one
        return waiting[0]
    reason = "packed again" if any(job.state is JobState.DONE for job in jobs) else ""
    ozon = kind is DocKind.OZON_LABEL
    return print_queue.enqueue(s, kind, (number,), now, reason=reason, user=user, desk=desk, wait_for_label=ozon)


def reprint_label(
    s: Session,
    posting: Posting,
    now: datetime,
    reason: str,
    user: str = "",
    labels_dir: Path | None = None,
    desk: str = "",
) -> LabelRequest:
    """Print the posting's label (again); a label printed before needs `reason` (`reprint_reason`).

    Ozon's label is fetched when its file is in `labels_dir`, or — without a folder to look in — when
    one of its jobs went to the printer. Not fetched: the new job waits for it, and Ozon is asked for
    it once the posting has shipped (unless that is under way; before the ship, the ship asks); while
    the first job still waits, nothing is added (it prints when the label arrives)."""
    number = posting.posting_number
    kind = label_kind(posting)
    if kind is DocKind.OWN_LABEL:
        job = print_queue.enqueue(s, kind, (number,), now, reason=reason, user=user, desk=desk)
        return LabelRequest(LabelAnswer.QUEUED, job)
    states = print_queue.states_of(s, kind, number)
    fetched = label_files.has(labels_dir, number) if labels_dir is not None else bool(states & _FETCHED)
    # Ozon makes the label only once the posting has shipped; before that the ship asks for it.
    shipped = posting.status in SHIPPED_OR_LATER
    fetch_queued = request_label(s, number, now) if shipped and not fetched else False
    if not fetched and JobState.WAITING in states:
        return LabelRequest(LabelAnswer.STILL_WAITING, None, fetch_queued)
    job = print_queue.enqueue(s, kind, (number,), now, reason=reason, user=user, desk=desk, wait_for_label=not fetched)
    return LabelRequest(LabelAnswer.QUEUED if fetched else LabelAnswer.WAITING, job, fetch_queued)


def print_labels(
    db: Database,
    clock: Clock,
    posting_numbers: Sequence[str],
    reason: str,
    *,
    bus: EventBus,
    labels_dir: Path,
    user: str = "",
    desk: str = "",
) -> list[LabelRequest]:
    """Orders' "print labels": each posting's label (`reprint_label`), all or nothing, in one
    transaction. Raises UserError: an unknown or cancelled posting, a reprint without a reason."""
    with db.write() as s:
        now = clock.now()
        results = []
        for number in posting_numbers:
            cached = posting_repo.get(s, number)
            if cached is None:
                raise InvalidAction("posting_unknown", f"posting {number} is not in the local cache", posting=number)
            if cached.is_cancelled:
                raise InvalidAction("posting_cancelled", f"posting {number} is cancelled", posting=number)
            results.append(reprint_label(s, cached.posting, now, reason, user, labels_dir, desk))
        done = changes.collect(s)
    changes.publish(bus, done)
    return results


def request_label(s: Session, posting_number: str, now: datetime) -> bool:
    """Ask Ozon for the posting's label (FETCH_LABEL) unless that is under way; True if asked now."""
    under_way = outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT), target_id=posting_number)
    if any(e.action is ActionKind.FETCH_LABEL for e in under_way):
        return False
    outbox.enqueue(s, ActionKind.FETCH_LABEL, TargetKind.POSTING, posting_number, {}, now)
    return True


def queue_split_labels(s: Session, posting_number: str, packages: int, now: datetime) -> None:
    """Packed in several packages: each further box becomes a posting of its own once Ozon has the
    ship, and needs a label too — asked for after the ship (LABEL_SPLIT_PARTS, then `label_split_part`)."""
    if packages > 1:
        parts = {"parts": packages - 1}
        outbox.enqueue(s, ActionKind.LABEL_SPLIT_PARTS, TargetKind.POSTING, posting_number, parts, now)


def label_split_part(s: Session, part: Posting, now: datetime) -> None:
    """A further box of a split posting (Ozon made it a posting of its own) gets its label like the
    first box: fetched from Ozon (FBS) and printed. Once: a retry after a lost answer adds nothing."""
    if print_queue.has_job(s, label_kind(part), part.posting_number):
        return
    queue_package_label(s, part, now)
    if label_kind(part) is DocKind.OZON_LABEL:
        request_label(s, part.posting_number, now)


def cancel_label_jobs(s: Session, posting_number: str, now: datetime) -> int:
    """Cancel the posting's labels that wait for Ozon or for the printer; returns how many."""
    live = print_queue.jobs_of(s, posting_number, print_queue.LABEL_KINDS, (JobState.WAITING, JobState.QUEUED))
    for job in live:
        print_queue.cancel(s, job.key, now)
    return len(live)
