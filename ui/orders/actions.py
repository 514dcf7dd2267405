"""Actions on the selected postings: confirm, cancel with a reason, print the pick list, print labels.

The orders page calls them through `OrderActions` on the database worker and gets an `Outcome`:
the postings done, and the ones refused with the reason (a `UserError` whose code the UI
translates). `WorkflowActions` adapts app/workflows (confirm, cancel, labels) and app.print_queue; the
workflows announce their changes on the bus themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app import desks
from app.context import AppContext
from app.errors import InvalidAction, UserError
from app.workflows import cancel as cancel_flow
from app.workflows import confirm as confirm_flow
from app.workflows import documents, labels
from ui import desk_user

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    done: tuple[str, ...] = ()
    refused: tuple[tuple[str, UserError], ...] = ()
    waiting: tuple[str, ...] = ()  # labels that print once Ozon's label is fetched


class OrderActions(Protocol):
    """What the orders page asks of the core. Runs on the database worker; never touches widgets."""

    def confirm(self, posting_numbers: Sequence[str]) -> Outcome: ...

    def cancel(self, posting_numbers: Sequence[str], reason_id: int, message: str) -> Outcome: ...

    def print_pick_list(self, posting_numbers: Sequence[str]) -> Outcome: ...

    def print_labels(self, posting_numbers: Sequence[str], reason: str) -> Outcome: ...


class WorkflowActions:
    """`OrderActions` over app/workflows and app.print_queue."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    @property
    def desk(self) -> str:
        """This desk: its spooler prints what is queued here (several desks on one server)."""
        return desks.desk_name(self.ctx.settings)

    @property
    def user(self) -> str:
        """The packer picked at this desk (else the login name): the print log says who asked."""
        return desk_user.current_user(self.ctx.paths.data)

    def confirm(self, posting_numbers: Sequence[str]) -> Outcome:
        result = confirm_flow.confirm(self.ctx.db, self.ctx.clock, posting_numbers, bus=self.ctx.bus)
        refused = tuple(
            (r.posting_number, InvalidAction(r.code, f"posting {r.posting_number}: {r.code}", status=r.status))
            for r in result.refused
        )
        return Outcome(result.taken, refused)

    def cancel(self, posting_numbers: Sequence[str], reason_id: int, message: str) -> Outcome:
        done: list[str] = []
        refused: list[tuple[str, UserError]] = []
        for number in posting_numbers:
            try:
                cancel_flow.cancel(self.ctx.db, self.ctx.clock, number, reason_id, message, bus=self.ctx.bus)
            except UserError as exc:
                refused.append((number, exc))
            else:
                done.append(number)
        return Outcome(tuple(done), tuple(refused))

    def print_pick_list(self, posting_numbers: Sequence[str]) -> Outcome:
        documents.print_pick_list(self.ctx.db, self.ctx.clock, posting_numbers, self.user, desk=self.desk)
        return Outcome(tuple(posting_numbers))

    def print_labels(self, posting_numbers: Sequence[str], reason: str) -> Outcome:
        """Ozon's label for FBS (held until it is fetched), Packdesk's own for rFBS; all or nothing.
        A label printed before is a reprint and needs a reason (`reprint_reason`)."""
        try:
            results = labels.print_labels(
                self.ctx.db,
                self.ctx.clock,
                posting_numbers,
                reason,
                bus=self.ctx.bus,
                labels_dir=self.ctx.paths.labels,
                user=self.user,
                desk=self.desk,
            )
        except UserError as exc:
            return Outcome((), tuple((n, exc) for n in posting_numbers))
        waits = {n for n, r in zip(posting_numbers, results, strict=True) if r.answer is not labels.LabelAnswer.QUEUED}
        printed = tuple(n for n in posting_numbers if n not in waits)
        return Outcome(printed, waiting=tuple(n for n in posting_numbers if n in waits))
