"""What the pack station's screen reads: the print panel's jobs and counts, and whether a code is known."""

from __future__ import annotations

from dataclasses import dataclass

from app import print_queue
from app.db.engine import Database
from app.print_queue import JobState, PrintJob
from app.repos import postings as posting_repo
from app.repos import products as product_repo

_OPEN = (JobState.WAITING, JobState.QUEUED, JobState.FAILED)


@dataclass(frozen=True, slots=True)
class PanelData:
    jobs: tuple[PrintJob, ...]  # oldest first (packing order)
    waiting: int
    queued: int
    failed: int


def print_panel(db: Database, shown: int, desk: str = "") -> PanelData:
    """The latest `shown` open jobs this desk prints (`print_queue.printed_at`) and the true counts of
    them all."""
    with db.read() as s:
        jobs = print_queue.recent_jobs(s, _OPEN, limit=shown, desk=desk)
        counts = print_queue.state_counts(s, _OPEN, desk)
    return PanelData(tuple(reversed(jobs)), counts[JobState.WAITING], counts[JobState.QUEUED], counts[JobState.FAILED])


def ready_and_waiting(db: Database, desk: str = "") -> tuple[int, int]:
    """How many print jobs this desk prints are ready, and how many of its labels still wait for Ozon."""
    with db.read() as s:
        counts = print_queue.state_counts(s, _OPEN, desk)
    return counts[JobState.QUEUED], counts[JobState.WAITING]


def is_known_code(db: Database, code: str) -> bool:
    """A product barcode or a posting's label: a scan typed into a text box, not the text it asks for."""
    with db.read() as s:
        return bool(product_repo.skus_for_barcode(s, code)) or posting_repo.find_by_barcode(s, code) is not None
