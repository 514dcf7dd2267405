"""Ozon's rules limit keeping buyers' personal data: names, addresses and pickup points of finished
orders are blanked after `Settings.personal_data_days` (30 by default). The order itself, its items
and its history stay for the archive and analytics; the city stays (it names no one)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from app.db.engine import Database
from app.db.tables import ChatRow, PostingRow
from app.domain.postings import FINISHED
from app.repos import chats as chat_repo
from app.repos import returns as return_repo


def purge(db: Database, now: datetime, days: int) -> int:
    """Blank personal data of postings finished more than `days` ago; returns how many were blanked."""
    cutoff = now - timedelta(days=max(1, days))
    finished = [s.value for s in FINISHED]
    with db.write() as s:
        due = (
            PostingRow.status.in_(finished),
            PostingRow.shipment_date < cutoff,
            or_(PostingRow.customer_name != "", PostingRow.address != "", PostingRow.pvz_code != ""),
        )
        named = select(PostingRow.posting_number).where(*due, PostingRow.customer_name != "")
        chats = list(s.scalars(select(ChatRow.chat_id).where(ChatRow.posting_number.in_(named))))
        postings = s.execute(update(PostingRow).where(*due).values(customer_name="", address="", pvz_code=""))
        chat_repo.refresh(s, chats)  # their search text named the buyer
        return_repo.forget_buyers(s, cutoff)
    return int(postings.rowcount or 0)  # type: ignore[attr-defined]
