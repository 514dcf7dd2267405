"""A table of figures to CSV (UTF-8 with a BOM, so Excel reads Cyrillic and Chinese) or XLSX (openpyxl).

Numbers stay numbers in XLSX (a Decimal is written as a float cell with two decimals shown; dates as
dates); in CSV they are written plainly (a dot as the decimal separator, ISO dates).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from app import atomic

Cell = str | int | float | Decimal | date | None
CSV_ENCODING = "utf-8-sig"
_SHEET_TITLE_MAX = 31
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what openpyxl refuses (XML 1.0)
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return value.isoformat() if isinstance(value, date) else str(value)


def write_csv(table: Table, path: Path) -> None:
    lines: list[list[str]] = [table.headers, *([_text(c) for c in row] for row in table.rows)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(lines)
    atomic.write_bytes(path, buffer.getvalue().encode(CSV_ENCODING))


def write_xlsx(tables: Sequence[Table] | Table, path: Path) -> None:
    """One sheet per table (the table's title names it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in [tables] if isinstance(tables, Table) else tables:
        title = _sheet_title(table.title, used)
        sheet = book.create_sheet(title)
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([float(c) if isinstance(c, Decimal) else _xlsx_text(c) for c in row])
            for value, cell in zip(row, sheet[sheet.max_row], strict=False):
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula: "=…" from a product name stays text
                elif isinstance(value, Decimal):
                    cell.number_format = "0.00"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
        for index, header in enumerate(table.headers, start=1):
            width = max([len(header), *(len(_text(r[index - 1])) for r in table.rows if len(r) >= index)])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(60, width * 1.3 + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    atomic.write_bytes(path, buffer.getvalue())


def _xlsx_text(value: Cell) -> Cell:
    """A string without the control characters a worksheet cannot hold (each one becomes a space)."""
    return _CONTROL.sub(" ", value) if isinstance(value, str) else value


def _sheet_title(title: str, used: set[str]) -> str:
    base = (title.translate(_SHEET_FORBIDDEN).strip() or "Sheet")[:_SHEET_TITLE_MAX]
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name, n = base[: _SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    used.add(name.casefold())
    return name
