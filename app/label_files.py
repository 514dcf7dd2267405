"""Where Ozon's PDFs are kept on disk so they print again offline: one label per posting, one act per
print job. The sync engine writes them, the printing side reads them: one naming for both."""

from __future__ import annotations

from pathlib import Path


def safe_name(name: str) -> str:
    """Anything but letters, digits, '-' and '_' becomes '_' (posting numbers are safe already)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def label_path(labels_dir: Path, posting_number: str) -> Path:
    return labels_dir / f"{safe_name(posting_number)}.pdf"


def act_path(labels_dir: Path, job_key: str) -> Path:
    """Ozon's act for a carriage, saved under the key of the print job that waits for it."""
    return labels_dir / f"act-{safe_name(job_key)}.pdf"
