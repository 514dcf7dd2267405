"""`python main.py --demo --screenshot PATH`: the window, rendered offscreen after the first sync."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("page", ["orders", "settings", "returns", "reviews"])
def test_screenshot_command_writes_a_png(tmp_path: Path, page: str) -> None:
    target = tmp_path / "shots" / f"{page}.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # it must pick offscreen itself
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    done = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--data-dir",
            str(tmp_path / "data"),
            "--demo",
            "--screenshot",
            str(target),
            "--page",
            page,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(target))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1280, 800)
    log = (tmp_path / "data" / "demo" / "logs" / "packdesk.log").read_text(encoding="utf-8")  # demo logs: in the demo
    assert "synced:" in log and f"screenshot of {page} saved" in log
