"""Named sync bookkeeping values (cursors, windows, pauses), written in the same transaction as
the rows they describe so an interrupted pull resumes exactly where it stopped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db.tables import SyncStateRow
from app.repos.upsert import upsert


def get(session: Session, name: str, default: str = "") -> str:
    value = session.scalar(select(SyncStateRow.value).where(SyncStateRow.name == name))
    return default if value is None else value


def put(session: Session, name: str, value: str, now: datetime) -> None:
    upsert(session, SyncStateRow.__table__, [{"name": name, "value": value, "updated_at": now}], ["name"])  # type: ignore[arg-type]


def clear(session: Session, *names: str) -> None:
    session.execute(delete(SyncStateRow).where(SyncStateRow.name.in_(names)))
