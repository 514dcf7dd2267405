"""Ozon's package labels through label tasks (the only way since 2026-11-02, docs/ozon-contract.md, Labels):
one task for a batch of postings, polled until it is done, its file downloaded from Ozon's CDN and
split into one cached PDF per posting, so each label prints (and reprints offline) on its own.

The sync engine drives the steps without waiting (a task is polled on later cycles); the `labels`
command runs them to the end at once (`fetch_now`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app import label_files
from sync.answers import LabelTask, LabelTaskState, TaskStatus
from sync.client import OzonClient
from sync.errors import ProtocolError

MAX_POSTINGS = 1000  # Ozon's limit for one task
FIRST_POLL_S = 2.0
POLL_CAP_S = 15.0
TASK_TIMEOUT_S = 600.0  # a task not done by then is given up and asked for again
PREFERRED_TYPE = "big_label"  # the 75×120 label; `small_label` only when Ozon offers nothing else


def poll_delay(polls: int) -> float:
    """Seconds until the next look at a task: 2, 3.2, 5.1, … up to 15."""
    return min(POLL_CAP_S, FIRST_POLL_S * 1.6**polls)


def batches(numbers: Sequence[str], size: int = MAX_POSTINGS) -> list[list[str]]:
    return [list(numbers[i : i + size]) for i in range(0, len(numbers), size)]


def pick(tasks: Sequence[LabelTask]) -> LabelTask:
    return next((t for t in tasks if t.task_type == PREFERRED_TYPE), tasks[0])


@dataclass(frozen=True, slots=True)
class Outcome:
    stored: list[str] = field(default_factory=list)  # labels now cached, one file each
    unprinted: dict[str, str] = field(default_factory=dict)  # posting → Ozon's reason (ask again later)


def collect(client: OzonClient, state: LabelTaskState, numbers: Sequence[str], labels_dir: Path) -> Outcome:
    """A finished task: its file split into one label per printed posting, each cached."""
    if state.status is TaskStatus.ERROR:
        reason = state.error or "Ozon could not make the labels"
        return Outcome([], {n: state.unprinted.get(n, reason) for n in numbers})
    printed = [n for n in numbers if n not in state.unprinted]
    unprinted = {n: state.unprinted[n] for n in numbers if n in state.unprinted}
    if not printed:
        return Outcome([], unprinted)
    pdf = client.label_file(state.file_url, len(printed))
    try:
        pages = label_files.split_pages(pdf)
    except label_files.LabelFileUnreadable as exc:
        raise ProtocolError(
            f"Ozon's label file cannot be read ({exc.params.get('detail', '')})", path="file_url"
        ) from exc
    owners = label_files.assign_pages([text for _, text in pages], printed)
    if owners is None:
        raise ProtocolError(
            f"Ozon's label file has {len(pages)} page(s) for {len(printed)} posting(s) and does not show whose "
            "label each page is",
            path="file_url",
        )
    for (page, _), number in zip(pages, owners, strict=True):
        label_files.store(labels_dir, number, page)
    missing = {n: "Ozon's label file has no page for this posting" for n in printed if n not in owners}
    return Outcome(owners, {**unprinted, **missing})


def fetch_now(
    client: OzonClient,
    numbers: Sequence[str],
    labels_dir: Path,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 180.0,
) -> Outcome:
    """Create the tasks, wait for them, download and cache the labels (for the command line)."""
    stored: list[str] = []
    unprinted: dict[str, str] = {}
    for batch in batches(list(dict.fromkeys(numbers))):
        task = pick(client.create_label_tasks(batch))
        waited, polls = 0.0, 0
        state = client.label_task(task.task_id)
        while not state.finished:
            if waited >= timeout_s:
                unprinted.update(dict.fromkeys(batch, f"Ozon did not finish the labels in {timeout_s:.0f} s"))
                break
            delay = poll_delay(polls)
            sleep(delay)
            waited, polls = waited + delay, polls + 1
            state = client.label_task(task.task_id)
        else:
            outcome = collect(client, state, batch, labels_dir)
            stored += outcome.stored
            unprinted.update(outcome.unprinted)
    return Outcome(stored, unprinted)
