"""Returns (FBS/FBO information and rFBS requests) in the local cache."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db.tables import ReturnRow
from app.domain.returns import RejectionReason, ReturnAction, ReturnDetails, ReturnKind, ReturnRequest
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


def needing_details(session: Session) -> list[int]:
    """rFBS requests whose available actions were not read at their current state."""
    return list(
        session.scalars(
            select(ReturnRow.return_id)
            .where(ReturnRow.kind == ReturnKind.RFBS.value, ReturnRow.status != ReturnRow.details_status)
            .order_by(ReturnRow.return_id)
        )
    )


def save_details(session: Session, details: ReturnDetails) -> None:
    """What Ozon lets the seller do with an rFBS request now (and its state, fresher than the list's)."""
    values: dict[str, object] = {
        "available_actions": [{"id": a.id, "name": a.name} for a in details.actions],
        "rejection_reasons": [
            {"id": r.id, "name": r.name, "hint": r.hint, "is_comment_required": r.comment_required}
            for r in details.rejection_reasons
        ],
        "details_status": details.state,
    }
    if details.state:
        values["status"] = details.state
    if details.state_name:
        values["status_name"] = details.state_name
    session.execute(
        update(ReturnRow)
        .where(ReturnRow.kind == ReturnKind.RFBS.value, ReturnRow.return_id == details.return_id)
        .values(**values)
    )


def actions(session: Session, return_id: int) -> tuple[list[ReturnAction], list[RejectionReason]]:
    """The stored choices of an rFBS request: its available actions and rejection reasons."""
    row = session.scalar(
        select(ReturnRow).where(ReturnRow.kind == ReturnKind.RFBS.value, ReturnRow.return_id == return_id)
    )
    if row is None:
        return [], []
    acts = [ReturnAction(int(a["id"]), str(a.get("name", ""))) for a in row.available_actions or []]
    reasons = [
        RejectionReason(
            int(r["id"]), str(r.get("name", "")), str(r.get("hint", "")), bool(r.get("is_comment_required"))
        )
        for r in row.rejection_reasons or []
    ]
    return acts, reasons


def rfbs_requests(session: Session) -> list[ReturnRow]:
    """rFBS return requests, newest first (rows: read-only use, detached by the caller's session end)."""
    return list(
        session.scalars(
            select(ReturnRow)
            .where(ReturnRow.kind == ReturnKind.RFBS.value)
            .order_by(ReturnRow.created_at.desc(), ReturnRow.return_id.desc())
        )
    )
