"""Packdesk works from its wheel, not only from a checkout: the entry module, the migrations, the
translations and the sounds ship, and the scripts point at the entry."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    leftover = ROOT / "build"  # setuptools builds in the tree: leave no copy of the sources behind
    existed = leftover.exists()
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
            check=True,
            timeout=300,
        )
    finally:
        if not existed:
            shutil.rmtree(leftover, ignore_errors=True)
    (built,) = out.glob("packdesk-*.whl")
    return built


@pytest.mark.timeout(600)
def test_the_wheel_runs_the_app_and_the_commands_without_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        whl.extractall(site)
    assert {
        "main.py",
        "selftest.py",
        "app/db/migrations/env.py",
        "resources/translations/packdesk_zh_CN.qm",
        "resources/intents/ru.json",
        "resources/templates/default.json",
    } <= names
    assert any(n.startswith("app/db/migrations/versions/0001_") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    (info,) = site.glob("packdesk-*.dist-info")
    scripts = configparser.ConfigParser()
    scripts.read(info / "entry_points.txt")
    assert scripts["gui_scripts"]["packdesk"] == "main:main"
    assert scripts["console_scripts"]["packdesk-cli"] == "main:main"

    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PACKDESK_DB_URL", None)  # the bundle's own demo folder is read as a data folder below
    data, shot = tmp_path / "data", tmp_path / "window.png"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = (
            "import sys, main, app, resources; print(main.__file__, app.__file__, resources.__file__); "
            f"sys.exit(main.main({list(args)!r}))"
        )
        return subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
        )

    gui = run("--data-dir", str(data), "--demo", "--screenshot", str(shot))
    assert gui.returncode == 0, gui.stderr
    assert all(Path(p).is_relative_to(site) for p in gui.stdout.split()), gui.stdout  # not the checkout
    assert shot.stat().st_size > 10_000  # the window after the demo's first sync (migrations ran)
    orders = run("--data-dir", str(data / "demo"), "orders", "--json")  # the demo keeps its own folder
    assert orders.returncode == 0 and '"posting_number"' in orders.stdout, orders.stderr
    intents = subprocess.run(  # the buyer-intent rules are read from the wheel
        [sys.executable, "-c", "import sys, main; sys.exit(main.main(['chat-intents']))"],
        cwd=tmp_path,
        env=env,
        input="где мой заказ\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert intents.returncode == 0 and '"intents": ["where_is_order"]' in intents.stdout, intents.stderr
