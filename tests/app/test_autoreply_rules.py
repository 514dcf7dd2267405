"""Auto-reply rules on the cache: matching, working hours, import (all or nothing) and export."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.chat import autoreply
from app.chat.autoreply import Rule, RuleError
from app.context import AppContext
from tests.app.factories import NOW

RULE = {
    "name": "where",
    "enabled": True,
    "dry_run": False,
    "intents": ["where_is_order"],
    "keywords": ["трек"],
    "posting_statuses": ["awaiting_deliver", "delivering"],
    "outside_hours_only": False,
    "template_key": "where_is_order",
    "period_hours": 24,
}


def test_working_hours_may_cross_midnight() -> None:
    assert autoreply.outside_hours("09:00-21:00", time(8, 59))
    assert not autoreply.outside_hours("09:00-21:00", time(9, 0))
    assert autoreply.outside_hours("09:00-21:00", time(21, 0))
    assert not autoreply.outside_hours("21:00-09:00", time(23, 30))
    assert not autoreply.outside_hours("21:00-09:00", time(3, 0))
    assert autoreply.outside_hours("21:00-09:00", time(12, 0))
    assert not autoreply.outside_hours("broken", time(3, 0))


def test_a_rule_matches_by_intent_or_keyword_then_status_and_hours() -> None:
    rule = Rule("r", "t", intents=("where_is_order",), keywords=("ЁЖИК",), posting_statuses=("delivering",))
    assert autoreply.matches(rule, "где заказ", ["where_is_order"], "delivering", False)
    assert autoreply.matches(rule, "Где мой ежик?", [], "delivering", False)
    assert not autoreply.matches(rule, "где заказ", ["where_is_order"], "delivered", False)
    assert not autoreply.matches(rule, "какой цвет", ["size_color"], "delivering", False)
    night = Rule("n", "t", outside_hours_only=True)
    assert autoreply.matches(night, "", [], "", True) and not autoreply.matches(night, "", [], "", False)


def test_rules_import_and_export_round_trip(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        assert autoreply.import_rules(s, {"rules": [RULE, {"name": "thanks", "template_key": "thanks"}]}, NOW) == 2
    with ctx.db.write() as s:
        exported = autoreply.export_rules(s)
        first_id = autoreply.rules(s)[0].id
        assert autoreply.import_rules(s, exported[:1], NOW + timedelta(hours=1)) == 1
    with ctx.db.read() as s:
        (kept,) = autoreply.rules(s)
    assert exported[0] == RULE and exported[1]["period_hours"] == 24 and exported[1]["intents"] == []
    assert kept.id == first_id and kept.updated_at == NOW  # unchanged: its history and start stay


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"template_key": "nope"}, "template_key 'nope' is not a template"),
        ({"intents": ["where"]}, "unknown intent"),
        ({"posting_statuses": ["lost"]}, "unknown posting status"),
        ({"period_hours": 0}, "period_hours"),
        ({"dry_run": "yes"}, "dry_run must be true or false"),
        ({"colour": "red"}, "unknown field"),
        ({"name": ""}, "name must be"),
    ],
)
def test_a_bad_rule_names_itself_and_nothing_changes(ctx: AppContext, change: dict[str, object], named: str) -> None:
    with ctx.db.write() as s:
        autoreply.import_rules(s, [{"name": "old", "template_key": "thanks"}], NOW)
    with pytest.raises(RuleError, match=f"rule #2.*{named}"), ctx.db.write() as s:
        autoreply.import_rules(s, [RULE, {**RULE, "name": "second", **change}], NOW)
    with ctx.db.read() as s:
        assert [r.name for r in autoreply.rules(s)] == ["old"]


def test_one_rule_switches_off_and_to_dry_run(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        autoreply.import_rules(s, [RULE, {"name": "thanks", "template_key": "thanks"}], NOW)
    with ctx.db.write() as s:
        first, second = autoreply.rules(s)
        later = NOW + timedelta(hours=2)
        assert autoreply.set_rule(s, first.id, enabled=False, now=later).enabled is False
        assert autoreply.set_rule(s, second.id, dry_run=True, now=later).dry_run is True
        assert autoreply.set_rule(s, second.id, dry_run=True, now=later + timedelta(hours=1)).updated_at == later
    with ctx.db.read() as s:
        off, dry = autoreply.rules(s)
    assert (off.enabled, off.dry_run, off.updated_at) == (False, False, later)
    assert (dry.enabled, dry.dry_run) == (True, True)
    with ctx.db.write() as s, pytest.raises(RuleError, match="no rule #999"):
        autoreply.set_rule(s, 999, enabled=True, now=NOW)
