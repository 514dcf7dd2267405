"""Returns (FBS/FBO information and rFBS requests) in the local cache."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db.tables import ReturnRow
from app.domain.returns import (
    RejectionReason,
    ReturnAction,
    ReturnDetails,
    ReturnKind,
    ReturnRequest,
    deadline,
    stage,
)
from app.repos.upsert import upsert

Fingerprint = tuple[str, str, str, str]


def search_text(*values: object) -> str:
    """The folded search column of a return: numbers, SKU, offer id, product and buyer names."""
    return "\n".join(str(v) for v in values if v not in (None, "", 0)).casefold()


def fingerprint(r: ReturnRequest) -> Fingerprint:
    """Enough to tell whether a pulled return changed (where it is counts as a change)."""
    return (r.status, r.status_name, r.group, r.place)


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
            "status_group": r.group,
            "place": r.place,
            "storage_from": r.storage_from,
            "decide_by": deadline(r.kind, r.status, r.group, r.created_at, r.changed_at),
            "stage": stage(r.kind, r.status, r.group).value,
            "sort_at": r.changed_at or r.created_at,
            "search_text": search_text(
                r.return_id,
                r.return_number,
                r.posting_number,
                r.order_number,
                r.sku,
                r.offer_id,
                r.product_name,
                r.client_name,
                r.barcode,
            ),
        }
        for r in returns
    ]
    upsert(session, ReturnRow.__table__, rows, ["kind", "return_id"], keep=["local_status"])  # type: ignore[arg-type]


def fingerprints(session: Session) -> dict[tuple[str, int], Fingerprint]:
    """(kind, id) → what `fingerprint` takes of a return, as stored."""
    rows = session.execute(
        select(
            ReturnRow.kind,
            ReturnRow.return_id,
            ReturnRow.status,
            ReturnRow.status_name,
            ReturnRow.status_group,
            ReturnRow.place,
        )
    )
    return {(kind, rid): (status, name, group, place) for kind, rid, status, name, group, place in rows}


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
        "buyer_comment": details.comment,
        "photos": list(details.photos),
    }
    if details.reason:
        values["reason"] = details.reason
    where = (ReturnRow.kind == ReturnKind.RFBS.value, ReturnRow.return_id == details.return_id)
    stored = session.execute(select(ReturnRow.status, ReturnRow.created_at).where(*where)).first()
    if details.state and stored is not None and details.state != stored.status:
        # Moved on since the list was read: its group is stale until the next list read.
        values["status_group"] = ""
        values["decide_by"] = deadline(ReturnKind.RFBS, details.state, "", stored.created_at, None)
        values["stage"] = stage(ReturnKind.RFBS, details.state, "").value
    if details.state:
        values["status"] = details.state
    if details.state_name:
        values["status_name"] = details.state_name
    session.execute(update(ReturnRow).where(*where).values(**values))


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


def forget_buyers(session: Session, cutoff: datetime) -> None:
    """Blank the buyer's name of requests older than `cutoff`, in the search column too."""
    named = session.execute(
        select(
            ReturnRow.id,
            ReturnRow.return_id,
            ReturnRow.return_number,
            ReturnRow.posting_number,
            ReturnRow.order_number,
            ReturnRow.sku,
            ReturnRow.offer_id,
            ReturnRow.product_name,
            ReturnRow.barcode,
        ).where(ReturnRow.client_name != "", ReturnRow.created_at < cutoff)
    ).all()
    for row_id, *values in named:
        session.execute(
            update(ReturnRow).where(ReturnRow.id == row_id).values(client_name="", search_text=search_text(*values))
        )


def restage(session: Session) -> None:
    """Rows without a stage (written before it was kept) get theirs."""
    for row_id, kind, status, group in session.execute(
        select(ReturnRow.id, ReturnRow.kind, ReturnRow.status, ReturnRow.status_group).where(ReturnRow.stage == "")
    ):
        session.execute(update(ReturnRow).where(ReturnRow.id == row_id).values(stage=stage(kind, status, group).value))
