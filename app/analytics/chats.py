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

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from app.analytics.period import (
    Period,
    bucket_expr,
    bucket_start,
    by_local_day,
    in_period,
    percentile,
    seconds_between,
    share,
)
from app.chat.reply_clock import REPLY_WITHIN
from app.db.tables import ChatMessageRow, ChatRow, PostingRow
from app.domain.chats import AuthorType, ChatType


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
    m = ChatMessageRow
    customer, seller = AuthorType.CUSTOMER.value, AuthorType.SELLER.value
    chats = select(ChatRow.chat_id).where(ChatRow.chat_type == ChatType.BUYER_SELLER.value)
    if period.warehouse_id is not None:
        chats = chats.join(PostingRow, PostingRow.posting_number == ChatRow.posting_number).where(
            PostingRow.warehouse_id == period.warehouse_id
        )
    # Buyer and seller messages of the chats with a buyer message in the period (and the replies after it).
    order = (m.created_at, m.message_id)
    talk = (
        select(
            m.author,
            m.created_at,
            func.lag(m.author).over(partition_by=m.chat_id, order_by=order).label("before"),
            func.min(case((m.author == seller, m.created_at), else_=None))
            .over(partition_by=m.chat_id, order_by=order, rows=(0, None))
            .label("reply"),
        )
        .where(
            m.author.in_((customer, seller)),
            m.chat_id.in_(chats),
            m.chat_id.in_(select(m.chat_id).where(in_period(m.created_at, period), m.author == customer)),
        )
        .subquery()
    )
    starts = (
        select(talk.c.created_at.label("at"), talk.c.reply.label("reply"))
        .where(talk.c.author == customer, or_(talk.c.before.is_(None), talk.c.before == seller))
        .where(in_period(talk.c.created_at, period))
        .subquery()
    )
    seconds = seconds_between(session, starts.c.at, starts.c.reply)
    minutes = func.round(seconds / 60.0)
    limit = REPLY_WITHIN.total_seconds()
    expired_before = period.as_of - REPLY_WITHIN
    counted = or_(starts.c.reply.is_not(None), starts.c.at <= expired_before)
    bucket = bucket_expr(session, starts.c.at)
    is_counted = case((counted, 1), else_=0)
    # One statement (the windows over the chats' messages are the cost): the waits still in time come
    # back as their own groups.
    found = session.execute(
        select(
            bucket,
            func.coalesce(minutes, literal(-1)),
            func.count(),
            func.sum(case((and_(starts.c.reply.is_not(None), seconds <= limit), 1), else_=0)),
            is_counted,
        ).group_by(bucket, minutes, is_counted)
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
