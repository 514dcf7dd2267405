"""The emulator in a process of its own for the benchmarks, as Ozon runs on its own machines: its
CPU time is not the client's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_emulator(*args: str) -> tuple[subprocess.Popen[str], str]:
    """`main.py emulator --port 0 ARGS…`; returns the process (the caller terminates it) and its URL."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip().removeprefix("listening on ")
