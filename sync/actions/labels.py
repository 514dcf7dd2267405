"""Label fetches: the labels due go to Ozon together, one label task per batch (sync.label_tasks);
the open tasks are kept in sync_state between cycles and polled until Ozon has the file."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from app import label_files, outbox, print_queue
from app.domain.postings import FINISHED, PostingStatus
from app.events import LabelReady
from app.outbox import ActionKind, OutboxEntry
from app.repos import postings as posting_repo
from app.repos import sync_state
from app.workflows import labels
from sync import label_tasks
from sync.actions.outcomes import NOT_READY_S
from sync.context import SyncContext
from sync.cycle import CycleResult

LABEL_AFTER_SHIP_S = 45.0  # Ozon: ask for a label 45–60 s after the assembly
LABEL_SLOT = timedelta(seconds=15)  # labels coming due within one slot share a task
LABEL_TASKS = "labels.tasks"  # sync_state: the label tasks Ozon is still working on
# A posting in these statuses needs no label any more (it will not leave, or has left).
LABEL_UNNEEDED = FINISHED | {PostingStatus.DELIVERING, PostingStatus.DRIVER_PICKUP}

Tasks = dict[str, dict[str, Any]]  # task id → {"numbers", "created", "polls"}
Failed = Callable[[list[OutboxEntry], Exception, CycleResult], None]


def label_time(earliest: datetime) -> datetime:
    """When to ask for labels that may be asked for from `earliest`: the next slot boundary, so the
    labels of postings shipped within one slot come due together and go in one label task."""
    slot = LABEL_SLOT.total_seconds()
    stamp = earliest.timestamp()
    return earliest + timedelta(seconds=(-stamp) % slot)


def push_labels(ctx: SyncContext, result: CycleResult, failed: Failed) -> None:
    """Claim every label fetch due, poll the tasks they are in, and start tasks for the rest.
    `failed` settles the entries of a step that raised (see `sync.push`)."""
    now = ctx.clock.now()
    with ctx.db.read() as s:
        due = outbox.due(s, now, label_tasks.MAX_POSTINGS * 10, only=(ActionKind.FETCH_LABEL,))
        tasks: Tasks = json.loads(sync_state.get(s, LABEL_TASKS) or "{}")
        statuses = posting_repo.statuses(s, [e.target_id for e in due])
    if not due:
        return
    by_number: dict[str, OutboxEntry] = {}
    with ctx.db.write() as s:
        for entry in due:
            status = statuses.get(entry.target_id)
            if status in LABEL_UNNEEDED:  # it will not leave, or has left without its label
                outbox.mark_done(s, entry.key, now, note=f"no label needed: the posting is {status}")
                labels.cancel_label_jobs(s, entry.target_id, now)
            elif outbox.mark_in_flight(s, entry.key, now, ctx.desk):  # claimed: each look counts as an attempt
                by_number[entry.target_id] = dataclasses.replace(entry, attempts=entry.attempts + 1)
    in_task = {n: task_id for task_id, task in tasks.items() for n in task["numbers"]}
    for task_id in sorted({in_task[n] for n in by_number if n in in_task}):
        entries = [by_number[n] for n in tasks[task_id]["numbers"] if n in by_number]
        try:
            poll_label_task(ctx, task_id, tasks, entries, result)
        except Exception as exc:
            failed(entries, exc, result)
    fresh = [n for n in by_number if n not in in_task]
    for batch in label_tasks.batches(fresh):
        entries = [by_number[n] for n in batch]
        try:
            task = label_tasks.pick(ctx.client.create_label_tasks(batch))
        except Exception as exc:
            failed(entries, exc, result)
            continue
        tasks[str(task.task_id)] = {"numbers": batch, "created": ctx.clock.now().isoformat(), "polls": 0}
        keep_label_tasks(ctx, tasks, entries, "Ozon is making the label", label_tasks.FIRST_POLL_S)


def poll_label_task(
    ctx: SyncContext, task_id: str, tasks: Tasks, entries: list[OutboxEntry], result: CycleResult
) -> None:
    task = tasks[task_id]
    state = ctx.client.label_task(int(task_id))
    if not state.finished:
        age = (ctx.clock.now() - datetime.fromisoformat(task["created"])).total_seconds()
        if age > label_tasks.TASK_TIMEOUT_S:
            del tasks[task_id]
            keep_label_tasks(ctx, tasks, entries, "Ozon did not finish the label; asking again", 0)
            return
        task["polls"] += 1
        keep_label_tasks(
            ctx,
            tasks,
            entries,
            f"Ozon is making the label ({state.status.value})",
            label_tasks.poll_delay(task["polls"]),
        )
        return
    del tasks[task_id]  # done with, whatever comes of its file: a failure asks Ozon for a new task
    try:
        outcome = label_tasks.collect(ctx.client, state, task["numbers"], ctx.labels_dir)
    except Exception:
        with ctx.db.write() as s:
            sync_state.put(s, LABEL_TASKS, json.dumps(tasks), ctx.clock.now())
        raise
    now = ctx.clock.now()
    with ctx.db.write() as s:
        sync_state.put(s, LABEL_TASKS, json.dumps(tasks), now)
        for entry in entries:
            number = entry.target_id
            if number in outcome.unprinted:
                # Not ready yet, or refused for now: Ozon's words go on the action; ask again later.
                later = label_time(now + timedelta(seconds=NOT_READY_S))
                outbox.mark_retry(s, entry.key, now, f"Ozon: {outcome.unprinted[number]}", later, ambiguous=False)
            elif number in outcome.stored:
                outbox.mark_done(s, entry.key, now)
                print_queue.label_ready(s, number, now)  # its waiting print jobs can go now
    for number in outcome.stored:
        result.sent += 1
        ctx.bus.publish(LabelReady(number, str(label_files.label_path(ctx.labels_dir, number))))


def keep_label_tasks(ctx: SyncContext, tasks: Tasks, entries: list[OutboxEntry], note: str, delay: float) -> None:
    """Save the open tasks, and wake their postings' actions when the task is worth a look."""
    now = ctx.clock.now()
    later = now + timedelta(seconds=delay)
    with ctx.db.write() as s:
        sync_state.put(s, LABEL_TASKS, json.dumps(tasks), now)
        for entry in entries:
            outbox.mark_retry(s, entry.key, now, note, later, ambiguous=False)
