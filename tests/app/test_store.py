"""The local store: migrations, the one writer, upserts that keep local intents."""

from __future__ import annotations

import threading
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app import outbox
from app.context import AppContext, open_context
from app.db import migrate
from app.domain.postings import PostingStatus
from app.errors import DatabaseTooNew
from app.outbox import OutboxState
from app.repos import postings
from tests.app.factories import NOW, posting


def test_migrations_create_the_schema_at_head(ctx: AppContext) -> None:
    assert migrate.current_revision(ctx.db) == migrate.head_revision()
    tables = set(inspect(ctx.db.writer).get_table_names())
    assert {
        "postings",
        "posting_items",
        "products",
        "product_barcodes",
        "chats",
        "chat_messages",
        "returns",
        "reviews",
        "questions",
        "outbox",
        "sync_state",
        "alembic_version",
    } <= tables


@pytest.mark.sqlite_only
def test_pragmas_wal_foreign_keys_full_sync(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_a_newer_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    first = open_context(str(tmp_path))
    with first.db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    first.close()
    with pytest.raises(DatabaseTooNew, match="newer Packdesk"):
        open_context(str(tmp_path))


def test_reopening_an_existing_database_keeps_data(tmp_path: Path) -> None:
    first = open_context(str(tmp_path))
    with first.db.write() as s:
        postings.save(s, [posting()], NOW)
    first.close()
    second = open_context(str(tmp_path))
    with second.db.read() as s:
        assert postings.count(s) == 1
    second.close()


def test_upsert_replaces_remote_fields_and_items_but_keeps_the_local_intent(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings.save(s, [posting()], NOW)
        entry = outbox.enqueue(s, outbox.ActionKind.SHIP, outbox.TargetKind.POSTING, "12345678-0001-1", {}, NOW)
        outbox.apply_local_effect(s, entry)
    changed = posting(status=PostingStatus.CANCELLED, items=((1001, 3),))
    with ctx.db.write() as s:
        postings.save(s, [changed], NOW)
    with ctx.db.read() as s:
        got = postings.get(s, "12345678-0001-1")
    assert got is not None
    assert got.posting.status is PostingStatus.CANCELLED
    assert [(i.sku, i.quantity) for i in got.posting.products] == [(1001, 3)]
    assert got.posting.products[0].price == Decimal("499.00")
    assert got.local_status == "awaiting_deliver"


def test_a_failed_write_rolls_back_everything(ctx: AppContext) -> None:
    with pytest.raises(RuntimeError), ctx.db.write() as s:
        postings.save(s, [posting()], NOW)
        raise RuntimeError("power cut in the middle")
    with ctx.db.read() as s:
        assert postings.count(s) == 0


def test_concurrent_writers_are_serialised_without_lock_errors(ctx: AppContext) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                with ctx.db.write() as s:
                    postings.save(s, [posting(f"{10000000 + n}-{i:04d}-1")], NOW)
        except BaseException as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with ctx.db.read() as s:
        assert postings.count(s) == 80


def test_list_is_sorted_by_ship_by_and_filters_by_shown_status(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings.save(
            s,
            [
                posting("11111111-0001-1", ship_in_hours=50),
                posting("22222222-0001-1", ship_in_hours=-3),
                posting("33333333-0001-1", status=PostingStatus.DELIVERED, ship_in_hours=10),
            ],
            NOW,
        )
    with ctx.db.read() as s:
        numbers = [c.posting.posting_number for c in postings.list_postings(s)]
        delivered = [c.posting.posting_number for c in postings.list_postings(s, ozon_status="delivered")]
    assert numbers == ["22222222-0001-1", "33333333-0001-1", "11111111-0001-1"]
    assert delivered == ["33333333-0001-1"]


def test_find_by_label_barcode(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings.save(s, [posting(lower_barcode="23024930500000", upper_barcode="%101%806044518")], NOW)
    with ctx.db.read() as s:
        for code in ("23024930500000", "%101%806044518", "12345678-0001-1"):
            found = postings.find_by_barcode(s, code)
            assert found is not None and found.posting.posting_number == "12345678-0001-1"
        assert postings.find_by_barcode(s, "nope") is None


@pytest.mark.sqlite_only
def test_upgrade_from_the_first_schema_keeps_the_data(tmp_path: Path) -> None:
    from alembic import command

    from app.db.engine import Database, sqlite_url

    db = Database(sqlite_url(str(tmp_path / "packdesk.sqlite3")))
    command.upgrade(migrate._config(db), "0001")
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO postings (posting_number, order_number, order_id, status, substatus, delivery_method_id,"
                " delivery_method_name, warehouse_id, warehouse_name, tpl_provider, tpl_integration_type,"
                " tracking_number,"
                " is_express, customer_name, city, address, pvz_code, upper_barcode, lower_barcode, cancel_reason,"
                " available_actions) VALUES ('1-1-1', '1-1', 1, 'awaiting_packaging', '', 0, '', 0, '', '', 'ozon', '',"
                " 0, '', '', '', '', '', '', '', 'ship')"
            )
        )
    db.dispose()
    ctx = open_context(str(tmp_path))
    try:
        assert migrate.current_revision(ctx.db) == migrate.head_revision() != "0001"
        with ctx.db.read() as s:
            got = postings.get(s, "1-1-1")
        assert got is not None and got.posting.available_actions == ("ship",)
        with ctx.db.read() as s:  # 0003 filled the search column of rows that were already there
            assert s.execute(text("SELECT search_text FROM postings")).scalar() == "1-1-1\n1-1"
    finally:
        ctx.close()


def test_the_tables_match_the_migrations(ctx: AppContext) -> None:
    """A column added to app/db/tables.py without its migration (or the reverse) is caught here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.db.tables import Base

    with ctx.db.writer.connect() as conn, warnings.catch_warnings():
        # ix_postings_listing is on expressions: SQLAlchemy cannot reflect it (alembic skips it too).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


@pytest.mark.sqlite_only
def test_upgrade_to_0004_drops_queued_approvals_and_keeps_the_postings(tmp_path: Path) -> None:
    from alembic import command

    from app.db.engine import Database, sqlite_url

    db = Database(sqlite_url(str(tmp_path / "packdesk.sqlite3")))
    command.upgrade(migrate._config(db), "0003")
    now = "2026-11-30 10:00:00"
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO postings (posting_number, order_number, order_id, status, substatus, delivery_method_id,"
                " delivery_method_name, warehouse_id, warehouse_name, tpl_provider, tpl_integration_type,"
                " tracking_number, is_express, customer_name, city, address, pvz_code, upper_barcode, lower_barcode,"
                " cancel_reason, available_actions, local_status, search_text) VALUES ('2-1-1', '2-1', 2,"
                " 'awaiting_approve', '', 0, '', 0, '', '', 'non_integrated', '', 0, '', '', '', '', '', '123', '',"
                " 'cancel', 'awaiting_packaging', '2-1-1')"
            )
        )
        s.execute(
            text(
                "INSERT INTO outbox (key, action, target_kind, target_id, payload, state, attempts, ambiguous,"
                " next_attempt_at, last_error, created_at, updated_at) VALUES ('k1', 'approve', 'posting', '2-1-1',"
                f" '{{}}', 'pending', 3, 0, '{now}', '', '{now}', '{now}')"
            )
        )
    db.dispose()
    ctx = open_context(str(tmp_path))
    try:
        with ctx.db.read() as s:
            got = postings.get(s, "2-1-1")
            (entry,) = outbox.entries(s)
        assert got is not None and got.local_status is None  # shown as Ozon has it: awaiting approval
        assert got.posting.scanit == "" and got.posting.lower_barcode == "123" and not got.posting.requirements.kinds()
        assert entry.state is OutboxState.FAILED and "no method to approve" in entry.last_error
        with ctx.db.read() as s:  # an old database's barcodes are found like new ones
            assert [c.posting.posting_number for c in postings.find_by_code(s, "123")] == ["2-1-1"]
    finally:
        ctx.close()


@pytest.mark.sqlite_only
def test_upgrade_to_0010_indexes_the_postings_of_every_print_job(tmp_path: Path) -> None:
    from alembic import command

    from app import print_queue
    from app.db.engine import Database, sqlite_url
    from app.print_queue import DocKind, JobState

    db = Database(sqlite_url(str(tmp_path / "packdesk.sqlite3")))
    command.upgrade(migrate._config(db), "0009")
    now = "2026-11-30 10:00:00"
    with db.write() as s:
        for key, kind, numbers in (
            ("k1", "picklist", "1-1-1 2-1-1"),
            ("k2", "ozon_label", "2-1-1"),
            ("k3", "commands", ""),
        ):
            s.execute(
                text(
                    "INSERT INTO print_jobs (key, kind, posting_numbers, printer, state, attempts, last_error,"
                    " is_reprint, reason, user, created_at, updated_at) VALUES (:key, :kind, :numbers, '', 'done', 1,"
                    " '', 0, '', '', :now, :now)"
                ),
                {"key": key, "kind": kind, "numbers": numbers, "now": now},
            )
    migrate.upgrade(db)
    try:
        with db.read() as s:
            kinds = (list(DocKind), list(JobState))
            assert [j.key for j in print_queue.jobs_of(s, "1-1-1", *kinds)] == ["k1"]
            assert [j.key for j in print_queue.jobs_of(s, "2-1-1", *kinds)] == ["k1", "k2"]
            assert print_queue.printed_before(s, DocKind.OZON_LABEL, "2-1-1")
            assert not print_queue.has_job(s, DocKind.OZON_LABEL, "1-1-1")
            assert not print_queue.jobs_of(s, "1-1", *kinds)  # a number inside another is not a match
        with db.write() as s:
            job = print_queue.enqueue(s, DocKind.PICKLIST, ("3-1-1", "1-1-1", "3-1-1"), NOW)
        with db.read() as s:
            assert [j.id for j in print_queue.jobs_of(s, "3-1-1", *kinds)] == [job.id]
            assert [j.key for j in print_queue.jobs_of(s, "1-1-1", *kinds)] == ["k1", job.key]
    finally:
        db.dispose()
