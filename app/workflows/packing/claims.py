"""A posting on a pack station is claimed by that desk: on a shop's shared database another desk is
told who has it ("being packed at Desk 2 by Ли Вэй") and refuses to pack it. A claim without a scan
for `STALE_AFTER` (the desk died, the packer left) can be taken over, with a confirmation, logged.

The claim is the posting's `pack_progress` row: its `desk` and `packer`, its `updated_at` the last
scan. Two desks scanning one posting at the same moment: the row is inserted "if absent" and then
read locked (`FOR UPDATE` on PostgreSQL), so one desk wins and the other sees the winner's claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.desk_tables import PackProgressRow
from app.repos import upsert
from app.workflows.packing.outcomes import PackState

STALE_AFTER = timedelta(minutes=5)
_HELD = (PackState.OPEN.value, PackState.STOPPED.value)


@dataclass(frozen=True, slots=True)
class Holder:
    """Another desk that has the posting on its station."""

    desk: str
    packer: str
    last_scan: datetime
    stale: bool  # no scan for STALE_AFTER: may be taken over

    @property
    def detail(self) -> str:
        """For ScanOutcome.detail: desk and packer, tab-separated (both are names people typed)."""
        return f"{self.desk}\t{self.packer}"


def split_detail(detail: str) -> tuple[str, str]:
    desk, _, packer = detail.partition("\t")
    return desk, packer


def claim_row(s: Session, number: str, desk: str, packer: str, now: datetime) -> tuple[PackProgressRow, Holder | None]:
    """The posting's row, locked until commit, and the other desk holding it (None: this desk may
    pack it; a new row is claimed for this desk)."""
    insert = upsert.dialect_insert(s)
    s.execute(
        insert(PackProgressRow)
        .values(
            posting_number=number,
            state=PackState.ABORTED.value,  # nothing on any desk yet; _open decides what it becomes
            packages=[],
            override_reason="",
            customs={},
            started_at=now,
            updated_at=now,
            desk=desk,
            packer=packer,
        )
        .on_conflict_do_nothing(index_elements=["posting_number"])
    )
    row = s.scalars(
        select(PackProgressRow)
        .where(PackProgressRow.posting_number == number)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if row.state in _HELD and row.desk not in ("", desk):
        return row, Holder(row.desk, row.packer, row.updated_at, now - row.updated_at >= STALE_AFTER)
    return row, None


def holder_elsewhere(s: Session, number: str, desk: str) -> Holder | None:
    """The other desk that took this desk's posting over meanwhile (None: still this desk's)."""
    row = s.get(PackProgressRow, number, populate_existing=True)
    # The session holds its rows weakly: kept, the step's own write to this row reads it no second time.
    s.info.setdefault("claim_rows", []).append(row)
    if row is None or row.desk in ("", desk):
        return None
    return Holder(row.desk, row.packer, row.updated_at, False)
