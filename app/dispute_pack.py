"""A posting's dispute pack: everything Packdesk knows about it, for one PDF to send Ozon or a court.

    pack = dispute_pack.read(db, "12345678-0001-1", paths.labels)
    data = printing.documents.dispute_pack.dispute_pack_pdf(pack, now)

The facts and the timeline (every scan, marking code, print, action and the handover) are the
escalation's (`app.chat.escalation.gather`); added here: the print jobs, the buyer chat as plain
text, the returns linked to the posting with what the returns desk saw, and the files Ozon sent and
Packdesk cached (the posting's label, the handover acts), as PDF bytes to merge as pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import label_files, print_queue
from app.chat.escalation import EscalationFacts, gather
from app.db.engine import Database
from app.db.tables import ReturnReceiptRow, ReturnRow
from app.print_queue import DocKind, JobState
from app.repos import chats


@dataclass(frozen=True, slots=True)
class ChatLine:
    at: datetime
    author: str  # customer, seller, support, …
    text: str  # plain text; a picture is "[image] <addresses>"


@dataclass(frozen=True, slots=True)
class ReturnInfo:
    kind: str
    return_id: int
    status: str  # Ozon's status name (or code)
    reason: str
    sku: int
    offer_id: str
    product_name: str
    quantity: int
    created_at: datetime | None
    changed_at: datetime | None
    receipts: tuple[str, ...]  # what the returns desk recorded, one line each


@dataclass(frozen=True, slots=True)
class PrintInfo:
    kind: str
    state: str
    is_reprint: bool
    reason: str
    user: str
    created_at: datetime
    printed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A cached file to add as pages: Ozon's label or a handover act (PDF bytes)."""

    title: str
    pdf: bytes


@dataclass(frozen=True, slots=True)
class DisputePack:
    facts: EscalationFacts
    chat_id: str
    chat: tuple[ChatLine, ...]
    returns: tuple[ReturnInfo, ...]
    prints: tuple[PrintInfo, ...]
    attachments: tuple[Attachment, ...]

    @property
    def posting_number(self) -> str:
        return self.facts.posting_number


def _chat(session: Session, posting_number: str, order_number: str) -> tuple[str, tuple[ChatLine, ...]]:
    chat_id = chats.chat_of(session, posting_number, order_number)
    if not chat_id:
        return "", ()
    lines = []
    for m in chats.messages(session, chat_id):
        text = m.text
        if m.is_image:
            text = " ".join(["[image]", *m.image_urls, text]).strip()
        lines.append(ChatLine(m.created_at, str(getattr(m.author, "value", m.author)), text))
    return chat_id, tuple(lines)


def _returns(session: Session, posting_number: str) -> tuple[ReturnInfo, ...]:
    rows = session.scalars(
        select(ReturnRow).where(ReturnRow.posting_number == posting_number).order_by(ReturnRow.created_at)
    ).all()
    found = []
    for r in rows:
        receipts = session.scalars(
            select(ReturnReceiptRow)
            .where(ReturnReceiptRow.kind == r.kind, ReturnReceiptRow.return_id == r.return_id)
            .order_by(ReturnReceiptRow.received_at)
        ).all()
        lines = tuple(
            " · ".join(
                x
                for x in (
                    rc.received_at.strftime("%d.%m.%Y %H:%M UTC"),
                    f"{rc.grade}, {rc.disposition}",
                    rc.note,
                    f"codes: {', '.join(str(m.get('ident', '')) for m in rc.marks)}" if rc.marks else "",
                    "codes differ from the shipped ones" if rc.flagged else "",
                    rc.user,
                )
                if x
            )
            for rc in receipts
        )
        found.append(
            ReturnInfo(
                r.kind,
                r.return_id,
                r.status_name or r.status,
                r.reason,
                r.sku,
                r.offer_id,
                r.product_name,
                r.quantity,
                r.created_at,
                r.changed_at,
                lines,
            )
        )
    return tuple(found)


def gather_pack(session: Session, posting_number: str, labels_dir: Path | None) -> DisputePack | None:
    """None when the posting is not in the local cache."""
    facts = gather(session, posting_number)
    if facts is None:
        return None
    chat_id, chat = _chat(session, posting_number, facts.order_number)
    jobs = print_queue.jobs_of(session, posting_number, list(DocKind), list(JobState))
    prints = tuple(
        PrintInfo(j.kind.value, j.state.value, j.is_reprint, j.reason, j.user, j.created_at, j.printed_at) for j in jobs
    )
    attachments: list[Attachment] = []
    if labels_dir is not None:
        if label_files.has(labels_dir, posting_number):
            attachments.append(Attachment("Этикетка Ozon", label_files.load(labels_dir, posting_number)))
        for job in jobs:
            if job.kind is DocKind.ACT and (act := label_files.load_act(labels_dir, job.key)) is not None:
                attachments.append(Attachment("Акт приёма-передачи", act))
    return DisputePack(facts, chat_id, chat, _returns(session, posting_number), prints, tuple(attachments))


def read(db: Database, posting_number: str, labels_dir: Path | None) -> DisputePack | None:
    with db.read() as session:
        return gather_pack(session, posting_number, labels_dir)
