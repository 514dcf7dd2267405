"""Posting actions (ship, cancel, tracking number, rFBS delivery steps) as target states: the posting
is re-read before the call, so one that took effect already is done and one overtaken by events is a
conflict. The ship first sends the box count and the marking codes / customs numbers Ozon needs."""

from __future__ import annotations

import json

from app.domain.postings import FINISHED, SHIPPED_OR_LATER, Posting, PostingStatus
from app.outbox import ActionKind, OutboxEntry, Refusal
from app.repos import sync_state
from sync import exemplars, methods
from sync.actions.outcomes import Conflict, NotReady
from sync.context import SyncContext
from sync.errors import InvalidStateError, ServerError

EXEMPLAR_CHECK_S = 3.0  # Ozon checks marking codes in a few seconds

# rFBS steps: action → Ozon method.
RFBS_STEPS = {
    ActionKind.DELIVERING: methods.RFBS_DELIVERING,
    ActionKind.LAST_MILE: methods.RFBS_LAST_MILE,
    ActionKind.DELIVERED: methods.RFBS_DELIVERED,
}


# Order actions are target states: read first, send only if still needed.
def apply_posting(ctx: SyncContext, entry: OutboxEntry) -> None:
    number = entry.target_id
    if entry.action is ActionKind.APPROVE:  # a row from before 0004; new ones are never queued
        raise Conflict("Ozon has no method to approve an rFBS order: it moves on by itself")
    current = ctx.client.get_posting(number)
    ctx.store_posting(current)
    if reached(entry, current):
        ctx.forget(f"ship.{entry.key}")
        return
    if current.status is PostingStatus.CANCELLED and entry.action is not ActionKind.CANCEL:
        raise cancelled(current)
    if not source_ok(entry, current):
        raise Conflict(
            f"posting {number} is {current.status.value}; {entry.action.value} is not possible", Refusal.OVERTAKEN
        )
    try:
        send(ctx, entry, current)
    except InvalidStateError:
        # Ozon refused over the posting's state: it changed since the read above (a buyer cancelled
        # it, another desk shipped it). What it is now decides, as if read before the call.
        fresh = ctx.client.get_posting(number)
        ctx.store_posting(fresh)
        if reached(entry, fresh):
            ctx.forget(f"ship.{entry.key}")
            return
        if fresh.status is PostingStatus.CANCELLED:
            raise cancelled(fresh) from None
        raise
    after = ctx.client.get_posting(number)
    ctx.store_posting(after)
    if after.substatus == "ship_failed":
        # Ozon accepted the call but the assembly failed: call again later (2026 behaviour).
        raise ServerError("Ozon reported ship_failed; will retry", path=methods.SHIP)
    ctx.forget(f"ship.{entry.key}")


def cancelled(posting: Posting) -> Conflict:
    """The conflict of an action on a posting Ozon cancelled (its label and further boxes go with it)."""
    reason = posting.cancel_reason or "no reason given"
    return Conflict(f"posting {posting.posting_number} was cancelled ({reason}); do not ship it", Refusal.CANCELLED)


def send(ctx: SyncContext, entry: OutboxEntry, current: Posting) -> None:
    """The call that moves the posting (the ship after its preparation, the cancel, an rFBS step)."""
    number, payload = entry.target_id, entry.payload
    if entry.action is ActionKind.SHIP:
        prepare_ship(ctx, entry, current)
        packages = [[(int(sku), int(qty)) for sku, qty in pkg] for pkg in payload["packages"]]
        ctx.client.ship(number, packages)
    elif entry.action is ActionKind.SET_TRACKING:
        ctx.client.set_tracking_number(number, str(payload["tracking_number"]))
    elif entry.action in RFBS_STEPS:
        ctx.client.rfbs_step(RFBS_STEPS[entry.action], number)
    elif entry.action is ActionKind.CANCEL:
        ctx.client.cancel(number, int(payload["reason_id"]), str(payload.get("message", "")))


def prepare_ship(ctx: SyncContext, entry: OutboxEntry, posting: Posting) -> None:
    """Before the ship call: the box count of a multi-box posting, then the marking codes and
    customs numbers, and Ozon's check of them. Each step is done once (kept in sync_state)."""
    number = entry.target_id
    name = f"ship.{entry.key}"
    with ctx.db.read() as s:
        state = json.loads(sync_state.get(s, name) or "{}")
    unhandled = posting.requirements.unhandled()
    if unhandled:
        kinds = ", ".join(sorted(k.value for k in unhandled))
        raise Conflict(
            f"Ozon needs data Packdesk cannot send yet ({kinds}) for posting {number}: "
            "complete it in Ozon's seller cabinet",
            Refusal.CABINET,
        )
    boxes = int(entry.payload.get("multi_box_qty") or 0)
    if posting.is_multibox and boxes and not state.get("boxes"):  # Ozon wants it set before the ship
        ctx.client.set_box_count(number, boxes)
        state["boxes"] = True
        ctx.keep_state(name, state)
    units = entry.payload.get("exemplars") or {}
    if not posting.requirements.kinds():
        return
    if not units:
        raise Conflict(
            f"Ozon needs the marking codes or customs numbers of posting {number}: pack it at the pack station",
            Refusal.DATA,
        )
    if not state.get("exemplars"):
        info = ctx.client.exemplars(number)
        problem = exemplars.unit_count_problem(info, units)
        if problem:
            raise Conflict(f"the units of posting {number} do not match Ozon's: {problem}", Refusal.DATA)
        ctx.client.set_exemplars(number, exemplars.request_products(info, units), max(boxes, 1))
        state["exemplars"] = True
        ctx.keep_state(name, state)
        raise NotReady("Ozon is checking the marking codes", delay=EXEMPLAR_CHECK_S)
    status = ctx.client.exemplar_status(number)
    if status.status == exemplars.SHIP_AVAILABLE:
        return
    refused = exemplars.refusals(status)
    if status.status == exemplars.NOT_AVAILABLE or refused:
        ctx.forget(name)  # a retry (after the seller fixed a code) sends the set again
        details = "; ".join(refused) or "some unit lacks its marking code or customs number"
        raise Conflict(f"Ozon refused the data of posting {number}: {details}", Refusal.DATA)
    if entry.attempts > 40:
        raise Conflict(f"Ozon has been checking the marking codes of {number} for too long ({status.status})")
    raise NotReady(f"Ozon is checking the marking codes ({status.status})", delay=EXEMPLAR_CHECK_S)


def reached(entry: OutboxEntry, posting: Posting) -> bool:
    """The posting is where the action would take it already."""
    status = posting.status
    action = entry.action
    if action is ActionKind.SHIP:
        return status in SHIPPED_OR_LATER
    if action is ActionKind.SET_TRACKING:
        return posting.tracking_number == str(entry.payload["tracking_number"])
    if action is ActionKind.DELIVERING:
        return status in (PostingStatus.DELIVERING, PostingStatus.DELIVERED)
    if action is ActionKind.LAST_MILE:
        return posting.substatus == "posting_in_courier_service" or status is PostingStatus.DELIVERED
    if action is ActionKind.DELIVERED:
        return status is PostingStatus.DELIVERED
    if action is ActionKind.CANCEL:
        return status is PostingStatus.CANCELLED
    return False


def source_ok(entry: OutboxEntry, posting: Posting) -> bool:
    """The posting is in a status the action can start from."""
    status = posting.status
    action = entry.action
    if action is ActionKind.SHIP:
        return status is PostingStatus.AWAITING_PACKAGING
    if action is ActionKind.SET_TRACKING:
        return status not in FINISHED
    if action is ActionKind.DELIVERING:
        return status is PostingStatus.AWAITING_DELIVER
    if action in (ActionKind.LAST_MILE, ActionKind.DELIVERED):
        return status is PostingStatus.DELIVERING
    if action is ActionKind.CANCEL:
        return status in (
            PostingStatus.AWAITING_PACKAGING,
            PostingStatus.AWAITING_DELIVER,
            PostingStatus.AWAITING_APPROVE,
        )
    return True
