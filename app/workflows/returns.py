"""Decisions on rFBS return requests: only what Ozon offers for the request now.

Ozon lists the actions a return allows in its `available_actions` (read by the sync engine with each
change of state, `app.repos.returns.actions`); their ids are Ozon's, never Packdesk's. A decision is
checked here — the action is offered, a rejection has a reason and the comment the reason asks for,
a partial compensation has an amount within the item's price — and queued in the outbox with the
return's new local status, so it works offline and goes to Ozon once. Once the request's decision
deadline has passed Ozon decides it itself: a decision is refused (`return_decision_overdue`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app import outbox
from app.clock import Clock
from app.db.engine import Database
from app.db.tables import ReturnRow
from app.domain.returns import AUTO_OUTCOME, RejectionReason, ReturnAction, ReturnKind, countdown
from app.errors import InvalidAction, NotFound
from app.events import EventBus
from app.outbox import ActionKind, OutboxEntry, TargetKind
from app.repos import returns as return_repo
from app.workflows import changes

COMMENT_MAX = 1000


@dataclass(frozen=True, slots=True)
class ActionForm:
    """One action Ozon offers and what the seller must fill in before it can be queued."""

    action: ReturnAction
    needs_comment: bool
    needs_reason: bool
    needs_amount: bool
    max_amount: Decimal | None = None  # the item's price, for a partial compensation
    reasons: tuple[RejectionReason, ...] = ()


def forms(offered: Sequence[ReturnAction], reasons: Sequence[RejectionReason], price: Decimal) -> list[ActionForm]:
    """The decision screen's buttons: exactly Ozon's `available_actions`, each with its fields."""
    return [
        ActionForm(
            action=a,
            needs_comment=a.is_rejection,
            needs_reason=a.is_rejection,
            needs_amount=a.needs_amount,
            max_amount=price if a.needs_amount and price else None,
            reasons=tuple(reasons) if a.is_rejection else (),
        )
        for a in offered
    ]


@dataclass(frozen=True, slots=True)
class Decision:
    action_id: int
    comment: str = ""
    rejection_reason_id: int | None = None
    compensation_amount: Decimal | None = None


def decide(
    db: Database,
    clock: Clock,
    return_id: int,
    decision: Decision,
    user: str = "",
    *,
    bus: EventBus,
    desk: str = "",
) -> OutboxEntry:
    """Queue a decision on an rFBS return request; InvalidAction says what is missing or not allowed."""
    now = clock.now()
    with db.write() as s:
        row = s.scalar(
            select(ReturnRow).where(ReturnRow.kind == ReturnKind.RFBS.value, ReturnRow.return_id == return_id)
        )
        if row is None:
            raise NotFound(
                "return_unknown", f"return request {return_id} is not in the local copy", return_id=return_id
            )
        if row.local_status is not None:
            raise InvalidAction("return_pending", "a decision on this return is already waiting to be sent")
        due = countdown(row.decide_by, now)
        if due is not None and due.overdue:
            when = f"{due.deadline:%Y-%m-%d %H:%M} UTC"
            raise InvalidAction(
                "return_decision_overdue",
                f"the decision deadline of return {row.return_number or return_id} passed on {when}: "
                f"Ozon decides it itself now ({AUTO_OUTCOME} it for the buyer), so no decision is sent",
                return_id=return_id,
                deadline=when,
            )
        offered, reasons = return_repo.actions(s, return_id)
        action = next((a for a in offered if a.id == decision.action_id), None)
        if action is None:
            raise InvalidAction(
                "return_action_not_offered",
                f"Ozon does not offer this action for return {row.return_number or return_id} now",
                return_id=return_id,
            )
        (form,) = forms([action], reasons, row.price)
        payload = _payload(form, decision)
        payload["by"] = user
        if desk:
            payload["desk"] = desk  # who decided, at which desk (several desks on one server)
        entry = outbox.enqueue(s, ActionKind.RETURN_DECISION, TargetKind.RETURN, str(return_id), payload, now)
        outbox.apply_local_effect(s, entry)  # shown as decided until Ozon confirms
        done = changes.collect(s, returns=1)
    changes.publish(bus, done)
    return entry


def _payload(form: ActionForm, decision: Decision) -> dict[str, object]:
    action, price = form.action, form.max_amount or Decimal(0)
    comment = decision.comment.strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidAction("return_comment_too_long", f"the comment may have at most {COMMENT_MAX} characters")
    payload: dict[str, object] = {"action_id": action.id, "action_name": action.name}
    if comment:
        payload["comment"] = comment
    if form.needs_reason:
        reason = decision.rejection_reason_id
        if reason is None or reason not in {r.id for r in form.reasons}:
            offered = "; ".join(f"{r.id} {r.name}" for r in form.reasons)
            raise InvalidAction(
                "return_reason_needed",
                f"choose one of Ozon's reasons to reject the return (--reason-id): {offered}",
                reasons=offered,
            )
        payload["rejection_reason_id"] = reason
    if form.needs_comment and not comment:  # Ozon requires a comment with every rejection (ids -1, -10)
        raise InvalidAction("return_comment_needed", "say why the return is rejected: the buyer reads it")
    if form.needs_amount:
        amount = _amount(decision.compensation_amount)
        if amount is None or amount <= 0 or (price and amount > price):
            raise InvalidAction(
                "return_amount_invalid",
                f"the compensation must be more than 0, at most the price ({price}), to the kopeck",
            )
        payload["compensation_amount"] = float(amount)
    return payload


def _amount(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
        kopecks = amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    # Roubles and kopecks only: 100.005 is a typo, never silently rounded.
    return kopecks if kopecks.is_finite() and kopecks == amount else None
