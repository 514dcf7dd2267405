"""Review ratings by week: how many reviews were published and their average rating (1–5).

Weeks run Monday to Sunday in the seller's time zone, counted by `published_at`; a week partly
outside the period counts only its days inside. Reviews belong to a product, not to a warehouse: the
warehouse filter does not apply to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.analytics.period import Period, day_sums, week_start
from app.db.tables import ReviewRow


@dataclass(frozen=True, slots=True)
class WeekRating:
    week: date  # the Monday
    reviews: int
    average: float | None  # None: no review that week


@dataclass(frozen=True, slots=True)
class RatingFigure:
    weeks: list[WeekRating]  # every week the period touches
    reviews: int
    average: float | None


def rating_by_week(session: Session, period: Period) -> RatingFigure:
    """A local day at a time from the index ix_reviews_published_rating alone."""
    r = ReviewRow
    per_day = day_sums(session, period, r.published_at, [func.count(), func.sum(r.rating)], [r.rating > 0])
    weeks: dict[date, list[float]] = {week_start(d): [0.0, 0.0] for d in period.days}
    for day, (n, ratings) in per_day.items():
        acc = weeks[week_start(day)]
        acc[0] += n
        acc[1] += ratings
    out = [WeekRating(w, int(n), total / n if n else None) for w, (n, total) in sorted(weeks.items())]
    count = sum(w.reviews for w in out)
    total = sum(acc[1] for acc in weeks.values())
    return RatingFigure(out, count, total / count if count else None)
