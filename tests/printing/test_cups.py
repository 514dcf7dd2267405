"""Integration: a real CUPS scheduler with a raw queue whose device is a local capture printer.

`.ci/run` installs and starts cupsd. Outside CI the test skips when no scheduler is running; in CI
(CI=true) a missing scheduler is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from app import print_queue
from app.context import AppContext
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from printing import render, sinks, spooler
from printing.render import Format, Output
from tests.app.factories import NOW
from tests.printing.conftest import sample_postings
from tests.printing.printers import CapturePrinter


def _scheduler_running() -> bool:
    if shutil.which("lpstat") is None or shutil.which("lpadmin") is None:
        return False
    done = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, timeout=10, check=False)
    return done.returncode == 0 and "is running" in done.stdout and "not running" not in done.stdout


@pytest.fixture
def cups_queue() -> Iterator[tuple[str, CapturePrinter]]:
    if not _scheduler_running():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CUPS is not running in CI: .ci/run installs the 'cups' package and starts cupsd")
        pytest.skip("no CUPS scheduler running (apt-get install cups; cupsd)")
    printer = CapturePrinter()
    queue = f"packdesk-capture-{os.getpid()}"
    # No -m/-P: a raw queue, CUPS hands the bytes to the socket backend untouched.
    added = subprocess.run(
        ["lpadmin", "-p", queue, "-E", "-v", f"socket://127.0.0.1:{printer.port}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    try:
        yield queue, printer
    finally:
        subprocess.run(["lpadmin", "-x", queue], capture_output=True, timeout=30, check=False)
        printer.close()


def test_a_zpl_job_goes_through_a_cups_raw_queue_byte_for_byte(cups_queue: tuple[str, CapturePrinter]) -> None:
    queue, printer = cups_queue
    data = render.label(sample_postings(), Output(Format.ZPL))
    sink = sinks.open_sink(queue)
    assert isinstance(sink, sinks.CupsSink)
    sink.send(data, title="Packdesk test")
    assert printer.wait_for_jobs(1, timeout=60) == [data]


def test_the_spooler_prints_to_a_cups_queue(ctx: AppContext, cups_queue: tuple[str, CapturePrinter]) -> None:
    queue, printer = cups_queue
    with ctx.db.write() as s:
        posting_repo.save(s, sample_postings(), NOW)
        queued = print_queue.enqueue(s, DocKind.OWN_LABEL, ("12345678-0001-1",), NOW)
    ctx.settings = ctx.settings.replace(label_printer=queue, label_format="tspl")
    result = spooler.print_next(ctx)
    assert result is not None and result.ok, result
    (data,) = printer.wait_for_jobs(1, timeout=60)
    assert data.startswith(b"SIZE 75 mm,120 mm\r\n") and data.endswith(b"PRINT 1,1\r\n")
    with ctx.db.read() as s:
        assert [j.state for j in print_queue.jobs(s) if j.key == queued.key] == [JobState.DONE]


def test_an_unknown_queue_is_refused_in_one_line(cups_queue: tuple[str, CapturePrinter]) -> None:
    with pytest.raises(sinks.PrinterError) as refused:
        sinks.CupsSink("packdesk-no-such-queue").send(b"^XA^XZ")
    assert refused.value.code == "cups_refused" and "\n" not in str(refused.value)
