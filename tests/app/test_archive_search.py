"""The archive stays searchable: a delivered posting is found in the All and Delivered tabs by its
tracking number and by a marking code scanned into it (the identification code, or the whole scan)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.context import open_context
from app.db.tables import MarkingCodeRow
from app.domain.postings import PostingStatus
from app.orders import query
from app.orders.filters import OrderFilter, tab
from app.repos import postings as posting_repo
from tests.app.factories import NOW, posting

IDENT = "0104601234567893215abcdefghijkl"


def test_a_delivered_posting_is_found_by_tracking_number_and_marking_code(tmp_path: Path) -> None:
    ctx = open_context(str(tmp_path / "data"))
    try:
        with ctx.db.write() as s:
            old = posting("11111111-0001-1", PostingStatus.DELIVERED, tracking_number="RP123456789RU")
            other = posting("22222222-0001-1", PostingStatus.DELIVERED, tracking_number="RP999999999RU")
            posting_repo.save(s, [old, other], NOW - timedelta(days=200))
            s.add(
                MarkingCodeRow(
                    ident=IDENT,
                    code=f"{IDENT}\x1d93AbCd",
                    posting_number="11111111-0001-1",
                    sku=1001,
                    scanned_at=NOW - timedelta(days=200),
                )
            )
        with ctx.db.read() as s:
            for key in ("all", "delivered"):
                for text in ("RP123456789RU", "rp123456789ru", IDENT, f"{IDENT}\x1d93AbCd"):
                    wanted = OrderFilter(search=text).with_tab(tab(key))
                    assert query.posting_numbers(s, wanted, now=NOW) == ["11111111-0001-1"], (key, text)
            assert query.posting_numbers(s, OrderFilter(search="RP1234").with_tab(tab("cancelled")), now=NOW) == []
    finally:
        ctx.close()
