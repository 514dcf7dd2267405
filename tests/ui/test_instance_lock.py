"""One Packdesk per data folder."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from ui import instance_lock


def test_a_second_instance_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    first = instance_lock.acquire(tmp_path)
    assert first is not None
    assert instance_lock.acquire(tmp_path) is None
    first.unlock()
    again = instance_lock.acquire(tmp_path)
    assert again is not None
    again.unlock()


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    child = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from ui import instance_lock
        lock = instance_lock.acquire(Path({str(tmp_path)!r}))
        print("locked" if lock else "refused", flush=True)
        os._exit(0)  # dies without unlocking, like a crash
        """
    )
    out = subprocess.run([sys.executable, "-c", child], cwd=root, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "locked"
    assert (tmp_path / "packdesk.lock").exists()
    lock = instance_lock.acquire(tmp_path)
    assert lock is not None
    lock.unlock()
