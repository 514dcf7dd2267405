"""Label tasks (answers that are steps of a flow, see sync.answers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.answers import LabelTask, LabelTaskState, TaskStatus
from sync.errors import ProtocolError
from sync.schemas.fields import Fields, unwrap


def label_tasks(body: Any, where: str = "answer") -> list[LabelTask]:
    """`/v3/posting/fbs/package-label/create` → `{"tasks": [{task_id, task_type}]}` (older: in `result`)."""
    f = Fields(unwrap(body, where), where)
    tasks = []
    for i, raw in enumerate(f.items("tasks", required=True)):
        t = Fields(raw, f"{where}.tasks[{i}]")
        tasks.append(LabelTask(t.int_id("task_id", required=True), t.text("task_type") or "big_label"))
    if not tasks:
        raise ProtocolError(f"{where}.tasks is empty", field=f"{where}.tasks")
    return tasks


def label_task_state(body: Any, where: str = "answer") -> LabelTaskState:
    """`/v2/posting/fbs/package-label/get`: the status object, the file, the postings left out."""
    f = Fields(unwrap(body, where), where)
    status = f.sub("status")
    if status is None:
        raise ProtocolError(f"{where}.status is missing", field=f"{where}.status")
    unprinted: dict[str, str] = {}
    for i, raw in enumerate(status.items("unprinted_postings")):
        u = Fields(raw, f"{where}.status.unprinted_postings[{i}]")
        unprinted[u.text("posting_number", required=True)] = u.text("message") or u.text("msg")
    error = ""
    err = f.obj.get("error")
    if isinstance(err, Mapping) and (err.get("code") or err.get("message")):
        error = ": ".join(str(x) for x in (err.get("code"), err.get("message")) if x)
    elif isinstance(err, str):
        error = err
    state = LabelTaskState(
        status=TaskStatus.parse(status.text("code", required=True)),
        file_url=f.text("file_url"),
        postings_count=status.int_id("postings_count"),
        printed_count=status.int_id("printed_postings_count"),
        unprinted=unprinted,
        error=error,
    )
    if state.status is TaskStatus.COMPLETED and not state.file_url:
        raise ProtocolError(f"{where}.file_url is missing for a completed task", field=f"{where}.file_url")
    return state
