"""Label jobs of a posting that must not leave (cancelled): taken off the print queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app import print_queue
from app.print_queue import JobState


def cancel_label_jobs(s: Session, posting_number: str, now: datetime) -> int:
    """Cancel the posting's labels that wait for Ozon or for the printer; returns how many."""
    n = 0
    for job in print_queue.jobs(s, (JobState.WAITING, JobState.QUEUED)):
        if posting_number in job.posting_numbers and job.kind in print_queue.LABEL_KINDS:
            print_queue.cancel(s, job.key, now)
            n += 1
    return n
