"""Products: the ones postings mention that the cache lacks, and a daily re-read of those still to
be packed (a seller may add or fix a barcode on Ozon)."""

from __future__ import annotations

from datetime import timedelta

from app.repos import postings as posting_repo
from app.repos import products as product_repo
from sync.context import SyncContext
from sync.cycle import CycleResult

PRODUCT_REFRESH = timedelta(days=1)
PRODUCT_REFRESH_BATCH = 1000  # one products call per cycle at most


def pull_products(ctx: SyncContext, result: CycleResult) -> None:
    with ctx.db.read() as s:
        missing = posting_repo.skus(s) - product_repo.known_skus(s)
        # A seller may add or fix a barcode on Ozon: products still to be packed are re-read daily.
        stale = product_repo.stale_skus(s, ctx.clock.now() - PRODUCT_REFRESH)
        if stale:  # only then the heavier look at what is still to be packed
            stale &= posting_repo.open_skus(s)
    wanted = missing | set(sorted(stale)[:PRODUCT_REFRESH_BATCH])
    if not wanted:
        return
    found = ctx.client.products_by_sku(wanted)
    with ctx.db.write() as s:
        product_repo.save(s, found, ctx.clock.now())
    result.products += len(found)
