"""A print job no desk asked for (a label queued again when a conflicted ship is retried, jobs of a
desk's SQLite copied to the server) is printed by one desk only, even when two desks' printers are
woken at the same moment (a label the leader downloaded wakes every desk)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app import print_queue
from app.context import AppContext, open_context
from app.print_queue import DocKind, JobState
from printing import spooler

pytestmark = pytest.mark.server_only


def test_a_job_of_no_desk_is_printed_at_one_desk_only(ctx: AppContext, tmp_path: Path) -> None:
    other = open_context(str(ctx.paths.data.parent / "desk2"))
    folders = tmp_path / "printer1", tmp_path / "printer2"
    desks = ctx, other
    for n, (desk, folder) in enumerate(zip(desks, folders, strict=True), 1):
        folder.mkdir()
        desk.settings = desk.settings.replace(desk_name=f"Desk {n}", label_printer=str(folder))
    try:
        with ctx.db.write() as s:
            job = print_queue.enqueue(s, DocKind.COMMANDS, (), ctx.clock.now(), user="anna", desk="")
        together = threading.Barrier(2)

        def wake(desk: AppContext) -> None:
            together.wait()
            spooler.print_pending(desk)

        threads = [threading.Thread(target=wake, args=(desk,)) for desk in desks]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        printed = [f.name for folder in folders for f in folder.iterdir()]
        assert len(printed) == 1, printed
        with ctx.db.read() as s:
            assert print_queue.state_of(s, job.key) is JobState.DONE
    finally:
        other.close()
