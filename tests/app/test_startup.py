"""Start-up of the command line on a damaged, missing or read-only database (issue 9 part B)."""

from __future__ import annotations

from pathlib import Path

import pytest

import main
from app.db import guard
from tests.app.test_data_safety import _filled


def test_outbox_and_orders_run_on_a_read_only_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _filled(tmp_path)
    for path in [data, *data.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if guard.writable(data):  # root (or Windows) writes anyway: the folder says it cannot
        monkeypatch.setattr(guard, "writable", lambda _folder: False)
    try:
        assert main.main(["--data-dir", str(data), "outbox"]) == 0
        assert "1 action(s)" in capsys.readouterr().out
        assert main.main(["--data-dir", str(data), "orders"]) == 0
        out = capsys.readouterr()
        assert "1 posting(s)" in out.out and "Logging error" not in out.err
    finally:
        for path in [data, *data.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.sqlite_only
def test_a_write_command_on_a_read_only_folder_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _filled(tmp_path)
    monkeypatch.setattr(guard, "writable", lambda _folder: False)
    assert main.main(["--data-dir", str(data), "ship", "12345678-0001-1"]) == main.EXIT_PERMISSION
    assert f"Packdesk cannot write to {data}" in capsys.readouterr().err


@pytest.mark.sqlite_only
def test_an_empty_database_file_is_refused_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _filled(tmp_path)
    (data / "packdesk.sqlite3").write_bytes(b"")
    assert main.main(["--data-dir", str(data), "ship", "12345678-0001-1"]) == main.EXIT_DATA_DIR
    assert "is missing or empty" in capsys.readouterr().err
    assert (data / "packdesk.sqlite3").stat().st_size == 0


def test_missing_display_libraries_name_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_qt(*_args: object) -> int:
        raise ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(main, "cmd_gui", no_qt)
    monkeypatch.setattr(main, "_wants_demo", lambda _args: False)
    assert main.main(["--data-dir", str(tmp_path / "data")]) == main.EXIT_NO_DISPLAY
    err = capsys.readouterr().err
    assert "libEGL.so.1 is missing" in err and "apt-get install libegl1" in err and "Traceback" not in err
