"""Handover: carriages and their acts."""

from __future__ import annotations

from typing import Any

from sync.answers import ActPosting, ActStatus, ActSummary, CarriageInfo
from sync.schemas.fields import Fields, result_rows, unwrap


def carriage_info(body: Any, where: str = "answer") -> CarriageInfo:
    f = Fields(unwrap(body, where), where)
    return CarriageInfo(
        carriage_id=f.int_id("carriage_id", required=True),
        status=f.text("status").lower(),
        delivery_method_id=f.int_id("delivery_method_id"),
        available_actions=tuple(str(a) for a in f.items("available_actions")),
    )


def act_status(body: Any, where: str = "answer") -> ActStatus:
    f = Fields(unwrap(body, where), where)
    return ActStatus(
        status=f.text("status", required=True),
        added=tuple(str(n) for n in f.items("added_to_act")),
        removed=tuple(str(n) for n in f.items("removed_from_act")),
    )


def act_postings(body: Any, where: str = "answer") -> list[ActPosting]:
    return [
        ActPosting(f.text("posting_number", required=True), max(1, f.int_id("multi_box_qty")))
        for f in result_rows(body, where)
    ]


def act_list(body: Any, where: str = "answer") -> list[ActSummary]:
    return [
        ActSummary(
            carriage_id=f.int_id("id", required=True),
            delivery_method_id=f.int_id("delivery_method_id"),
            status=f.text("status").lower(),
            created_at=f.time("created_at"),
        )
        for f in result_rows(body, where)
    ]
