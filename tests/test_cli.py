"""`main.py` as a seller's terminal sees it: one line and a documented exit code for every failure,
never a traceback; `--demo` for every command; the window closing cleanly on SIGTERM and Ctrl+C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

import main
from app.context import open_context
from app.repos import postings as posting_repo
from tests.app.factories import NOW
from tests.printing.conftest import sample_postings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NUMBER = "12345678-0001-1"


def run(*argv: str, prefix: Sequence[str] = (), timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python main.py ARGV` in a fresh process (stdout and stderr captured)."""
    return subprocess.run(
        [*prefix, sys.executable, "main.py", *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def one_line(done: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """The failure is one line on stderr, with `code` and without a traceback."""
    assert done.returncode == code, (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with a few cached postings."""
    where = tmp_path / "data"
    ctx = open_context(str(where))
    with ctx.db.write() as s:
        posting_repo.save(s, sample_postings(), NOW)
    ctx.close()
    return where


def test_every_exit_code_is_in_the_readme() -> None:
    codes = {name: value for name, value in vars(main).items() if name.startswith("EXIT_")}
    assert len(set(codes.values())) == len(codes), "two failures share an exit code"
    for name, value in codes.items():
        assert f"| {value} |" in README and f"`{name}`" in README, name


# -- the data folder -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["orders"], ["outbox"], ["sync", "--once"], []])
def test_a_data_dir_that_is_a_file_is_one_line(tmp_path: Path, command: list[str]) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("x")
    one_line(run("--data-dir", str(file), *command), main.EXIT_DATA_DIR, "is a file")
    one_line(run("--data-dir", str(file / "data"), *command), main.EXIT_DATA_DIR, "under a file")


@pytest.mark.parametrize(
    "command",
    [
        ["orders"],
        ["outbox"],
        ["returns"],
        ["ship", NUMBER],
        ["labels", NUMBER, "--out", "x.pdf"],
        ["picklist", NUMBER, "--out", "x.pdf"],
    ],
)
def test_read_commands_refuse_a_missing_data_folder(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo"
    one_line(run("--data-dir", str(missing), *command), main.EXIT_DATA_DIR, "does not exist")
    assert not missing.exists()  # not created, and no "0 postings"


@pytest.mark.sqlite_only
def test_an_empty_folder_is_not_taken_for_data(tmp_path: Path) -> None:
    one_line(run("--data-dir", str(tmp_path), "orders"), main.EXIT_DATA_DIR, "holds no Packdesk data")
    assert not (tmp_path / "packdesk.sqlite3").exists()


def _read_only(folder: Path) -> list[str]:
    """Make `folder` read-only for the next process: the command prefix that keeps root from
    overriding the permissions (its capabilities dropped), or skip."""
    folder.chmod(0o555)
    if os.name != "posix" or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions are not enforced")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all"]


def test_permission_denied_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    prefix = _read_only(locked)
    try:
        done = run("--data-dir", str(locked / "data"), "--demo", "sync", "--once", prefix=prefix)
    finally:
        locked.chmod(0o755)
    one_line(done, main.EXIT_PERMISSION, "cannot write", str(locked / "data"))


# A fresh process whose disk is full (or whose database says so) when the command writes.
_FULL = """
import errno, sqlite3, sys
import main
from sqlalchemy.exc import OperationalError

def full(*args, **kwargs):
    if sys.argv[1] == "os":
        raise OSError(errno.ENOSPC, "No space left on device", sys.argv[2])
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13
    raise OperationalError("INSERT INTO outbox ...", {}, error)

main.shipping.queue_ship = full
sys.exit(main.main(sys.argv[3:]))
"""


@pytest.mark.parametrize("where", ["os", "sqlite"])
def test_a_full_disk_is_one_line(data_dir: Path, where: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FULL, where, str(data_dir), "--data-dir", str(data_dir), "ship", NUMBER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    one_line(done, main.EXIT_DISK_FULL, "full" if where == "sqlite" else "No space left")


# -- arguments -------------------------------------------------------------------------------------


def test_orders_takes_only_known_statuses(data_dir: Path) -> None:
    one_line(run("--data-dir", str(data_dir), "orders", "--status", "packed"), main.EXIT_USAGE, "unknown status")
    done = run("--data-dir", str(data_dir), "orders", "--status", "AWAITING_PACKAGING")
    assert done.returncode == 0 and done.stdout.strip().endswith("posting(s)"), done.stderr


@pytest.mark.parametrize("url", ["notaurl", "ftp://example.com", "http://", "http://host:99999"])
def test_an_invalid_api_url_says_so(tmp_path: Path, url: str) -> None:
    done = run("--data-dir", str(tmp_path), "--api-url", url, "sync", "--once")
    one_line(done, main.EXIT_USAGE, "not a valid URL")


def test_no_account_and_a_refused_key_are_different_codes(data_dir: Path) -> None:
    done = run("--data-dir", str(data_dir), "sync", "--once")
    one_line(done, main.EXIT_NO_ACCOUNT, "no Ozon account")
    labels = run("--data-dir", str(data_dir), "labels", NUMBER, "--kind", "ozon", "--out", str(data_dir / "l.pdf"))
    one_line(labels, main.EXIT_NO_ACCOUNT, "no Ozon account")
    assert main.EXIT_NO_ACCOUNT != main.EXIT_AUTH  # a bad key: tests/sync/test_http_and_cli.py


# -- the emulator ----------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_emulator_port_out_of_range(port: str) -> None:
    one_line(run("emulator", "--port", port), main.EXIT_USAGE, "--port")


def test_emulator_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        one_line(run("emulator", "--port", str(port)), main.EXIT_PORT_IN_USE, "in use", str(port))


# -- a closed pipe ---------------------------------------------------------------------------------


def test_a_closed_stdout_exits_quietly(data_dir: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line: as `orders | head` once head exits
    try:
        done = subprocess.run(
            [sys.executable, "main.py", "--data-dir", str(data_dir), "orders"],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == main.EXIT_BROKEN_PIPE
    assert done.stderr == ""


# -- --demo ----------------------------------------------------------------------------------------


def test_demo_is_honoured_by_every_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    demo = data / "demo"
    one_line(run("--data-dir", str(data), "--demo", "orders"), main.EXIT_DATA_DIR, "no demo data")
    assert not demo.exists()
    synced = run("--data-dir", str(data), "--demo", "sync", "--once")
    assert synced.returncode == 0 and synced.stdout.startswith("synced:"), synced.stderr
    (demo / "marker").write_text("the read commands must not wipe the demo")
    assert (demo / "logs" / "packdesk.log").exists() and not (data / "logs").exists()  # demo logs in the demo

    orders = run("--data-dir", str(data), "--demo", "orders", "--status", "awaiting_packaging")
    assert orders.returncode == 0, orders.stderr
    number = orders.stdout.split()[0]
    assert "0 posting(s)" not in orders.stdout
    for command in (["outbox"], ["returns"], ["picklist", number, "--out", str(tmp_path / "p.pdf")]):
        done = run("--data-dir", str(data), "--demo", *command)
        assert done.returncode == 0 and done.stderr == "", (command, done.stderr)
    labels = run("--data-dir", str(data), "--demo", "labels", number, "--out", str(tmp_path / "l.pdf"))
    assert labels.returncode == 0 and (tmp_path / "l.pdf").exists(), labels.stderr
    assert (demo / "marker").exists()
    assert not (data / "packdesk.sqlite3").exists()  # the real data folder was never touched

    # Through a real pipe to `head`: the first line, and not a word on stderr.
    piped = subprocess.run(  # noqa: S602 - the pipe to `head` is what is tested
        f'"{sys.executable}" main.py --data-dir "{data}" --demo orders | head -n 1',
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert piped.stdout.count("\n") == 1 and piped.stderr == "", piped.stderr


# -- the window: no display ------------------------------------------------------------------------


def _without_display(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    return {**env, **extra}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland")
def test_no_display_is_one_line_not_a_qt_abort(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "main.py", "--demo", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=_without_display(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    one_line(done, main.EXIT_NO_DISPLAY, "no display", "QT_QPA_PLATFORM=offscreen")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11")
def test_missing_xcb_libraries_are_named(tmp_path: Path) -> None:
    probe = [sys.executable, "-c", "import main; print(main._missing_xcb_library() or '')"]
    missing = subprocess.run(probe, cwd=ROOT, capture_output=True, text=True, timeout=60).stdout.strip()
    if not missing:
        pytest.skip("the xcb libraries are installed here")
    done = subprocess.run(
        [sys.executable, "main.py", "--demo", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=_without_display(DISPLAY=":99"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    one_line(done, main.EXIT_NO_DISPLAY, missing, "is missing")
    assert missing.partition(".so")[0] in README  # libxcb-icccm.so.4: the package libxcb-icccm4


# -- the window (and `sync`): SIGTERM and Ctrl+C ---------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize(
    ("command", "sig"), [([], signal.SIGTERM), ([], signal.SIGINT), (["sync"], signal.SIGTERM)], ids=str
)
def test_the_window_closes_cleanly_on_a_signal(tmp_path: Path, command: list[str], sig: signal.Signals) -> None:
    data = tmp_path / "data"
    demo = data / "demo"
    log = demo / "logs" / "packdesk.log"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "main.py", "--demo", "--data-dir", str(data), *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not (log.exists() and "synced:" in log.read_text(encoding="utf-8")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the window did not come up"
            time.sleep(0.2)
        assert (demo / "packdesk.lock").exists()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not (demo / "packdesk.lock").exists()  # released
    wal = demo / "packdesk.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed
    if not command:
        assert f"{sig.name}: closing the window" in log.read_text(encoding="utf-8")


def test_chat_intents_reads_messages_on_stdin_and_prints_json_lines(tmp_path: Path) -> None:
    """One JSON object a line, in UTF-8 under a C locale too, with no data folder needed (a file is given)."""
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x", encoding="utf-8")
    messages = [
        "Здравствуйте, когда отправите заказ?",
        "",
        "ГДЕ МОЙ ЗАКАЗ\r",
        "Добрый день",
        "спасибо, но товар разбит",
    ]
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    env.pop("PYTHONIOENCODING", None)
    done = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(a_file), "chat-intents"],
        cwd=ROOT,
        input=("\n".join(messages) + "\n").encode("utf-8"),
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    out = done.stdout.decode("utf-8")
    assert "Здравствуйте" in out  # not \u-escaped
    assert [json.loads(line) for line in out.splitlines()] == [
        {"text": "Здравствуйте, когда отправите заказ?", "intents": ["when_ship"]},
        {"text": "", "intents": []},
        {"text": "ГДЕ МОЙ ЗАКАЗ", "intents": ["where_is_order"]},
        {"text": "Добрый день", "intents": []},
        {"text": "спасибо, но товар разбит", "intents": ["damaged", "thanks"]},
    ]
    assert a_file.read_text(encoding="utf-8") == "x"  # untouched


def test_chat_intents_with_a_broken_rule_set_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.chat import intents

    broken = tmp_path / "ru.json"
    broken.write_text("{", encoding="utf-8")
    monkeypatch.setattr(intents, "rules_file", lambda language="ru": broken)
    intents.rules.cache_clear()
    try:
        assert main.main(["chat-intents"]) == main.EXIT_FAILED
    finally:
        intents.rules.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "buyer-intent rules" in err and str(broken) in err, err


# -- escalation ------------------------------------------------------------------------------------


def test_escalation_prints_the_support_message_and_writes_the_pdf(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "escalation.pdf"
    done = run("--data-dir", str(data_dir), "escalation", NUMBER, "--topic", "not_accepted", "--pdf", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("Здравствуйте!") and NUMBER in done.stdout and "МСК" in done.stdout
    assert len(done.stdout.rstrip("\n")) <= 1000
    assert out.read_bytes().startswith(b"%PDF")


def test_escalation_of_an_unknown_posting_is_one_line(data_dir: Path) -> None:
    one_line(run("--data-dir", str(data_dir), "escalation", "00000000-0000-0"), main.EXIT_FAILED, "00000000-0000-0")
    one_line(run("--data-dir", str(data_dir), "escalation", NUMBER, "--topic", "angry"), main.EXIT_USAGE, "topic")


def test_dispute_pack_writes_one_pdf_and_an_unknown_posting_is_one_line(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    done = run("--data-dir", str(data_dir), "dispute-pack", NUMBER, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert NUMBER in done.stdout and str(out) in done.stdout
    assert out.read_bytes().startswith(b"%PDF")
    one_line(run("--data-dir", str(data_dir), "dispute-pack", "00000000-0000-0", "--out", str(out)), main.EXIT_FAILED)
    one_line(run("--data-dir", str(data_dir), "dispute-pack", NUMBER), main.EXIT_USAGE, "--out")
    # A folder is no file name: refused, nothing written there (it used to get a print-spool .prn).
    one_line(
        run("--data-dir", str(data_dir), "dispute-pack", NUMBER, "--out", str(tmp_path)), main.EXIT_USAGE, "folder"
    )
    one_line(run("--data-dir", str(data_dir), "escalation", NUMBER, "--pdf", str(tmp_path)), main.EXIT_USAGE, "folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "pack.pdf"]


# -- chat templates and auto-replies -------------------------------------------------------------


def test_templates_list_export_and_import(data_dir: Path, tmp_path: Path) -> None:
    listed = run("--data-dir", str(data_dir), "templates", "--json")
    assert listed.returncode == 0, listed.stderr
    shipped = json.loads(listed.stdout)
    assert {"where_is_order", "when_ship", "thanks"} <= {t["key"] for t in shipped}
    assert set(shipped[0]) == {"key", "name_zh", "name_en", "text_ru", "intents"}
    out = tmp_path / "templates.json"
    assert run("--data-dir", str(data_dir), "templates", "--export", str(out)).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == shipped
    mine = [{"key": "mine", "name_zh": "我的", "name_en": "Mine", "text_ru": "Спасибо за заказ {order_number}!"}]
    out.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
    done = run("--data-dir", str(data_dir), "templates", "--import", str(out))
    assert done.returncode == 0 and "1 template(s) imported" in done.stderr
    text = run("--data-dir", str(data_dir), "templates").stdout
    assert "mine" in text and "我的 / Mine" in text and f"{len(shipped) + 1} template(s)" in text


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", ["not valid JSON"]),
        (
            '[{"key": "ok", "name_zh": "好", "name_en": "Ok", "text_ru": "Звоните +7 916 123 45 67"}]',
            ["#1 (ok)", "phone"],
        ),
        ('[{"key": "ok", "name_zh": "好", "name_en": "Ok", "text_ru": "Да"}, {"key": "BAD"}]', ["#2 (BAD)"]),
    ],
)
def test_a_bad_template_file_is_one_line_and_imports_nothing(
    data_dir: Path, tmp_path: Path, content: str, words: list[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    one_line(run("--data-dir", str(data_dir), "templates", "--import", str(bad)), main.EXIT_USAGE, *words)
    assert '"ok"' not in run("--data-dir", str(data_dir), "templates", "--json").stdout
    one_line(run("--data-dir", str(data_dir), "templates", "--import", str(tmp_path / "no.json")), main.EXIT_USAGE)


def test_autoreplies_import_list_and_log(data_dir: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rule = {"name": "where", "intents": ["where_is_order"], "template_key": "where_is_order", "dry_run": True}
    rules.write_text(json.dumps([rule]), encoding="utf-8")
    done = run("--data-dir", str(data_dir), "autoreplies", "--import", str(rules))
    assert done.returncode == 0 and "1 rule(s) imported" in done.stderr, done.stderr
    listed = run("--data-dir", str(data_dir), "autoreplies")
    assert "dry run" in listed.stdout and "where_is_order" in listed.stdout
    (exported,) = json.loads(run("--data-dir", str(data_dir), "autoreplies", "--json").stdout)
    assert exported["dry_run"] is True and exported["period_hours"] == 24
    log = run("--data-dir", str(data_dir), "autoreplies", "--log", "--json")
    assert log.returncode == 0 and json.loads(log.stdout) == []

    rules.write_text(json.dumps([{**rule, "template_key": "gone"}]), encoding="utf-8")
    one_line(run("--data-dir", str(data_dir), "autoreplies", "--import", str(rules)), main.EXIT_USAGE, "gone")
    assert json.loads(run("--data-dir", str(data_dir), "autoreplies", "--json").stdout) == [exported]


def test_chat_send_with_an_unknown_template_is_one_line(data_dir: Path) -> None:
    one_line(
        run("--data-dir", str(data_dir), "chat-send", "no-chat", "--template", "nope"),
        main.EXIT_USAGE,
        "template",
    )


# -- backup and restore ----------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_and_restore_from_the_command_line(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.sqlite3"
    done = run("--data-dir", str(data_dir), "backup", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout and f"{out.stat().st_size} bytes" in done.stdout
    one_line(run("--data-dir", str(data_dir), "backup", "--out", str(out)), main.EXIT_FAILED, "already exists")
    folder = tmp_path / "backups"
    folder.mkdir()
    done = run("--data-dir", str(data_dir), "backup", "--out", str(folder))
    assert done.returncode == 0 and "packdesk-backup-" in done.stdout, done.stderr
    done = run("--data-dir", str(data_dir), "restore", str(out))
    assert done.returncode == 0, done.stderr
    assert "restored the backup" in done.stdout and "before-restore-" in done.stdout
    assert run("--data-dir", str(data_dir), "orders").stdout.endswith(f"{len(sample_postings())} posting(s)\n")


@pytest.mark.sqlite_only
def test_restore_refuses_a_bad_file_and_an_open_folder(data_dir: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(os.urandom(4096))
    before = (data_dir / "packdesk.sqlite3").read_bytes()
    one_line(run("--data-dir", str(data_dir), "restore", str(junk)), main.EXIT_DATA_DIR, "not a Packdesk backup")
    one_line(run("--data-dir", str(data_dir), "restore", str(tmp_path / "none")), main.EXIT_DATA_DIR, "not exist")
    good = tmp_path / "good.sqlite3"
    assert run("--data-dir", str(data_dir), "backup", "--out", str(good)).returncode == 0
    from app.db import guard

    holder = guard.OwnerLock(data_dir / "packdesk.sqlite3")  # the app has the folder open
    holder.acquire()
    try:
        one_line(run("--data-dir", str(data_dir), "restore", str(good)), main.EXIT_BUSY, "Close it first")
    finally:
        holder.release()
    assert (data_dir / "packdesk.sqlite3").read_bytes() == before
