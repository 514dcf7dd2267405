"""Command barcodes: the station reads what the printed sheet carries."""

from __future__ import annotations

import pytest

from app.workflows import commands
from app.workflows.commands import Command


@pytest.mark.parametrize(
    ("code", "command"),
    [
        ("PD:NEXT", Command.NEXT),
        ("pd:next\n", Command.NEXT),
        ("PD:SHIPALL", Command.SHIP_ALL),
        ("SHIP ALL", Command.SHIP_ALL),
        ("PD:NEWPKG", Command.NEW_PACKAGE),
        ("new package", Command.NEW_PACKAGE),
        ("PD:ACK", Command.ACK),
        ("REPRINT", Command.REPRINT),
        ("PD:ABORT", Command.ABORT),
    ],
)
def test_parse(code: str, command: Command) -> None:
    assert commands.parse(code) is command


@pytest.mark.parametrize("code", ["", "4600000000017", "OZN123", "PD:", "PD:NEXTT", "12345678-0001-1"])
def test_everything_else_is_not_a_command(code: str) -> None:
    assert commands.parse(code) is None


def test_every_code_on_the_printed_sheet_is_understood() -> None:
    from printing import commands as sheet

    assert set(sheet.ALL) <= set(commands.CODES.values())
    for code in sheet.ALL:
        assert commands.parse(code) is not None
