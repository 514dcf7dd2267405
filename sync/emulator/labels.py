"""Label tasks (docs/ozon-contract.md, Labels): ``/v3/posting/fbs/package-label/create`` starts a big and a small label
task for a batch; ``/v2/posting/fbs/package-label/get`` reports them; the PDF comes from a CDN path.

Timing, in emulator time from creation: ``pending`` for ``PENDING_FOR`` (1 s), ``in_progress`` until
``LABEL_TASK_DELAY`` (5 s); at that moment the batch is sorted out once and frozen. Printable: an
``awaiting_deliver`` posting whose label is ready (``operations.LABEL_DELAY``, 50 s after the ship). Every
other posting is listed in ``unprinted_postings`` with why: ``The next postings aren't ready`` (shipped,
label not ready yet), ``HAS_INCORRECT_STATUS`` (not awaiting_deliver), ``POSTING_NOT_FOUND``. Nothing
printable: ``status.code`` ``error`` with ``NO_POSTINGS_FOR_BATCH_DOWNLOAD`` and no file.

Choices where Ozon is silent: one create call always yields both kinds (``big_label`` and ``small_label``),
decided together; duplicate numbers in a batch are printed once; the file lives at
``http://<Host of the get request>/s3/fbs-labels/<task_id>-<token>.pdf`` (no Host: ``emulator.invalid``),
rendered on the first download, and never expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from . import documents
from .model import LabelTask, Posting
from .store import Store

PENDING_FOR = timedelta(seconds=1)
LABEL_TASK_DELAY = timedelta(seconds=5)
TASK_TYPES = ("big_label", "small_label")
FILE_PREFIX = "/s3/fbs-labels/"
NOT_READY = "The next postings aren't ready"
NOTHING_TO_PRINT = ("NO_POSTINGS_FOR_BATCH_DOWNLOAD", "There are no postings ready for printing in this batch")
DEFAULT_HOST = "emulator.invalid"


def why_unprintable(p: Posting | None) -> str:
    """Empty when the posting's label can be printed now."""
    if p is None:
        return "POSTING_NOT_FOUND"
    if p.status != "awaiting_deliver":
        return "HAS_INCORRECT_STATUS"
    return "" if p.label_ready else NOT_READY


def sort_out(store: Store, numbers: Sequence[str]) -> tuple[list[Posting], list[tuple[str, str]]]:
    """(printable postings in the given order, [(number, why)] for the others)."""
    printed: list[Posting] = []
    unprinted: list[tuple[str, str]] = []
    for number in numbers:
        p = store.postings.get(number)
        why = why_unprintable(p)
        if why:
            unprinted.append((number, why))
        else:
            assert p is not None
            printed.append(p)
    return printed, unprinted


def create(store: Store, numbers: Sequence[str], now: datetime) -> list[LabelTask]:
    distinct = list(dict.fromkeys(numbers))
    tasks = []
    for task_type in TASK_TYPES:
        task_id = store.ids.next("label_task", 5_819_327_210_249, 1_000)
        task = LabelTask(task_id, task_type, distinct, now, f"{task_id}-{store.ids.token()}.pdf")
        store.label_tasks[task_id] = task
        store.label_files[task.file_name] = task
        tasks.append(task)

    def decide(_when: datetime) -> None:
        printed, unprinted = sort_out(store, distinct)
        for task in tasks:
            task.printed = [p.number for p in printed]
            task.unprinted = unprinted
            task.decided = True

    store.schedule(now + LABEL_TASK_DELAY, decide)
    return tasks


def status_code(task: LabelTask, now: datetime) -> str:
    if task.decided:
        return "completed" if task.printed else "error"
    return "pending" if now < task.created_at + PENDING_FOR else "in_progress"


def view(task: LabelTask, now: datetime, host: str) -> dict[str, Any]:
    """The /v2/posting/fbs/package-label/get answer."""
    code = status_code(task, now)
    error_code, error_message = NOTHING_TO_PRINT if code == "error" else ("", "")
    return {
        "status": {
            "code": code,
            "postings_count": len(task.posting_numbers),
            "printed_postings_count": len(task.printed),
            "unprinted_postings": [{"posting_number": n, "message": why} for n, why in task.unprinted],
        },
        "file_url": f"http://{host or DEFAULT_HOST}{FILE_PREFIX}{task.file_name}" if code == "completed" else "",
        "error": {"code": error_code, "message": error_message},
    }


def pdf(store: Store, task: LabelTask) -> bytes:
    if task.pdf is None:
        task.pdf = documents.labels([store.postings[n] for n in task.printed], small=task.task_type == "small_label")
    return task.pdf
