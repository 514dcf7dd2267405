"""Auto-replies after the chat pull (app/chat/autoreply.py): the replies are queued in the outbox and
sent by this cycle's push, like any message."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.chat import autoreply
from app.domain.chats import ChatMessage
from app.errors import UserError
from app.events import ChatsChanged
from sync.context import SyncContext

log = logging.getLogger(__name__)


def answer(ctx: SyncContext, messages: Sequence[ChatMessage]) -> list[autoreply.LogEntry]:
    """Run the rules on the messages this pull brought; what fired (sent, suggested or refused)."""
    if not messages:
        return []
    try:
        with ctx.db.write() as s:
            fired = autoreply.answer_new(s, messages, ctx.clock.now(), ctx.work_hours)
    except UserError as exc:  # e.g. a broken intent rule set: the pull itself stays good
        log.warning("auto-replies skipped: %s", exc)
        return []
    for entry in fired:
        log.info("auto-reply %s in chat %s (rule %s)", entry.outcome, entry.chat_id, entry.rule_id)
    if any(entry.outbox_key for entry in fired):
        ctx.bus.publish(ChatsChanged(frozenset(e.chat_id for e in fired if e.outbox_key)))
    return fired
