"""Handover: create the carriage, approve it, fetch its act. Creating is not idempotent, so each
step's result is kept in sync_state under the action's key; a retry resumes after it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from app import label_files, outbox, print_queue
from app.events import PostingsChanged
from app.outbox import ActionKind, OutboxEntry, Refusal
from app.repos import sync_state
from sync.actions.outcomes import Conflict, NotReady
from sync.context import SyncContext
from sync.cycle import OVERLAP
from sync.errors import InvalidStateError, NotFoundError, ValidationError

ACT_POLL_S = 5.0


def open_carriage(ctx: SyncContext, delivery_method_id: int, since: datetime | None) -> int | None:
    """A carriage of this delivery method not yet approved (created since `since`, if given)."""
    now = ctx.clock.now()
    start = (since or now - timedelta(days=7)) - OVERLAP
    for act in ctx.client.acts(start, now + timedelta(days=1), statuses=("new",)):
        created_ok = since is None or act.created_at is None or act.created_at >= since - OVERLAP
        if act.delivery_method_id == delivery_method_id and act.status == "new" and created_ok:
            return act.carriage_id
    return None


def apply_carriage(ctx: SyncContext, entry: OutboxEntry) -> None:
    payload = entry.payload
    method_id = int(payload["delivery_method_id"])
    numbers = frozenset(str(n) for n in payload.get("posting_numbers", []))
    name = f"carriage.{entry.key}"
    with ctx.db.read() as s:
        unsent = any(
            e.action is ActionKind.SHIP and e.target_id in numbers for e in outbox.entries(s, outbox.OPEN_STATES)
        )
        state = json.loads(sync_state.get(s, name) or "{}")
    if unsent:
        raise NotReady("waiting for the ship calls of its postings")
    if "id" not in state and entry.ambiguous:
        # Our create may have reached Ozon with its reply lost: look for that carriage first.
        found = open_carriage(ctx, method_id, entry.created_at)
        if found is not None:
            state = {"id": found}
            ctx.keep_state(name, state)
    if "id" not in state:
        state = {"id": create_carriage(ctx, method_id, numbers)}
        ctx.keep_state(name, state)
    carriage_id = int(state["id"])
    if not state.get("approved"):
        containers = payload.get("containers_count")  # a row queued before 0004 counted them then
        if payload.get("trusted_acceptance"):
            # Counted now, after the ships: each posting in the carriage is a cargo place, a
            # multi-box posting one per box, the further boxes of a split posting included.
            containers = sum(p.multi_box_qty for p in ctx.client.act_postings(carriage_id))
        try:
            ctx.client.approve_carriage(carriage_id, int(containers) if containers else None)
        except InvalidStateError:
            # Our approve may have gone through with its reply lost: a carriage past `new` is approved.
            if ctx.client.carriage(carriage_id).status == "new":
                raise
        state["approved"] = True
        ctx.keep_state(name, state)
    act = ctx.client.act_status(carriage_id)
    if not act.ready:
        status = act.status.strip().lower()
        if status == "cancelled":
            ctx.forget(name)
            raise Conflict(f"Ozon cancelled carriage {carriage_id}; create the handover again", Refusal.OVERTAKEN)
        raise NotReady(f"Ozon is preparing the act ({act.status})", delay=ACT_POLL_S)
    pdf = ctx.client.act_pdf(carriage_id)
    job_key = str(payload.get("print_job", ""))
    # The printing side finds Ozon's act by its print job: <labels>/act-<job key>.pdf.
    label_files.store_act(ctx.labels_dir, job_key or str(carriage_id), pdf)
    # Ozon put every packed posting of the method in the carriage (not only ours): re-read them,
    # a substatus change does not show in the next incremental pull.
    carried = {p.posting_number for p in ctx.client.act_postings(carriage_id)} | numbers
    for number in sorted(carried):
        ctx.store_posting(ctx.client.get_posting(number))
    now = ctx.clock.now()
    with ctx.db.write() as s:
        if print_queue.state_of(s, job_key) is print_queue.JobState.WAITING:
            print_queue.retry(s, job_key, now)  # waiting → queued: the act can be printed now
        sync_state.clear(s, name)
    ctx.bus.publish(PostingsChanged(frozenset(carried)))


def create_carriage(ctx: SyncContext, method_id: int, numbers: frozenset[str]) -> int:
    try:
        return ctx.client.create_carriage(method_id, ctx.clock.now())
    except (NotFoundError, InvalidStateError, ValidationError) as exc:
        if "POSTING_NOT_FOUND" not in exc.message.upper():
            raise
    # Nothing new to put in a carriage: the postings sit in an open one already (ours after a
    # lost reply, or one made in the seller cabinet). Continue with it, our postings in it.
    found = open_carriage(ctx, method_id, None)
    if found is None:
        raise Conflict(
            "Ozon has no packed posting of this delivery method outside a carriage: "
            "they may have been handed over already",
            Refusal.OVERTAKEN,
        )
    listed = {p.posting_number for p in ctx.client.act_postings(found)}
    if not numbers <= listed:
        refused = ctx.client.set_carriage_postings(found, sorted(listed | numbers))
        if refused:
            detail = "; ".join(f"{n}: {why}" for n, why in sorted(refused.items()))
            raise Conflict(f"Ozon would not add these postings to carriage {found}: {detail}")
    return found
