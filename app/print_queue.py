"""The print queue and print log (one table): every print and reprint is a job, kept after printing.

A job for Ozon's label waits (`waiting`) until the sync engine has fetched the label PDF; then it is
`queued` for the printer. A printer that is off or refuses the job leaves it `failed` with the
reason, to retry or reprint: a job is never lost. A second print of the same label is flagged as a
reprint and needs a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, insert, select, true, update
from sqlalchemy.orm import Session

from app.db.tables import PrintJobPostingRow, PrintJobRow
from app.errors import InvalidAction


class DocKind(StrEnum):
    OZON_LABEL = "ozon_label"  # Ozon's FBS package label (PDF from the API)
    OWN_LABEL = "own_label"  # Packdesk's label / waybill (rFBS, internal tag)
    SLIP = "slip"  # packing slip
    PICKLIST = "picklist"
    ACT = "act"  # handover act / shipping list
    COMMANDS = "commands"  # sheet of command barcodes
    TEST = "test"


class JobState(StrEnum):
    WAITING = "waiting"  # for Ozon's label to be ready
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


LABEL_KINDS = frozenset({DocKind.OZON_LABEL, DocKind.OWN_LABEL})


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: int
    key: str
    kind: DocKind
    posting_numbers: tuple[str, ...]
    printer: str
    state: JobState
    attempts: int
    last_error: str
    is_reprint: bool
    reason: str
    user: str
    created_at: datetime
    updated_at: datetime
    printed_at: datetime | None
    desk: str = ""  # the desk that asked for it and prints it ("": any desk, a one-desk database)


def _job(row: PrintJobRow) -> PrintJob:
    return PrintJob(
        row.id,
        row.key,
        DocKind(row.kind),
        tuple(row.posting_numbers.split()),
        row.printer,
        JobState(row.state),
        row.attempts,
        row.last_error,
        row.is_reprint,
        row.reason,
        row.user,
        row.created_at,
        row.updated_at,
        row.printed_at,
        row.desk,
    )


def _for_posting(posting_number: str) -> ColumnElement[bool]:
    """Jobs that print this posting: by the job–posting index (`print_job_postings`), never a scan of
    the print log's space-separated `posting_numbers`."""
    return PrintJobRow.id.in_(
        select(PrintJobPostingRow.job_id).where(PrintJobPostingRow.posting_number == posting_number)
    )


def has_job(session: Session, kind: DocKind, posting_number: str) -> bool:
    """Any job of this kind for the posting, whatever its state."""
    stmt = select(PrintJobRow.id).where(PrintJobRow.kind == kind.value, _for_posting(posting_number)).limit(1)
    return session.scalar(stmt) is not None


def jobs_of(
    session: Session, posting_number: str, kinds: Collection[DocKind], states: Collection[JobState]
) -> list[PrintJob]:
    """The posting's jobs of these kinds in these states, oldest first."""
    stmt = (
        select(PrintJobRow)
        .where(
            _for_posting(posting_number),
            PrintJobRow.kind.in_([k.value for k in kinds]),
            PrintJobRow.state.in_([st.value for st in states]),
        )
        .order_by(PrintJobRow.id)
    )
    return [_job(r) for r in session.scalars(stmt)]


def printed_before(session: Session, kind: DocKind, posting_number: str) -> bool:
    """A job of this kind printed the posting (any number of jobs later)."""
    stmt = select(PrintJobRow.id).where(
        PrintJobRow.kind == kind.value, PrintJobRow.state == JobState.DONE.value, _for_posting(posting_number)
    )
    return session.scalar(stmt.limit(1)) is not None


def enqueue(
    session: Session,
    kind: DocKind,
    posting_numbers: tuple[str, ...],
    now: datetime,
    *,
    printer: str = "",
    reason: str = "",
    user: str = "",
    desk: str = "",
    wait_for_label: bool = False,
) -> PrintJob:
    """Queue a document. A label printed before is a reprint and must say why."""
    reprint = kind in LABEL_KINDS and any(printed_before(session, kind, n) for n in posting_numbers)
    if reprint and not reason.strip():
        raise InvalidAction("reprint_reason", "this label was printed before: give a reason to reprint it")
    row = PrintJobRow(
        key=str(uuid.uuid4()),
        kind=kind.value,
        posting_numbers=" ".join(posting_numbers),
        printer=printer,
        state=(JobState.WAITING if wait_for_label else JobState.QUEUED).value,
        attempts=0,
        last_error="",
        is_reprint=reprint,
        reason=reason,
        user=user,
        desk=desk,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    numbers = sorted(set(posting_numbers))
    if numbers:
        session.execute(
            insert(PrintJobPostingRow.__table__),  # type: ignore[arg-type]
            [{"posting_number": n, "job_id": row.id} for n in numbers],
        )
    return _job(row)


def jobs(session: Session, states: Collection[JobState] = ()) -> list[PrintJob]:
    """Every job (in these states, when given), newest first. Uncapped: for a listing use `recent_jobs`."""
    stmt = select(PrintJobRow).order_by(PrintJobRow.id.desc())
    if states:
        stmt = stmt.where(PrintJobRow.state.in_([s.value for s in states]))
    return [_job(r) for r in session.scalars(stmt)]


def printed_at(desk: str) -> ColumnElement[bool]:
    """The jobs a desk prints: its own and those no desk asked for (several desks share one server,
    each with its printers); "" (one desk): every job."""
    return PrintJobRow.desk.in_([desk, ""]) if desk else true()


def recent_jobs(session: Session, states: Collection[JobState] = (), *, limit: int, desk: str = "") -> list[PrintJob]:
    """The newest `limit` jobs (in these states, when given; of `printed_at(desk)`), newest first: a
    listing, not an answer."""
    stmt = select(PrintJobRow).where(printed_at(desk)).order_by(PrintJobRow.id.desc()).limit(limit)
    if states:
        stmt = stmt.where(PrintJobRow.state.in_([s.value for s in states]))
    return [_job(r) for r in session.scalars(stmt)]


def count(session: Session, states: Collection[JobState], kinds: Collection[DocKind] = (), desk: str = "") -> int:
    """How many jobs (of `printed_at(desk)`) are in these states (of these kinds, when given)."""
    stmt = select(func.count(PrintJobRow.id)).where(PrintJobRow.state.in_([s.value for s in states]), printed_at(desk))
    if kinds:
        stmt = stmt.where(PrintJobRow.kind.in_([k.value for k in kinds]))
    return session.scalar(stmt) or 0


def state_counts(
    session: Session, states: Collection[JobState] = tuple(JobState), desk: str = ""
) -> dict[JobState, int]:
    """How many jobs (of `printed_at(desk)`) are in each of these states (every state present, 0 when
    none or not asked).
    Ask for the open states only where that is all that is shown: a year's print log holds 180,000
    done jobs, and the count of the asked states reads only their range of ix_print_jobs_state."""
    rows = session.execute(
        select(PrintJobRow.state, func.count(PrintJobRow.id))
        .where(PrintJobRow.state.in_(sorted(s.value for s in states)), printed_at(desk))
        .group_by(PrintJobRow.state)
    )
    found = {JobState(state): n for state, n in rows}
    return {state: found.get(state, 0) for state in JobState}


def states_of(session: Session, kind: DocKind, posting_number: str) -> set[JobState]:
    """The states the posting's jobs of this kind are in (empty: it never had one)."""
    stmt = select(PrintJobRow.state).distinct().where(PrintJobRow.kind == kind.value, _for_posting(posting_number))
    return {JobState(state) for state in session.scalars(stmt)}


def state_of(session: Session, key: str) -> JobState | None:
    """The state of one job (None: no such job)."""
    state = session.scalar(select(PrintJobRow.state).where(PrintJobRow.key == key))
    return None if state is None else JobState(state)


def next_queued(session: Session, desk: str = "") -> PrintJob | None:
    """The oldest job ready for the printer (packing order) of those `desk` prints (`printed_at`)."""
    stmt = select(PrintJobRow).where(PrintJobRow.state == JobState.QUEUED.value, printed_at(desk))
    row = session.scalar(stmt.order_by(PrintJobRow.id).limit(1))
    return None if row is None else _job(row)


def take(session: Session, key: str, desk: str) -> bool:
    """A queued job no desk asked for becomes `desk`'s before it prints: on a shared server two desks
    woken at once would both print it. True: this desk prints it (another desk took it: False)."""
    result = session.execute(
        update(PrintJobRow)
        .where(PrintJobRow.key == key, PrintJobRow.state == JobState.QUEUED.value, printed_at(desk))
        .values(desk=desk)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def label_ready(session: Session, posting_number: str, now: datetime) -> int:
    """Ozon's label arrived: its waiting jobs go to the printer. Returns how many."""
    result = session.execute(
        update(PrintJobRow)
        .where(
            PrintJobRow.state == JobState.WAITING.value,
            PrintJobRow.kind == DocKind.OZON_LABEL.value,
            _for_posting(posting_number),
        )
        .values(state=JobState.QUEUED.value, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _set(session: Session, key: str, now: datetime, **values: object) -> None:
    session.execute(update(PrintJobRow).where(PrintJobRow.key == key).values(updated_at=now, **values))


def mark_done(session: Session, key: str, now: datetime) -> None:
    _set(session, key, now, state=JobState.DONE.value, printed_at=now, last_error="", attempts=PrintJobRow.attempts + 1)


def mark_failed(session: Session, key: str, now: datetime, error: str) -> None:
    _set(session, key, now, state=JobState.FAILED.value, last_error=error, attempts=PrintJobRow.attempts + 1)


def retry(session: Session, key: str, now: datetime) -> None:
    _set(session, key, now, state=JobState.QUEUED.value)


def retry_failed(session: Session, now: datetime, desk: str = "") -> int:
    """Every failed job `desk` prints (`printed_at`) goes back in the queue (the printer may be back).
    Returns how many."""
    result = session.execute(
        update(PrintJobRow)
        .where(PrintJobRow.state == JobState.FAILED.value, printed_at(desk))
        .values(state=JobState.QUEUED.value, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def cancel(session: Session, key: str, now: datetime) -> None:
    _set(session, key, now, state=JobState.CANCELLED.value)
