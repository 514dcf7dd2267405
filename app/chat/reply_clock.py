"""The 24-hour reply clock: Ozon expects a seller to answer a buyer within a day.

The clock of a buyer chat starts at the buyer's first message that no seller message has answered
yet and stops when the seller answers (a reply still waiting in the outbox counts: the seller did
answer, and a reply that fails starts the clock again).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.chats import AuthorType

REPLY_WITHIN = timedelta(hours=24)
SOON = timedelta(hours=4)  # orange
URGENT = timedelta(hours=1)  # red, like an overdue one


class Urgency(StrEnum):
    NONE = "none"  # nothing waits for the seller
    OK = "ok"
    SOON = "soon"
    URGENT = "urgent"
    OVERDUE = "overdue"


def awaiting_since(messages: Iterable[tuple[AuthorType, datetime]]) -> datetime | None:
    """When the buyer's unanswered messages began (messages oldest first); None when answered."""
    since = None
    for author, at in messages:
        if author is AuthorType.CUSTOMER:
            since = since or at
        elif author is AuthorType.SELLER:
            since = None
    return since


def reply_due(since: datetime | None) -> datetime | None:
    return None if since is None else since + REPLY_WITHIN


def urgency(due: datetime | None, now: datetime) -> Urgency:
    if due is None:
        return Urgency.NONE
    left = due - now
    if left <= timedelta(0):
        return Urgency.OVERDUE
    if left < URGENT:
        return Urgency.URGENT
    if left < SOON:
        return Urgency.SOON
    return Urgency.OK


def waits(messages: Iterable[tuple[AuthorType, datetime]]) -> list[tuple[datetime, datetime | None]]:
    """Every wait of a buyer chat as (started, replied or None), messages oldest first: a buyer message
    that finds nothing unanswered starts one, the next seller message ends it (the Analytics page's
    first-reply figure; support and system messages neither start nor stop a wait)."""
    found: list[tuple[datetime, datetime | None]] = []
    since = None
    for author, at in messages:
        if author is AuthorType.CUSTOMER:
            since = since or at
        elif author is AuthorType.SELLER and since is not None:
            found.append((since, at))
            since = None
    if since is not None:
        found.append((since, None))
    return found
