"""Command barcodes for scanner-only work at the packing desk: the values printed on the sheet
(`printing.documents.command_sheet`). They are defined once, in `app/workflows/commands.py`, which
the pack station uses to read them back."""

from __future__ import annotations

from app.workflows.commands import CODES, Command

NEXT = CODES[Command.NEXT]  # next posting in the queue
REPRINT = CODES[Command.REPRINT]  # print the current posting's label again (asks for the reason)
SHIP_ALL = CODES[Command.SHIP_ALL]  # ship every fully packed posting
ABORT = CODES[Command.ABORT]  # put the posting on the desk aside
NEW_PACKAGE = CODES[Command.NEW_PACKAGE]  # close this box, the next units go into a new one
ACK = CODES[Command.ACK]  # acknowledge a STOP (cancelled while packing): the goods are back on the shelf

ALL = (NEXT, REPRINT, SHIP_ALL, ABORT, NEW_PACKAGE, ACK)
