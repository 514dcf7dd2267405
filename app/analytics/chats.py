"""First-reply time in buyer chats, against Ozon's 24 hours (app/chat/reply_clock.py).

The clock of a buyer chat starts at a buyer message that finds nothing unanswered (the chat's first
message from the buyer, or the first after a seller message) and stops at the next seller message (a
reply still in the outbox counts). Support and system messages neither start nor stop it. The figure
covers the waits that started in the period: how many, how many were answered within 24 hours, and the
median and 90th percentile of the time to the reply (the waits answered). A wait still open counts as
not answered within 24 hours once its 24 hours have run out (as of the period's `now`), and is left out
while it still has time. With a warehouse chosen, only chats about that warehouse's postings count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from app.analytics.period import (
    Period,
    bucket_expr,
    bucket_start,
    by_local_day,
    in_period,
    percentile,
    share,
)
from app.chat.reply_clock import REPLY_WITHIN
from app.db.tables import ChatRow, ChatWaitRow, PostingRow


@dataclass(frozen=True, slots=True)
class DayReplies:
    day: date  # local day the wait started
    waits: int  # counted waits (answered, or open past 24 h)
    within_24h: int
    median: timedelta | None  # of the answered waits that started that day


@dataclass(frozen=True, slots=True)
class ReplyFigure:
    days: list[DayReplies]
    waits: int
    within_24h: int
    open_in_time: int  # still waiting, 24 h not over: not counted yet
    median: timedelta | None
    p90: timedelta | None

    @property
    def within_24h_share(self) -> float | None:
        return share(self.within_24h, self.waits)


def first_replies(session: Session, period: Period) -> ReplyFigure:
    """From the stored waits (app.repos.chat_waits), read by their start from ix_chat_waits_started."""
    w = ChatWaitRow
    where = [in_period(w.started_at, period)]
    if period.warehouse_id is not None:
        where.append(
            w.chat_id.in_(
                select(ChatRow.chat_id)
                .join(PostingRow, PostingRow.posting_number == ChatRow.posting_number)
                .where(PostingRow.warehouse_id == period.warehouse_id)
            )
        )
    minutes = func.round(w.seconds / 60.0)
    limit = REPLY_WITHIN.total_seconds()
    expired_before = period.as_of - REPLY_WITHIN
    counted = or_(w.seconds.is_not(None), w.started_at <= expired_before)
    bucket = bucket_expr(session, w.started_at)
    is_counted = case((counted, 1), else_=0)
    # The waits still in time come back as their own groups.
    found = session.execute(
        select(
            bucket,
            func.coalesce(minutes, literal(-1)),
            func.count(),
            func.sum(case((w.seconds <= limit, 1), else_=0)),
            is_counted,
        )
        .where(*where)
        .group_by(bucket, minutes, is_counted)
    ).tuples()
    rows = []
    open_in_time = 0
    for b, mins, n, ok, was_counted in found:
        if was_counted:
            rows.append((b, mins, n, ok))
        else:
            open_in_time += int(n)
    total: dict[int, int] = {}
    per_day: dict[date, dict[int, int]] = {}
    waits = by_local_day(period, ((b, n, ok) for b, _m, n, ok in rows))
    for b, mins, n, _ok in rows:
        if int(mins) < 0:  # open past 24 h: no reply time
            continue
        total[int(mins)] = total.get(int(mins), 0) + int(n)
        spread = per_day.setdefault(period.local_day(bucket_start(b)), {})
        spread[int(mins)] = spread.get(int(mins), 0) + int(n)
    days = []
    for day in period.days:
        n, ok = waits.get(day, [0.0, 0.0])
        median = percentile(per_day.get(day, {}), 0.5)
        days.append(DayReplies(day, int(n), int(ok), None if median is None else timedelta(minutes=median)))
    median, p90 = percentile(total, 0.5), percentile(total, 0.9)
    return ReplyFigure(
        days,
        sum(d.waits for d in days),
        sum(d.within_24h for d in days),
        int(open_in_time),
        None if median is None else timedelta(minutes=median),
        None if p90 is None else timedelta(minutes=p90),
    )
