"""Ozon's PDFs on disk, so they print again offline: a label per posting, an act per print job.

The sync engine writes them; both sides name the files through `app.label_files`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app import label_files
from app.errors import UserError


class LabelNotCached(UserError):
    def __init__(self, posting_number: str) -> None:
        super().__init__(
            "label_not_cached",
            f"Ozon's label for {posting_number} has not been downloaded yet",
            posting=posting_number,
        )


def file_name(posting_number: str) -> str:
    return label_files.label_path(Path(), posting_number).name


def act_path(labels_dir: Path, job_key: str) -> Path:
    return label_files.act_path(labels_dir, job_key)


def load_act(labels_dir: Path, job_key: str) -> bytes | None:
    try:
        return act_path(labels_dir, job_key).read_bytes()
    except FileNotFoundError:
        return None


def path(labels_dir: Path, posting_number: str) -> Path:
    return label_files.label_path(labels_dir, posting_number)


def load(labels_dir: Path, posting_number: str) -> bytes:
    try:
        return path(labels_dir, posting_number).read_bytes()
    except FileNotFoundError:
        raise LabelNotCached(posting_number) from None


def has(labels_dir: Path, posting_number: str) -> bool:
    return path(labels_dir, posting_number).is_file()


def store(labels_dir: Path, posting_number: str, pdf: bytes) -> Path:
    """Atomic: a half-written label is never printed."""
    labels_dir.mkdir(parents=True, exist_ok=True)
    target = path(labels_dir, posting_number)
    fd, tmp = tempfile.mkstemp(prefix=".label-", suffix=".part", dir=labels_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
