"""`main.py orders` and the Orders table list the same postings for the same filter: one query."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

import main
from app.context import AppContext
from app.domain.postings import PostingStatus
from app.orders.filters import OrderFilter
from tests.ui.factories import make_posting, save, set_local_status
from ui.orders.table_model import OrdersTableModel


def seed(ctx: AppContext) -> None:
    save(
        ctx,
        [
            make_posting(1, ship_in=timedelta(hours=30)),
            make_posting(2, ship_in=timedelta(hours=-3)),
            make_posting(3, ship_in=None),  # no ship-by date: listed last
            make_posting(4, ship_in=timedelta(hours=5)),  # packed here, Ozon not told yet
            make_posting(5, status=PostingStatus.AWAITING_DELIVER, scanit="ii5000005"),
            make_posting(6, status=PostingStatus.DELIVERED, ship_in=timedelta(days=-4)),
            make_posting(7, status=PostingStatus.CANCELLED),
            make_posting(8, status=PostingStatus.AWAITING_DELIVER, ship_in=timedelta(hours=1)),
        ],
    )
    set_local_status(ctx, make_posting(4).posting_number, "awaiting_deliver")


def cli_numbers(ctx: AppContext, capsys: pytest.CaptureFixture[str], *options: str) -> list[str]:
    code = main.main(["--data-dir", str(ctx.paths.data), "orders", *options, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [p["posting_number"] for p in json.loads(out)]


def table_numbers(model: OrdersTableModel, wanted: OrderFilter) -> list[str]:
    model.set_filter(wanted)
    return [number for row in range(model.rowCount()) if (number := model.posting_number(row)) is not None]


@pytest.mark.parametrize(
    ("options", "wanted"),
    [
        ((), OrderFilter()),
        (("--status", "awaiting_packaging"), OrderFilter(statuses=frozenset({"awaiting_packaging"}))),
        (("--status", "awaiting_deliver"), OrderFilter(statuses=frozenset({"awaiting_deliver"}))),
        (("--status", "cancelled"), OrderFilter(statuses=frozenset({"cancelled"}))),
        (("--barcode", "II5000005"), OrderFilter(code="II5000005")),  # scanned with Caps Lock on
        (
            ("--barcode", make_posting(4).posting_number, "--status", "awaiting_deliver"),
            OrderFilter(statuses=frozenset({"awaiting_deliver"}), code=make_posting(4).posting_number),
        ),
        (("--barcode", "0"), OrderFilter(code="0")),
    ],
)
def test_cli_and_orders_table_agree(
    ctx: AppContext,
    qtbot: QtBot,
    capsys: pytest.CaptureFixture[str],
    options: tuple[str, ...],
    wanted: OrderFilter,
) -> None:
    seed(ctx)
    model = OrdersTableModel(ctx.db, ctx.clock)
    assert cli_numbers(ctx, capsys, *options) == table_numbers(model, wanted)


def test_a_pending_action_moves_the_posting_in_both(ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    """The status is the one the seller sees: a posting packed here is no longer 'awaiting packaging'."""
    seed(ctx)
    packed = make_posting(4).posting_number
    assert packed not in cli_numbers(ctx, capsys, "--status", "awaiting_packaging")
    assert packed in cli_numbers(ctx, capsys, "--status", "awaiting_deliver")
    everything = cli_numbers(ctx, capsys)
    assert len(everything) == 8 and everything[-1] == make_posting(3).posting_number
