"""Package labels through label tasks (the rules and timings are in ``labels.py``)."""

from __future__ import annotations

from typing import Any

from .. import labels
from ..errors import not_found
from ..fields import Fields
from .base import Ctx, route

MAX_POSTINGS = 1000


@route("/v3/posting/fbs/package-label/create")
def create(ctx: Ctx, f: Fields) -> dict[str, Any]:
    numbers = f.texts("posting_numbers", max_items=MAX_POSTINGS, required=True)
    tasks = labels.create(ctx.store, numbers, ctx.now)
    ctx.log(task_ids=[t.task_id for t in tasks], posting_numbers=tasks[0].posting_numbers)
    return {"tasks": [{"task_id": t.task_id, "task_type": t.task_type} for t in tasks]}


@route("/v2/posting/fbs/package-label/get")
def get(ctx: Ctx, f: Fields) -> dict[str, Any]:
    task = ctx.store.label_tasks.get(f.number("task_id", required=True) or 0)
    if task is None:
        raise not_found("TASK_NOT_FOUND")
    return labels.view(task, ctx.now, ctx.host)
