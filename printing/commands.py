"""Command barcodes for scanner-only work at the packing desk.

The packing desk reads these codes from the scanner like any other scan; the sheet that carries them
is `printing.documents.command_sheet`. Values are plain Code 128 (B) text with a prefix no posting
number or product barcode has.
"""

from __future__ import annotations

PREFIX = "PD:"
NEXT = "PD:NEXT"  # next posting in the queue
REPRINT = "PD:REPRINT"  # print the current posting's label again (asks for the reason)
SHIP_ALL = "PD:SHIPALL"  # ship every fully packed posting
ABORT = "PD:ABORT"  # abandon the current posting's packing

ALL = (NEXT, REPRINT, SHIP_ALL, ABORT)


def is_command(code: str) -> bool:
    return code.strip().upper() in ALL
