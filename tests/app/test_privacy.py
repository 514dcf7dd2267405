"""Buyers' personal data of finished orders is blanked after the configured period."""

from __future__ import annotations

from datetime import timedelta

from app.context import AppContext
from app.domain.postings import PostingStatus
from app.repos import postings
from app.workflows import privacy
from tests.app.factories import NOW, posting


def test_only_old_finished_postings_lose_personal_data(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings.save(
            s,
            [
                posting(
                    "11111111-0001-1",
                    status=PostingStatus.DELIVERED,
                    ship_in_hours=-24 * 40,
                    address="ул. Ленина, 1",
                    pvz_code="PVZ-1",
                ),
                posting(
                    "22222222-0001-1", status=PostingStatus.CANCELLED, ship_in_hours=-24 * 10, address="ул. Мира, 2"
                ),
                posting(
                    "33333333-0001-1",
                    status=PostingStatus.AWAITING_DELIVER,
                    ship_in_hours=-24 * 40,
                    address="ул. Гагарина, 3",
                ),
            ],
            NOW,
        )
    assert privacy.purge(ctx.db, NOW, days=30) == 1
    with ctx.db.read() as s:
        old = postings.get(s, "11111111-0001-1").posting  # type: ignore[union-attr]
        recent = postings.get(s, "22222222-0001-1").posting  # type: ignore[union-attr]
        open_ = postings.get(s, "33333333-0001-1").posting  # type: ignore[union-attr]
    assert (old.customer_name, old.address, old.pvz_code) == ("", "", "")
    assert old.city == "Казань" and old.products  # the order stays for the archive and analytics
    assert recent.customer_name == "Иван Петров" and recent.address == "ул. Мира, 2"
    assert open_.customer_name == "Иван Петров"  # still being delivered: needed for the work
    assert privacy.purge(ctx.db, NOW + timedelta(days=25), days=30) == 1  # the cancelled one's turn
