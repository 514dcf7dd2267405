"""A decision on an rFBS return, sent only while Ozon still offers it."""

from __future__ import annotations

from app.outbox import OutboxEntry, Refusal
from sync.actions.outcomes import Conflict
from sync.context import SyncContext


def apply_return(ctx: SyncContext, entry: OutboxEntry) -> None:
    """A decision on an rFBS return is a target too: Ozon lists what may be done now; an action
    no longer listed was either applied already (our lost reply) or overtaken by events."""
    p = entry.payload
    return_id, action_id = int(entry.target_id), int(p["action_id"])
    details = ctx.client.rfbs_return(return_id)
    ctx.store_return_details(details)
    if action_id not in {a.id for a in details.actions}:
        if entry.ambiguous:
            return  # our earlier attempt took effect
        name = str(p.get("action_name") or action_id)
        raise Conflict(
            f"Ozon no longer offers “{name}” for this return: it is now “{details.state_name}”", Refusal.OVERTAKEN
        )
    ctx.client.rfbs_return_action(
        return_id,
        action_id,
        comment=p.get("comment") or None,
        rejection_reason_id=p.get("rejection_reason_id"),
        compensation_amount=p.get("compensation_amount"),
    )
    ctx.store_return_details(ctx.client.rfbs_return(return_id))
