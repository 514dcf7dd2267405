"""The spooler: queued jobs are rendered from the local cache, sent, and logged; a printer that is
off or hangs leaves the job failed with a readable reason, to retry, never lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app import history, label_files, print_queue
from app.context import AppContext
from app.history import EventKind
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from printing import render, sinks, spooler
from printing.render import Format, Output
from tests.app.factories import NOW
from tests.printing.conftest import LONG_NUMBER, decoded, sample_postings, sample_products, zpl_images
from tests.printing.printers import CapturePrinter, HangingPrinter, refused_address

RFBS = "12345678-0001-1"


@pytest.fixture
def printer() -> Iterator[CapturePrinter]:
    p = CapturePrinter()
    yield p
    p.close()


@pytest.fixture
def desk(ctx: AppContext, printer: CapturePrinter) -> AppContext:
    with ctx.db.write() as s:
        posting_repo.save(s, sample_postings(), NOW)
        product_repo.save(s, list(sample_products().values()), NOW)
    ctx.settings = ctx.settings.replace(label_printer=printer.address, label_format="zpl", label_dpi=203)
    return ctx


def enqueue(ctx: AppContext, kind: DocKind, *numbers: str, reason: str = "", printer: str = "") -> print_queue.PrintJob:
    with ctx.db.write() as s:
        return print_queue.enqueue(s, kind, numbers, NOW, reason=reason, user="anna", printer=printer)


def job(ctx: AppContext, key: str) -> print_queue.PrintJob:
    with ctx.db.read() as s:
        return next(j for j in print_queue.jobs(s) if j.key == key)


def events(ctx: AppContext, number: str) -> list[history.PostingEvent]:
    with ctx.db.read() as s:
        return history.of(s, number)


def test_a_queued_label_is_printed_and_logged(desk: AppContext, printer: CapturePrinter) -> None:
    queued = enqueue(desk, DocKind.OWN_LABEL, RFBS)
    result = spooler.print_next(desk)
    assert result is not None and result.ok, result
    with desk.db.read() as s:
        posting = posting_repo.get(s, RFBS)
    assert posting is not None
    expected = render.label([posting.posting], Output(Format.ZPL))
    assert printer.wait_for_jobs(1) == [expected]  # byte for byte what the renderer makes
    done = job(desk, queued.key)
    assert done.state is JobState.DONE and done.printed_at is not None and done.attempts == 1
    (event,) = events(desk, RFBS)
    assert event.kind is EventKind.PRINT and event.user == "anna" and "own_label" in event.detail
    assert spooler.print_next(desk) is None


def test_a_second_print_is_a_reprint_with_its_reason(desk: AppContext, printer: CapturePrinter) -> None:
    enqueue(desk, DocKind.OWN_LABEL, RFBS)
    assert spooler.print_next(desk).ok  # type: ignore[union-attr]
    again = enqueue(desk, DocKind.OWN_LABEL, RFBS, reason="label torn")
    assert again.is_reprint
    assert spooler.print_next(desk).ok  # type: ignore[union-attr]
    kinds = [(e.kind, e.detail) for e in events(desk, RFBS)]
    assert kinds[-1][0] is EventKind.REPRINT and "label torn" in kinds[-1][1]
    assert len(printer.wait_for_jobs(2)) == 2


def test_a_refused_printer_fails_the_job_which_prints_on_retry(desk: AppContext, printer: CapturePrinter) -> None:
    address = refused_address()
    queued = enqueue(desk, DocKind.OWN_LABEL, RFBS, printer=address)
    result = spooler.print_next(desk)
    assert result is not None and not result.ok
    failed = job(desk, queued.key)
    assert failed.state is JobState.FAILED and failed.attempts == 1
    assert "refused the connection" in failed.last_error and "switched on" in failed.last_error
    assert events(desk, RFBS)[-1].kind is EventKind.PRINT_FAILED
    assert spooler.print_next(desk) is None  # failed jobs wait for the seller, they are not retried blindly
    # The printer is back (here: the job goes to the working one); retry prints it.
    with desk.db.write() as s:
        print_queue.retry(s, queued.key, NOW)
    result = spooler.print_next(desk, sink_for=lambda _target: sinks.open_sink(printer.address))
    assert result is not None and result.ok
    assert job(desk, queued.key).state is JobState.DONE and job(desk, queued.key).attempts == 2
    assert len(printer.wait_for_jobs(1)) == 1


def test_a_hanging_printer_fails_the_job_with_a_clear_message(desk: AppContext) -> None:
    hanging = HangingPrinter()
    try:
        queued = enqueue(desk, DocKind.OWN_LABEL, RFBS)
        result = spooler.print_next(
            desk, sink_for=lambda _target: sinks.TcpSink("127.0.0.1", hanging.port, finish_timeout=0.3)
        )
    finally:
        hanging.close()
    assert result is not None and not result.ok
    failed = job(desk, queued.key)
    assert failed.state is JobState.FAILED and "did not finish receiving" in failed.last_error


def test_print_pending_stops_at_a_dead_printer_and_keeps_the_rest_queued(desk: AppContext) -> None:
    desk.settings = desk.settings.replace(label_printer=refused_address())
    keys = [enqueue(desk, DocKind.OWN_LABEL, n).key for n in (RFBS, LONG_NUMBER)]
    results = spooler.print_pending(desk)
    assert [r.ok for r in results] == [False]
    assert [job(desk, k).state for k in keys] == [JobState.FAILED, JobState.QUEUED]


def test_ozon_label_from_the_cache_and_a_clear_failure_until_it_is_there(
    desk: AppContext, printer: CapturePrinter
) -> None:
    queued = enqueue(desk, DocKind.OZON_LABEL, LONG_NUMBER)
    result = spooler.print_next(desk)
    assert result is not None and not result.ok
    assert job(desk, queued.key).last_error == f"Ozon's label for {LONG_NUMBER} has not been downloaded yet"
    # The sync engine caches it; this stands in for Ozon's PDF.
    ozon_pdf = render.label([sample_postings()[0]], Output(Format.PDF))
    label_files.store(desk.paths.labels, LONG_NUMBER, ozon_pdf)
    with desk.db.write() as s:
        print_queue.retry(s, queued.key, NOW)
    assert spooler.print_next(desk).ok  # type: ignore[union-attr]
    (data,) = printer.wait_for_jobs(1)
    (image,) = zpl_images(data, 599, 959, 203)
    assert LONG_NUMBER in decoded(image)


def test_documents_go_to_the_document_printer_as_pdf(desk: AppContext, tmp_path: Path) -> None:
    target = tmp_path / "picklist.pdf"
    desk.settings = desk.settings.replace(document_printer=str(target))
    enqueue(desk, DocKind.PICKLIST, LONG_NUMBER, RFBS)
    enqueue(desk, DocKind.ACT, LONG_NUMBER, RFBS, printer=str(tmp_path / "act.pdf"))
    results = spooler.print_pending(desk)
    assert [r.ok for r in results] == [True, True]
    assert target.read_bytes().startswith(b"%PDF") and (tmp_path / "act.pdf").is_file()
    width, height = pdfium.PdfDocument(target.read_bytes())[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_every_kind_renders(desk: AppContext, printer: CapturePrinter) -> None:
    for kind in (DocKind.SLIP, DocKind.COMMANDS, DocKind.TEST, DocKind.OWN_LABEL):
        enqueue(desk, kind, *(() if kind in (DocKind.COMMANDS, DocKind.TEST) else (LONG_NUMBER, RFBS)))
    results = spooler.print_pending(desk)
    assert all(r.ok for r in results) and len(results) == 4
    # ZPL jobs: labels, after the lines a batch stores in the printer first (`~DG`).
    assert all(job.startswith((b"^XA", b"~DG")) and b"^XA" in job for job in printer.wait_for_jobs(4))


def test_no_printer_set_up_and_unknown_postings_fail_readably(desk: AppContext) -> None:
    desk.settings = desk.settings.replace(label_printer="")
    queued = enqueue(desk, DocKind.OWN_LABEL, RFBS)
    spooler.print_next(desk)
    assert job(desk, queued.key).last_error == "no printer is set up: choose one in Settings → Printing"
    desk.settings = desk.settings.replace(label_printer="tcp://127.0.0.1:9")
    gone = enqueue(desk, DocKind.OWN_LABEL, "99999999-0001-1")
    spooler.print_next(desk)
    assert job(desk, gone.key).last_error == "posting 99999999-0001-1 is not in the local cache"


def test_a_bug_while_printing_keeps_the_job(desk: AppContext, caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def describe(self) -> str:
            return "broken"

        def send(self, data: bytes, *, title: str = "", raw: bool = True) -> None:
            raise RuntimeError("boom")

    queued = enqueue(desk, DocKind.OWN_LABEL, RFBS)
    result = spooler.print_next(desk, sink_for=lambda _target: Broken())
    assert result is not None and not result.ok
    failed = job(desk, queued.key)
    assert failed.state is JobState.FAILED and "unexpected error" in failed.last_error
    assert "boom" in caplog.text


def test_an_act_job_prints_ozons_act_when_the_sync_engine_fetched_it(desk: AppContext, tmp_path: Path) -> None:
    desk.settings = desk.settings.replace(document_printer=str(tmp_path / "act.pdf"))
    queued = enqueue(desk, DocKind.ACT, LONG_NUMBER, "not-in-the-cache-0001-1")
    ozon_act = render.act(sample_postings(), number="ozon-42")
    label_files.act_path(desk.paths.labels, queued.key).write_bytes(ozon_act)
    assert spooler.print_next(desk).ok  # type: ignore[union-attr]
    assert (tmp_path / "act.pdf").read_bytes() == ozon_act  # Ozon's PDF, untouched
