"""Returns at scale: 50,000 FBS/FBO returns and rFBS requests cached.

Targets (issue 11): the list opens (ids in order + the first page of rows) under 300 ms, a filter or a
search under 100 ms. Each figure is the median of five runs; times in ms, as the Returns page reads
them (app.returns.listing).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.bench.timing import median_ms, report

RETURNS = 50_000
PAGE = 100
FBS_STATUSES = ("MovingToSeller", "ArrivedAtReturnPlace", "ReceivedBySeller", "OnSellerApproval", "Utilized")
RFBS_STATES = (
    ("ON_APPROVAL", "New"),
    ("AWAITING_RETURN", "Delivering"),
    ("RECEIVED", "Checkout"),
    ("MONEY_RETURNED", "Approved"),
)


def _fill(ctx: Any, now: datetime) -> None:
    from app.domain.returns import ReturnKind, ReturnRequest
    from app.repos import returns as return_repo

    rng = random.Random(11)
    for start in range(0, RETURNS, 1000):
        batch = []
        for n in range(start, min(start + 1000, RETURNS)):
            rfbs = n % 10 == 0
            at = now - timedelta(hours=rng.uniform(1, 24 * 90))
            status, group = rng.choice(RFBS_STATES) if rfbs else (rng.choice(FBS_STATUSES), "")
            kind = ReturnKind.RFBS if rfbs else ReturnKind.FBO if n % 7 == 0 else ReturnKind.FBS
            batch.append(
                ReturnRequest(
                    return_id=10**9 + n,
                    kind=kind,
                    posting_number=f"{40_000_000 + n}-0001-1",
                    order_number=f"{40_000_000 + n}-0001",
                    sku=1_000_000 + n % 3000,
                    offer_id=f"ART-{n % 3000}",
                    product_name=f"Товар {n % 3000} синий",
                    quantity=1,
                    price=Decimal("1290.00"),
                    currency="RUB",
                    status=status,
                    status_name=status,
                    reason="Не подошёл размер",
                    created_at=at,
                    changed_at=None if rfbs else at,
                    return_number=f"RET-{n:06d}" if rfbs else "",
                    return_type="" if rfbs else "ClientReturn",
                    barcode="" if rfbs else f"ii{n:010d}",
                    client_name="Анна Смирнова" if rfbs else "",
                    group=group,
                    place="" if rfbs else "СЦ_Москва_Возвраты",
                )
            )
        with ctx.db.write() as s:
            return_repo.save(s, batch)


def main() -> bool:
    from app.context import open_context
    from app.domain.returns import ReturnKind, Stage
    from app.returns import listing
    from app.returns.listing import ReturnFilter

    with tempfile.TemporaryDirectory() as folder:
        ctx = open_context(folder)
        try:
            now = datetime.now(UTC)
            start = time.perf_counter()
            _fill(ctx, now)
            print(f"cached {RETURNS:,} returns in {time.perf_counter() - start:.1f} s")

            def run(wanted: ReturnFilter) -> Callable[[], int]:
                def go() -> int:
                    found = listing.read_listing(ctx.db, wanted, now, PAGE)
                    assert len(found.first_rows) == min(PAGE, len(found.ids))
                    return len(found.ids)

                return go

            checks = [
                ("open the list (all)", run(ReturnFilter()), 300.0),
                ("needs a decision", run(ReturnFilter(stage=Stage.NEEDS_DECISION)), 100.0),
                ("on the way back", run(ReturnFilter(stage=Stage.ON_THE_WAY)), 100.0),
                ("arrived", run(ReturnFilter(stage=Stage.ARRIVED)), 100.0),
                ("closed", run(ReturnFilter(stage=Stage.CLOSED)), 100.0),
                ("overdue", run(ReturnFilter(overdue=True)), 100.0),
                ("rFBS only", run(ReturnFilter(kind=ReturnKind.RFBS)), 100.0),
                ("search a posting number", run(ReturnFilter(search="40012345-0001")), 100.0),
                ("search a SKU", run(ReturnFilter(search="1002345")), 100.0),
                ("search a buyer (10 %)", run(ReturnFilter(search="смирнова")), 100.0),
                ("scan a parcel barcode", run(ReturnFilter(search="ii0000012341")), 100.0),
                ("stage counts", lambda: sum(listing.read_stage_counts(ctx.db, ReturnFilter(), now).values()), 100.0),
            ]
            ok = True
            for name, fn, target in checks:
                ms, result = median_ms(fn)
                ok &= report(name, ms, target, result)
        finally:
            ctx.close()
    return ok
