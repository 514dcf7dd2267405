"""Returns (FBS/FBO information and rFBS requests) in the local cache."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.tables import ReturnRow
from app.domain.returns import ReturnRequest
from app.repos.upsert import upsert


def save(session: Session, returns: Sequence[ReturnRequest]) -> None:
    rows = [
        {
            "kind": r.kind.value,
            "return_id": r.return_id,
            "posting_number": r.posting_number,
            "order_number": r.order_number,
            "sku": r.sku,
            "offer_id": r.offer_id,
            "product_name": r.product_name,
            "quantity": r.quantity,
            "price": r.price,
            "currency": r.currency,
            "status": r.status,
            "status_name": r.status_name,
            "reason": r.reason,
            "created_at": r.created_at,
            "changed_at": r.changed_at,
            "return_number": r.return_number,
            "return_type": r.return_type,
            "barcode": r.barcode,
            "client_name": r.client_name,
        }
        for r in returns
    ]
    upsert(session, ReturnRow.__table__, rows, ["kind", "return_id"], keep=["local_status"])  # type: ignore[arg-type]


def fingerprints(session: Session) -> dict[tuple[str, int], tuple[str, str]]:
    """(kind, id) → (status, status name): enough to tell whether a pulled return changed."""
    rows = session.execute(select(ReturnRow.kind, ReturnRow.return_id, ReturnRow.status, ReturnRow.status_name))
    return {(kind, rid): (status, name) for kind, rid, status, name in rows}


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReturnRow)) or 0
