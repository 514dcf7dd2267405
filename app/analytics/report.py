"""Every figure of the Analytics page for one period, read in one short session (for the UI's worker)."""

from __future__ import annotations

from dataclasses import dataclass

from app.analytics.chats import ReplyFigure, first_replies
from app.analytics.orders import OrdersFigure, orders_by_day
from app.analytics.packing import PackerErrors, packing_errors
from app.analytics.period import Period
from app.analytics.returns import ReturnsFigure, returns_by_product
from app.analytics.reviews import RatingFigure, rating_by_week
from app.analytics.shipping import ShippingFigure, shipping
from app.db.engine import Database
from app.repos import postings as postings_repo
from app.repos.postings import Choice


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    orders: OrdersFigure
    shipping: ShippingFigure
    packing: list[PackerErrors]
    replies: ReplyFigure
    returns: ReturnsFigure
    rating: RatingFigure


def read_report(db: Database, period: Period) -> Report:
    with db.read() as session:
        return Report(
            period,
            orders_by_day(session, period),
            shipping(session, period),
            packing_errors(session, period),
            first_replies(session, period),
            returns_by_product(session, period),
            rating_by_week(session, period),
        )


def read_warehouses(db: Database) -> list[Choice]:
    """The warehouses the period can be narrowed to (those the cached postings name)."""
    with db.read() as session:
        return postings_repo.warehouses(session)
