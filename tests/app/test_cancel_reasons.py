"""Cancel reasons: Ozon's list through the client, kept for offline use, Ozon's documented list without one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.context import AppContext, open_context
from app.orders import cancel_reasons
from app.orders.cancel_reasons import KNOWN, CancelReason
from app.repos import sync_state
from tests.app.factories import NOW


class Source:
    def cancel_reasons(self) -> list[tuple[int, str, str]]:
        return [(352, "Товар закончился", "seller"), (402, "Другое", "seller")]


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    c = open_context(str(tmp_path / "data"))
    yield c
    c.close()


def test_without_a_stored_list_ozons_documented_reasons(ctx: AppContext) -> None:
    assert cancel_reasons.load(ctx.db) == list(KNOWN) and KNOWN


def test_fetched_stored_and_loaded(ctx: AppContext) -> None:
    fetched = cancel_reasons.fetch(Source())
    assert fetched == [CancelReason(352, "Товар закончился"), CancelReason(402, "Другое")]
    cancel_reasons.store(ctx.db, fetched, NOW)
    assert cancel_reasons.load(ctx.db) == fetched
    assert [r.needs_message for r in fetched] == [r.id in cancel_reasons.MESSAGE_REQUIRED for r in fetched]


def test_an_empty_answer_keeps_the_stored_list(ctx: AppContext) -> None:
    cancel_reasons.store(ctx.db, cancel_reasons.fetch(Source()), NOW)
    cancel_reasons.store(ctx.db, [], NOW)
    assert [r.id for r in cancel_reasons.load(ctx.db)] == [352, 402]


@pytest.mark.parametrize("raw", ["not json", "{}", "[[1]]", '[["x", "t", "seller"]]', "[]"])
def test_an_unreadable_stored_list_falls_back(ctx: AppContext, raw: str) -> None:
    with ctx.db.write() as s:
        sync_state.put(s, cancel_reasons.STATE_KEY, raw, NOW)
    assert cancel_reasons.load(ctx.db) == list(KNOWN)
