"""Documents for the office printer that are not labels: the pick list of chosen postings."""

from __future__ import annotations

from collections.abc import Sequence

from app import print_queue
from app.clock import Clock
from app.db.engine import Database
from app.print_queue import DocKind, PrintJob


def print_pick_list(
    db: Database, clock: Clock, posting_numbers: Sequence[str], user: str = "", desk: str = ""
) -> PrintJob:
    """One pick list of the postings, in the order given (the spooler of `desk` prints it)."""
    with db.write() as s:
        return print_queue.enqueue(s, DocKind.PICKLIST, tuple(posting_numbers), clock.now(), user=user, desk=desk)
