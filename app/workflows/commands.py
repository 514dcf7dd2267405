"""Command barcodes: printed on a sheet at the desk so a packer with full hands drives the station
with the scanner alone.

The codes carry a prefix no product or Ozon label uses, so a command can never be mistaken for an
item. They are the strings of `printing/commands.py` (the sheet; `app` cannot import `printing`,
a test keeps the two in step) plus NEW PACKAGE and ACK. Typing the bare word (``NEXT``) works too.
"""

from __future__ import annotations

from enum import StrEnum

PREFIX = "PD:"


class Command(StrEnum):
    NEXT = "NEXT"  # complete the posting on the desk (all units scanned) and wait for the next
    REPRINT = "REPRINT"  # print the last packed posting's label again
    SHIP_ALL = "SHIPALL"  # send every packed posting now and print all waiting labels (batch)
    ABORT = "ABORT"  # put the posting on the desk aside (also acknowledges a STOP)
    NEW_PACKAGE = "NEWPKG"  # close this box, the next units go into a new one
    ACK = "ACK"  # acknowledge a STOP: the goods are back on the shelf


# The exact strings to encode in the command barcodes.
CODES: dict[Command, str] = {command: PREFIX + command.value for command in Command}

_WORDS = {command.value: command for command in Command}
_WORDS |= {"SHIP ALL": Command.SHIP_ALL, "NEW PACKAGE": Command.NEW_PACKAGE}


def parse(code: str) -> Command | None:
    """The command a scanned or typed code stands for, or None."""
    text = code.strip().upper()
    if text.startswith(PREFIX):
        text = text[len(PREFIX) :]
    return _WORDS.get(text)
