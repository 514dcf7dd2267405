"""Command barcodes for scanner-only work at the packing desk.

The packing desk reads these codes from the scanner like any other scan; the sheet that carries them
is `printing.documents.command_sheet`. Values are plain Code 128 (B) text with a prefix no posting
number or product barcode has. `app/workflows/commands.py` parses them (`app` cannot import
`printing`; tests/app/test_packing_commands.py keeps the two in step).
"""

from __future__ import annotations

PREFIX = "PD:"
NEXT = "PD:NEXT"  # next posting in the queue
REPRINT = "PD:REPRINT"  # print the current posting's label again (asks for the reason)
SHIP_ALL = "PD:SHIPALL"  # ship every fully packed posting
ABORT = "PD:ABORT"  # put the posting on the desk aside
NEW_PACKAGE = "PD:NEWPKG"  # close this box, the next units go into a new one
ACK = "PD:ACK"  # acknowledge a STOP (cancelled while packing): the goods are back on the shelf

ALL = (NEXT, REPRINT, SHIP_ALL, ABORT, NEW_PACKAGE, ACK)


def is_command(code: str) -> bool:
    return code.strip().upper() in ALL
