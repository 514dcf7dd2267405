"""Ozon's PDFs on disk, so they print again offline: one label per posting, one act per print job.

The sync engine and the `labels` command write them, the printing side reads them; every caller goes
through this module (names, atomic writes, splitting a batch of labels into one file per posting).

Several desks on one server: the leading desk downloads Ozon's PDFs, every desk prints them. A labels
folder `share`d with the database writes each PDF into it too (`shared_files`); a file missing from
a desk's folder is taken from there and kept in the folder.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import atomic
from app.db.desk_tables import SharedFileRow
from app.db.engine import Database
from app.errors import UserError
from app.repos import upsert


class LabelNotCached(UserError):
    def __init__(self, posting_number: str) -> None:
        super().__init__(
            "label_not_cached",
            f"Ozon's label for {posting_number} has not been downloaded yet",
            posting=posting_number,
        )


class LabelFileUnreadable(UserError):
    def __init__(self, detail: str) -> None:
        super().__init__("label_pdf_unreadable", f"Ozon's label file cannot be read ({detail})", detail=detail)


def safe_name(name: str) -> str:
    """Anything but letters, digits, '-' and '_' becomes '_' (posting numbers are safe already)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def label_path(labels_dir: Path, posting_number: str) -> Path:
    return labels_dir / f"{safe_name(posting_number)}.pdf"


def act_path(labels_dir: Path, job_key: str) -> Path:
    """Ozon's act for a carriage, saved under the key of the print job that waits for it."""
    return labels_dir / f"act-{safe_name(job_key)}.pdf"


# Labels folders shared through a database (several desks on one server): folder → database.
_shared: dict[Path, Database] = {}


def share(labels_dir: Path, db: Database) -> None:
    """PDFs stored in `labels_dir` go into `db` too, and those missing here are taken from there."""
    _shared[labels_dir.resolve()] = db


def unshare(labels_dir: Path) -> None:
    _shared.pop(labels_dir.resolve(), None)


def _write(path: Path, pdf: bytes) -> Path:
    written = atomic.write_bytes(path, pdf)  # a half label never prints
    db = _shared.get(path.parent.resolve())
    if db is not None:
        with db.write() as s:
            row = {"name": path.name, "data": pdf, "stored_at": datetime.now(UTC)}
            upsert.upsert(s, SharedFileRow.__table__, [row], keys=["name"])  # type: ignore[arg-type]
    return written


def _read(path: Path) -> bytes | None:
    """The file, or the shared copy (kept in the folder from now on), or None."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    db = _shared.get(path.parent.resolve())
    if db is None:
        return None
    with db.read() as s:
        data = s.scalar(select(SharedFileRow.data).where(SharedFileRow.name == path.name))
    if data is None:
        return None
    atomic.write_bytes(path, data)
    return bytes(data)


def store(labels_dir: Path, posting_number: str, pdf: bytes) -> Path:
    return _write(label_path(labels_dir, posting_number), pdf)


def store_act(labels_dir: Path, job_key: str, pdf: bytes) -> Path:
    return _write(act_path(labels_dir, job_key), pdf)


def has(labels_dir: Path, posting_number: str) -> bool:
    return _read(label_path(labels_dir, posting_number)) is not None


def load(labels_dir: Path, posting_number: str) -> bytes:
    data = _read(label_path(labels_dir, posting_number))
    if data is None:
        raise LabelNotCached(posting_number)
    return data


def load_act(labels_dir: Path, job_key: str) -> bytes | None:
    return _read(act_path(labels_dir, job_key))


# -- a batch of labels (one PDF from a label task) → one file per posting ----------------------------


def open_pdf(pdf: bytes) -> Any:
    """A pypdfium2 PdfDocument of Ozon's PDF (close it); LabelFileUnreadable when it is not one."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise LabelFileUnreadable(str(exc)) from exc


def split_pages(pdf: bytes) -> list[tuple[bytes, str]]:
    """Each page as a PDF of its own, with the page's text (to tell whose label it is)."""
    import pypdfium2 as pdfium

    src = open_pdf(pdf)
    try:
        pages = []
        for i in range(len(src)):
            page = src[i]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            one = pdfium.PdfDocument.new()
            try:
                one.import_pages(src, [i])
                buf = io.BytesIO()
                one.save(buf)
                pages.append((buf.getvalue(), text))
            finally:
                one.close()
        return pages
    finally:
        src.close()


def assign_pages(texts: Sequence[str], posting_numbers: Sequence[str]) -> list[str] | None:
    """Whose label each page is: by the posting number printed on it, else (one page per posting,
    as Ozon documents) by order. None when neither can be trusted."""
    read: list[str | None] = []
    for text in texts:
        flat = re.sub(r"\s+", "", text)
        on_page = [n for n in posting_numbers if n in flat]
        # A number inside a longer one (…-1 in …-12) is not proof: keep the longest.
        on_page = [n for n in on_page if not any(m != n and n in m for m in on_page)]
        read.append(on_page[0] if len(on_page) == 1 else None)
    if None not in read and len(set(read)) == len(read):
        return [n for n in read if n is not None]
    if len(texts) != len(posting_numbers):
        return None
    if any(n is not None and n != expected for n, expected in zip(read, posting_numbers, strict=True)):
        return None  # the text contradicts the order
    return list(posting_numbers)
