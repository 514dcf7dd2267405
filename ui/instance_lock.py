"""One Packdesk window per data folder: two would sync and print the same queue twice, and SQLite's
WAL wants one writing process (docs/reliability.md, One writer)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile


def acquire(data_dir: Path) -> QLockFile | None:
    """The held lock, or None when another Packdesk has this folder open. A lock left by a process
    that died is taken over (QLockFile checks the PID it recorded)."""
    lock = QLockFile(str(data_dir / "packdesk.lock"))
    lock.setStaleLockTime(0)
    return lock if lock.tryLock(200) else None
