"""The shop's packing desks on one shared database: each desk's name, who packs there, when it
was last seen, and which desk leads the sync (talks to Ozon for the shop). The lock that elects the
leader is the server's (sync/leader.py); this module keeps what every desk can read about it."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db.desk_tables import DeskRow
from app.db.engine import Database
from app.settings import Settings

# A desk not seen for this long is gone (its window closed, its computer off): it leads nothing.
GONE_AFTER = timedelta(seconds=30)


def desk_name(settings: Settings) -> str:
    """The name this desk goes by: Settings → Database, else the computer's name with four hex digits
    of its network card's address. Two computers with one default name ("ubuntu", "DESKTOP") would
    otherwise be one desk to the others, and each would pack the other's posting."""
    name = settings.desk_name.strip()
    if name:
        return name
    try:
        host = socket.gethostname().split(".")[0][:50] or "Desk"
    except OSError:
        host = "Desk"
    return f"{host}-{uuid.getnode() & 0xFFFF:04X}"


@dataclass(frozen=True, slots=True)
class Desk:
    name: str
    packer: str
    seen_at: datetime
    leading_since: datetime | None


def printing_desk(db: Database, name: str) -> str:
    """Whose print jobs the desk `name` prints and shows (print_queue.printed_at): on a shared server
    its own (and those no desk asked for); on SQLite "" — one desk, every job, as before desks had names."""
    return "" if db.is_sqlite else name


def check_in(s: Session, name: str, packer: str, now: datetime, *, leading: bool | None = None) -> None:
    """This desk is here (and, when `leading` is given, leads the sync or not)."""
    row = s.get(DeskRow, name, with_for_update=True)
    if row is None:
        row = DeskRow(name=name, packer=packer, seen_at=now, leading_since=None)
        s.add(row)
    row.packer, row.seen_at = packer, now
    if leading is True and row.leading_since is None:
        s.execute(update(DeskRow).where(DeskRow.name != name).values(leading_since=None))
        row.leading_since = now
    elif leading is False:
        row.leading_since = None


def leader(s: Session, now: datetime) -> Desk | None:
    """The desk leading the sync now (None: no desk leads, or the last one is gone)."""
    row = s.scalars(
        select(DeskRow).where(DeskRow.leading_since.is_not(None)).order_by(DeskRow.leading_since.desc()).limit(1)
    ).first()
    if row is None or now - row.seen_at > GONE_AFTER:
        return None
    return Desk(row.name, row.packer, row.seen_at, row.leading_since)


def live_count(s: Session, now: datetime) -> int:
    """The desks seen within GONE_AFTER (this one included once it checked in)."""
    return int(s.scalar(select(func.count()).select_from(DeskRow).where(DeskRow.seen_at >= now - GONE_AFTER)) or 0)


def all_desks(s: Session) -> list[Desk]:
    return [
        Desk(r.name, r.packer, r.seen_at, r.leading_since) for r in s.scalars(select(DeskRow).order_by(DeskRow.name))
    ]


def read_leader(db: Database, now: datetime) -> Desk | None:
    """The desk leading the sync, read in a session of its own (for the window's status bar)."""
    with db.read() as s:
        return leader(s, now)
