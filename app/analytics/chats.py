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

from sqlalchemy import and_, case, func, join
from sqlalchemy.orm import Session

from app.analytics.period import Period, day_groups, percentile, share
from app.chat.reply_clock import REPLY_WITHIN
from app.db.tables import ChatWaitRow, PostingRow


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
    """From the stored waits (app.repos.chat_waits) a local day at a time, read from ix_chat_waits_started:
    per day the answered ones by minutes, and the open ones (minutes NULL) split by their 24 hours."""
    w = ChatWaitRow
    source = None
    if period.warehouse_id is not None:  # the warehouse of the chat's posting (kept on the wait), looked up
        of_posting = (PostingRow.posting_number == w.posting_number, PostingRow.warehouse_id == period.warehouse_id)
        source = join(w, PostingRow, and_(*of_posting))  # ix_postings_number_warehouse
    within = case((w.seconds <= REPLY_WITHIN.total_seconds(), 1), else_=0)
    expired = case((w.started_at <= period.as_of - REPLY_WITHIN, 1), else_=0)
    found = day_groups(
        session, period, w.started_at, w.minutes, [func.count(), func.sum(within), func.sum(expired)], source=source
    )
    open_in_time = 0
    total: dict[int, int] = {}
    days = []
    for day in period.days:
        spread: dict[int, int] = {}
        waits = within_24h = 0
        for minutes, (n, ok, past_24h) in found.get(day, {}).items():
            if minutes is None:  # still open: counted (as not answered in time) once its 24 hours are over
                waits += past_24h
                open_in_time += n - past_24h
                continue
            waits += n
            within_24h += ok
            spread[int(minutes)] = spread.get(int(minutes), 0) + n
            total[int(minutes)] = total.get(int(minutes), 0) + n
        median = percentile(spread, 0.5)
        days.append(DayReplies(day, waits, within_24h, None if median is None else timedelta(minutes=median)))
    median, p90 = percentile(total, 0.5), percentile(total, 0.9)
    return ReplyFigure(
        days,
        sum(d.waits for d in days),
        sum(d.within_24h for d in days),
        open_in_time,
        None if median is None else timedelta(minutes=median),
        None if p90 is None else timedelta(minutes=p90),
    )
