"""The status bar's numbers: actions waiting, refused, and the last good sync kept across starts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import outbox, sync_status
from app.context import AppContext, open_context
from app.outbox import ActionKind, TargetKind
from app.repos import sync_state
from app.sync_status import Snapshot
from tests.app.factories import NOW


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    c = open_context(str(tmp_path / "data"))
    yield c
    c.close()


def test_counts_and_last_sync(ctx: AppContext) -> None:
    assert sync_status.read(ctx.db) == Snapshot(0, 0, None)
    with ctx.db.write() as s:
        for n in range(3):
            entry = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, f"{n}-1-1", {}, NOW)
        outbox.mark_conflict(s, entry.key, NOW, "refused")
    at = NOW - timedelta(minutes=5)
    with ctx.db.write() as s:
        sync_status.record_sync(s, at)
    assert sync_status.read(ctx.db) == Snapshot(2, 1, at)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-03-01T10:00:00", datetime(2026, 3, 1, 10, tzinfo=UTC)), ("yesterday", None), ("", None)],
)
def test_a_stored_time_without_zone_is_utc_and_garbage_is_none(ctx: AppContext, raw: str, expected: object) -> None:
    with ctx.db.write() as s:
        sync_state.put(s, sync_status.LAST_SYNC_KEY, raw, NOW)
    assert sync_status.read(ctx.db).last_sync_at == expected
