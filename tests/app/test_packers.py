"""The shop's packers (app/packers.py): names trimmed, unique whatever their case, an optional PIN
kept as a salted hash and checked. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import packers
from app.context import AppContext
from app.db.desk_tables import PackerRow
from app.errors import InvalidAction, NotFound

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def codes(exc: pytest.ExceptionInfo[Exception]) -> str:
    assert isinstance(exc.value, InvalidAction | NotFound)
    return exc.value.code


def test_add_list_remove(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        packers.add(s, "  Ли   Вэй ", NOW)
        packers.add(s, "anna", NOW, pin="1234")
        packers.add(s, "Борис", NOW)
    with ctx.db.read() as s:
        listed = packers.all_packers(s)
    assert [(p.name, p.has_pin) for p in listed] == [("anna", True), ("Борис", False), ("Ли Вэй", False)]
    with ctx.db.write() as s:
        packers.remove(s, "БОРИС")  # whatever the case
    with ctx.db.read() as s:
        assert [p.name for p in packers.all_packers(s)] == ["anna", "Ли Вэй"]


@pytest.mark.parametrize(
    ("name", "code"),
    [("", "packer_name_empty"), ("   ", "packer_name_empty"), ("x" * 61, "packer_name_too_long")],
)
def test_bad_names_are_refused(ctx: AppContext, name: str, code: str) -> None:
    with ctx.db.write() as s, pytest.raises(InvalidAction) as exc:
        packers.add(s, name, NOW)
    assert codes(exc) == code


def test_a_name_of_60_characters_is_kept() -> None:
    assert packers.clean_name(" " + "я" * 60 + " ") == "я" * 60


def test_names_are_unique_whatever_their_case(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        packers.add(s, "Ли Вэй", NOW)
    for other in ("ли вэй", " ЛИ  ВЭЙ "):
        with ctx.db.write() as s, pytest.raises(InvalidAction) as exc:
            packers.add(s, other, NOW)
        assert codes(exc) == "packer_exists" and exc.value.params["name"] == "Ли Вэй"


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４", "12 34"])
def test_bad_pins_are_refused(ctx: AppContext, pin: str) -> None:
    with ctx.db.write() as s, pytest.raises(InvalidAction) as exc:
        packers.add(s, "Анна", NOW, pin=pin)
    assert codes(exc) == "packer_pin_invalid"
    with ctx.db.read() as s:
        assert packers.all_packers(s) == []  # nothing added


def test_the_pin_is_kept_salted_and_hashed(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        packers.add(s, "Анна", NOW, pin="4321")
        packers.add(s, "Борис", NOW, pin="4321")
    with ctx.db.read() as s:
        hashes = {r.name: r.pin_hash for r in s.query(PackerRow)}
    assert all("4321" not in h and h.startswith("scrypt$") for h in hashes.values())
    assert hashes["Анна"] != hashes["Борис"]  # a salt of its own per packer
    assert packers.pin_matches(hashes["Анна"], "4321") and not packers.pin_matches(hashes["Анна"], "4322")


def test_verify_set_and_clear_a_pin(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        packers.add(s, "Анна", NOW)
    with ctx.db.read() as s:
        assert packers.verify(s, "анна") == "Анна"  # no PIN: anyone may pick the name
    with ctx.db.write() as s:
        packers.set_pin(s, "Анна", "87654321")
    with ctx.db.read() as s:
        assert packers.has_pin(s, "Анна")
        assert packers.verify(s, "Анна", "87654321") == "Анна"
        for wrong in ("", "8765432", "87654320"):
            with pytest.raises(InvalidAction) as exc:
                packers.verify(s, "Анна", wrong)
            assert codes(exc) == "packer_pin_wrong"
    with ctx.db.write() as s:
        packers.clear_pin(s, "Анна")
    with ctx.db.read() as s:
        assert not packers.has_pin(s, "Анна") and packers.verify(s, "Анна", "") == "Анна"


def test_unknown_packers_are_not_found(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        for act in (lambda: packers.remove(s, "Нет"), lambda: packers.set_pin(s, "Нет", "1234")):
            with pytest.raises(NotFound) as exc:
                act()
            assert codes(exc) == "packer_unknown"


def test_a_malformed_hash_matches_nothing() -> None:
    for stored in ("", "1234", "scrypt$zz$00", "pbkdf2$00$00", "scrypt$$"):
        assert not packers.pin_matches(stored, "1234")


def test_the_screens_functions_each_in_one_transaction(ctx: AppContext) -> None:
    packers.add_one(ctx.db, ctx.clock, "Анна", "1234")
    packers.add_one(ctx.db, ctx.clock, "Борис")
    packers.change_pin(ctx.db, "Анна", "")
    packers.change_pin(ctx.db, "Борис", "5678")
    assert [(p.name, p.has_pin) for p in packers.listed(ctx.db)] == [("Анна", False), ("Борис", True)]
    packers.remove_one(ctx.db, "Анна")
    assert [p.name for p in packers.listed(ctx.db)] == ["Борис"]
