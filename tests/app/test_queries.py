"""Reads the screens run on the database worker (app/queries)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.context import AppContext, open_context
from app.domain.postings import PostingStatus, Requirement, Requirements
from app.queries import handover, showcase
from app.repos import postings as posting_repo
from tests.app.factories import NOW, posting


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    c = open_context(str(tmp_path / "data"))
    yield c
    c.close()


def marks(*skus: int) -> Requirements:
    return Requirements({Requirement.MANDATORY_MARK: frozenset(skus)})


def test_posting_needing_marks(ctx: AppContext) -> None:
    assert showcase.posting_needing_marks(ctx.db) is None
    with ctx.db.write() as s:
        posting_repo.save(
            s,
            [
                posting("10000001-0001-1"),
                posting("10000002-0001-1", status=PostingStatus.DELIVERED, requirements=marks(1001)),
                posting("10000003-0001-1", requirements=marks(1001)),
            ],
            NOW,
        )
    assert showcase.posting_needing_marks(ctx.db) == "10000003-0001-1"


def test_parcel_by_code(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        posting_repo.save(s, [posting("10000001-0001-1", scanit="ii1234"), posting("10000002-0001-1")], NOW)
    assert handover.numbers_for_code(ctx.db, "II1234") == ["10000001-0001-1"]
    assert handover.numbers_for_code(ctx.db, "10000002-0001-1") == ["10000002-0001-1"]
    assert handover.numbers_for_code(ctx.db, "0") == []
    assert handover.awaiting(ctx.db) == []  # nothing packed yet
