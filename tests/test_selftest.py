"""`main.py --self-test`: every check passes on a working installation, a failing one is a FAIL line and
EXIT_SELF_TEST, and the seller's own data folder is only read. installer.spec names files that exist."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest

import main
import selftest
from app.context import open_context
from app.db import migrate
from tests import pg_server

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ("database", "emulator", "label font", "label", "keyring", "translations")


@pytest.mark.timeout(90)
@pytest.mark.sqlite_only
def test_the_self_test_passes_here(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(data), "--self-test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=80,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":", 1)[0].split(" ", 1)[1].strip() for line in lines] == [
        "database",
        "data folder",
        *CHECKS[1:],
    ]
    assert lines[0] == f"ok  database: created, migrated to {migrate.head_revision()}, integrity ok"
    assert not any(line.startswith("FAIL") for line in lines), done.stdout
    assert "no database yet" in lines[1]
    assert not data.exists()  # the seller's folder is only looked at, never made


def _failing(_work: Path) -> str:
    raise OSError(13, "Permission denied", "/tmp/nowhere")


def test_a_failing_check_is_a_fail_line_and_a_nonzero_exit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    quick = [(name, (lambda _w: "fine") if name != "label" else _failing) for name, _ in selftest.CHECKS]
    monkeypatch.setattr(selftest, "CHECKS", quick)
    code = main.main(["--self-test"])
    out = capsys.readouterr().out
    assert code == main.EXIT_SELF_TEST == 13
    assert "FAIL label: PermissionError: [Errno 13] Permission denied: '/tmp/nowhere'" in out.splitlines()
    assert out.count("ok  ") == len(CHECKS) - 1


def test_no_temp_folder_is_one_fail_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(**_kw: Any) -> str:
        raise PermissionError(13, "Permission denied", "/tmp/readonly")

    monkeypatch.setattr(selftest.tempfile, "mkdtemp", refuse)
    assert main.main(["--self-test"]) == main.EXIT_SELF_TEST
    assert capsys.readouterr().out == (
        "FAIL temp folder: cannot create a temporary folder in /tmp/readonly: Permission denied\n"
    )


def test_the_sellers_database_is_checked_read_only(tmp_path: Path) -> None:
    ctx = open_context(str(tmp_path))
    ctx.close()
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    line = selftest.seller_data_check(tmp_path)(tmp_path / "unused")
    if pg_server.admin_url():  # the shop's server: reached, its schema read
        assert line.endswith(f"at {migrate.head_revision()}, reachable") and "postgresql" in line
    else:
        assert line.endswith(f"at {migrate.head_revision()}, integrity ok") and "packdesk.sqlite3" in line
    assert {p: p.stat().st_mtime_ns for p in before} == before  # (SQLite may add an empty -shm file)


def test_no_keyring_is_a_skip_that_names_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.setattr(keyring, "set_password", fail.Keyring().set_password)
    with pytest.raises(selftest.Skipped, match="no system keyring: set OZON_API_KEY instead"):
        selftest.check_keyring(Path())


# -- installer.spec -------------------------------------------------------------------------------


class _Recorded:
    """One of PyInstaller's build steps (Analysis, EXE, …): its arguments, kept in `made`."""

    made: ClassVar[dict[str, list[_Recorded]]] = {}

    def __init__(self, *args: Any, **kw: Any) -> None:
        self.args, self.kw = args, kw
        self.pure: list[Any] = []
        self.scripts: list[Any] = []
        self.binaries: list[Any] = []
        self.datas: list[Any] = []
        self.made.setdefault(type(self).__name__, []).append(self)


def test_installer_spec_names_every_resource_and_two_executables() -> None:
    """The spec run with PyInstaller's build steps stubbed (PyInstaller need not be installed)."""
    made = _Recorded.made
    made.clear()

    def step(kind: str) -> type[_Recorded]:
        return type(kind, (_Recorded,), {})

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package, **kw: []  # type: ignore[attr-defined]
    hooks.collect_submodules = lambda package, **kw: [package]  # type: ignore[attr-defined]
    hooks.copy_metadata = lambda package, **kw: []  # type: ignore[attr-defined]
    stubs = {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("x"),
        "PyInstaller.utils.hooks": hooks,
    }
    names = {"SPECPATH": str(ROOT), **{k: step(k) for k in ("Analysis", "PYZ", "EXE", "COLLECT")}}
    saved = {k: sys.modules.get(k) for k in stubs}
    sys.modules.update(stubs)
    try:
        exec(compile((ROOT / "installer.spec").read_text("utf-8"), "installer.spec", "exec"), names)  # noqa: S102
    finally:
        for key, module in saved.items():
            if module is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = module
    (analysis,) = made["Analysis"]
    assert all(Path(script).is_file() for script in analysis.args[0]) and analysis.args[0] == [str(ROOT / "main.py")]
    datas = analysis.kw["datas"]
    assert all(Path(source).exists() for source, _ in datas)
    shipped = {(Path(dest) / Path(source).name).as_posix() for source, dest in datas}
    wanted = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*") if p.suffix in (".qm", ".json", ".wav")
    }
    wanted |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "app/db/migrations").rglob("*.py")}
    wanted |= {"app/db/migrations/script.py.mako"}
    assert wanted <= shipped, wanted - shipped
    assert "keyring.backends" in analysis.kw["hiddenimports"]
    exes = {exe.kw["name"]: exe.kw["console"] for exe in made["EXE"]}
    assert exes == {"Packdesk": False, "packdesk-cli": True}
    (collect,) = made["COLLECT"]
    assert collect.kw["name"] == "Packdesk"


@pytest.mark.sqlite_only
def test_a_data_folder_packdesk_cannot_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a read-only disk (root ignores permission bits): Packdesk could only read it, never sync into it
    from app.db import guard

    ctx = open_context(str(tmp_path))
    ctx.close()
    monkeypatch.setattr(guard, "writable", lambda folder: folder != tmp_path)
    with pytest.raises(selftest.Failed, match="cannot write"):
        selftest.seller_data_check(tmp_path)(tmp_path / "unused")
