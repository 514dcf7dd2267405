"""The Settings page: save and load, the keyring failing, the connection test on the emulator, key
expiry warnings, the test print."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from keyring.errors import NoKeyringError
from PySide6.QtCore import QTime
from pytestqt.qtbot import QtBot

from app import account, secrets
from app import settings as settings_file
from app.account import AccountApi
from app.context import AppContext
from app.secrets import Credentials
from app.settings import Settings
from printing.sinks import PrinterError
from sync.client import OzonClient
from sync.emulator import Emulator, EmulatorAdapter
from tests.ui.factories import NOW
from tests.ui.test_main_window import open_window
from ui.main_window import MainWindow
from ui.settings.account import default_client
from ui.settings.page import SettingsPage
from ui.tasks import TaskManager

BASE = "http://emulator.invalid"
CLIENT_ID, API_KEY = "123456", "emu-key"


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


class FakePrinters:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.printed: list[tuple[str, str, str, int]] = []

    def available(self) -> list[str]:
        return ["Xprinter XP-420B", "HP LaserJet"]

    def test_print(self, printer: str, label_format: str, size: str, dpi: int) -> None:
        if self.error is not None:
            raise self.error
        self.printed.append((printer, label_format, size, dpi))


def emulator_clients(emulator: Emulator) -> account.ClientFactory:
    def make(credentials: Credentials, _url: str) -> AccountApi:
        session = requests.Session()
        session.mount(BASE + "/", EmulatorAdapter(emulator))
        return OzonClient(BASE, credentials, session=session)

    return make


def make_page(
    ctx: AppContext,
    tasks: TaskManager,
    qtbot: QtBot,
    make_client: account.ClientFactory | None = None,
    printers: FakePrinters | None = None,
) -> SettingsPage:
    page = SettingsPage(
        ctx.settings,
        ctx.paths.settings,
        ctx.db,
        ctx.clock,
        tasks,
        make_client=make_client or default_client,
        printers=printers or FakePrinters(),
    )
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not tasks.busy())
    return page


def test_save_and_load(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.client_id.setText(" 98765 ")
    page.demo_mode.setCurrentIndex(page.demo_mode.findData(False))
    page.label_printer.setCurrentIndex(page.label_printer.findText("Xprinter XP-420B"))
    page.document_printer.setEditText("tcp://192.168.1.50:9100")
    page.label_format.setCurrentIndex(page.label_format.findData("tspl"))
    page.label_size.setCurrentIndex(page.label_size.findData("58x40"))
    page.label_dpi.setCurrentIndex(page.label_dpi.findData(300))
    page.auto_print.setChecked(False)
    page.sender_name.setText(" ИП Ли Вэй 李伟 ")
    page.sounds.setChecked(False)
    page.chat_sound.setChecked(False)
    page.work_from.setTime(QTime(8, 30))
    page.work_to.setTime(QTime(2, 0))  # a night shift crosses midnight
    page.sync_interval.setValue(120)
    page.personal_data_days.setValue(45)
    page.language.setCurrentIndex(page.language.findData("zh_CN"))
    with qtbot.waitSignal(page.saved) as signal:
        page.save_button.click()
    stored, warning = settings_file.load(ctx.paths.settings)
    assert warning is None
    expected = Settings().replace(
        client_id="98765",
        demo_mode=False,
        label_printer="Xprinter XP-420B",
        document_printer="tcp://192.168.1.50:9100",
        label_format="tspl",
        label_size="58x40",
        label_dpi=300,
        auto_print=False,
        label_sender="ИП Ли Вэй 李伟",
        sounds=False,
        chat_sound=False,
        work_hours="08:30-02:00",
        personal_data_days=45,
        sync_interval_s=120,
        language="zh_CN",
    )
    assert stored == expected == signal.args[0]
    assert "Saved." in page.result.text() and "Restart" in page.result.text()

    again = make_page(ctx, tasks, qtbot)
    again.load(stored)
    assert again.chosen() == stored
    assert again.label_printer.currentText() == "Xprinter XP-420B"
    assert again.language.currentText() == "中文"
    assert again.sender_name.text() == "ИП Ли Вэй 李伟"


def test_api_key_goes_to_the_keyring_not_the_file(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored: dict[str, str] = {}
    monkeypatch.setattr(secrets, "store_api_key", lambda cid, key: stored.update({cid: key}))
    page = make_page(ctx, tasks, qtbot)
    page.client_id.setText(CLIENT_ID)
    page.api_key.setText("secret-key-123")
    with qtbot.waitSignal(page.saved):
        page.save_button.click()
    assert stored == {CLIENT_ID: "secret-key-123"}
    assert "secret-key-123" not in ctx.paths.settings.read_text(encoding="utf-8")
    assert page.api_key.text() == "" and page.api_key.placeholderText() == "Saved in the system keyring"


def test_keyring_failure_is_a_message_not_a_traceback(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_keyring(_cid: str, _key: str) -> None:
        raise NoKeyringError("No recommended backend was available")

    monkeypatch.setattr(secrets, "store_api_key", no_keyring)
    page = make_page(ctx, tasks, qtbot)
    page.client_id.setText(CLIENT_ID)
    page.api_key.setText("secret-key-123")
    with caplog.at_level("WARNING", logger="ui.settings.page"):
        page.save_button.click()
        qtbot.waitUntil(lambda: "keyring" in page.result.text())
    assert "OZON_API_KEY" in page.result.text()
    assert "Traceback" not in page.result.text()
    assert page.save_button.isEnabled()
    assert settings_file.load(ctx.paths.settings)[0].client_id == CLIENT_ID  # the rest was saved
    assert "secret-key-123" not in caplog.text


def test_key_without_client_id_is_refused(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.api_key.setText("secret")
    page.save_button.click()
    assert "Client-Id is not set" in page.result.text()
    assert not ctx.paths.settings.exists()


def test_connection_test_on_the_emulator(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    emulator = Emulator(seed=1, postings=3, client_id=CLIENT_ID, api_key=API_KEY, start=NOW)
    page = make_page(ctx, tasks, qtbot, emulator_clients(emulator))
    page.client_id.setText(CLIENT_ID)
    page.api_key.setText(API_KEY)
    with qtbot.waitSignal(page.key_expiry) as signal:
        page.test_button.click()
        assert not page.test_button.isEnabled()  # the call runs off the GUI thread
    expires = signal.args[0]
    assert isinstance(expires, datetime) and expires - NOW == timedelta(days=90)
    assert page.connection_result.text().startswith("Connected")
    assert "(90 day(s) left)" in page.expiry.text()
    qtbot.waitUntil(lambda: account.stored_expiry(ctx.db) == expires)


def test_connection_test_with_a_wrong_key(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    emulator = Emulator(seed=1, postings=3, client_id=CLIENT_ID, api_key=API_KEY, start=NOW)
    page = make_page(ctx, tasks, qtbot, emulator_clients(emulator))
    page.client_id.setText(CLIENT_ID)
    page.api_key.setText("wrong")
    page.test_button.click()
    qtbot.waitUntil(page.test_button.isEnabled)
    assert page.connection_result.text() == "Ozon rejected the Client-Id or Api-Key. Check them in Settings."


def test_connection_test_needs_a_client_id(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.test_button.click()
    qtbot.waitUntil(page.test_button.isEnabled)
    assert page.connection_result.text().startswith("Client-Id is not set")


def test_key_expiring_soon_is_warned(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    emulator = Emulator(seed=1, postings=3, client_id=CLIENT_ID, api_key=API_KEY, start=NOW - timedelta(days=80))
    page = make_page(ctx, tasks, qtbot, emulator_clients(emulator))
    page.client_id.setText(CLIENT_ID)
    page.api_key.setText(API_KEY)
    with qtbot.waitSignal(page.key_expiry):
        page.test_button.click()
    assert "10 day(s) left" in page.expiry.text() and "Create a new key" in page.expiry.text()


class ExpiringClient:
    def __init__(self, days: float) -> None:
        self.days = days

    def key_expires_at(self) -> datetime:
        return NOW + timedelta(days=self.days)

    def cancel_reasons(self) -> list[tuple[int, str, str]]:
        return [(352, "Товар закончился", "seller")]


def test_window_warns_days_before_the_key_expires(ctx: AppContext, qtbot: QtBot) -> None:
    window = MainWindow(ctx, None, False, client=ExpiringClient(5.5))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.banner.isVisible)
    assert "5 day(s) left" in window.banner.text.text()
    quiet = MainWindow(ctx, None, False, client=ExpiringClient(60))
    qtbot.addWidget(quiet)
    quiet.show()
    qtbot.waitUntil(lambda: not quiet.tasks.busy())
    assert not quiet.banner.isVisible()


def test_test_print_uses_the_forms_printer(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    printers = FakePrinters()
    page = make_page(ctx, tasks, qtbot, printers=printers)
    page.label_printer.setEditText("tcp://10.0.0.7:9100")
    page.label_format.setCurrentIndex(page.label_format.findData("zpl"))
    page.test_print_button.click()
    qtbot.waitUntil(page.test_print_button.isEnabled)
    assert printers.printed == [("tcp://10.0.0.7:9100", "zpl", "75x120", 203)]
    assert page.print_result.text().startswith("Sent.")


def test_test_print_failure_says_what_to_check(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    printers = FakePrinters(PrinterError("printer_offline", "the printer at 10.0.0.7 does not answer"))
    page = make_page(ctx, tasks, qtbot, printers=printers)
    page.test_print_button.click()
    qtbot.waitUntil(page.test_print_button.isEnabled)
    assert "10.0.0.7" in page.print_result.text() or "printer" in page.print_result.text().lower()


def test_demo_mode_edits_the_sellers_own_settings(ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    own = tmp_path / "own" / "settings.json"
    settings_file.save(own, Settings(client_id="555", language="ru_RU"))
    window = open_window(ctx, qtbot)
    assert window.settings_page.path == ctx.paths.settings
    demo = MainWindow(ctx, None, True, settings_path=own)
    qtbot.addWidget(demo)
    assert demo.settings_page.client_id.text() == "555"
    assert demo.settings_page.language.currentData() == "ru_RU"


def test_client_id_takes_digits_and_a_value_outside_its_range_is_not_saved(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot
) -> None:
    page = make_page(ctx, tasks, qtbot)
    qtbot.keyClicks(page.client_id, "12ab34")
    assert page.client_id.text() == "1234"
    page.settings = page.settings.replace(api_url="ftp://api-seller.ozon.ru")  # not on the form: slipped past
    page.save_button.click()
    assert "api_url" in page.result.text() and page.save_button.isEnabled()
    assert not ctx.paths.settings.exists()


class FiveSecondSync:
    """A sync control with the scheduler's `interval_s` (the demo's pace)."""

    interval_s = 5.0

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def sync_now(self, retry_paused: bool = False) -> None: ...


def test_demo_settings_show_the_demos_real_values(ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    """Issue 9: in the demo the page shows where its prints go and how often it syncs, and no key
    expiry (the emulator's key is nobody's) while the seller has no key."""
    from tests.ui.test_packing_screens import target

    folder = str(tmp_path / "demo" / "printed")
    ctx.settings = ctx.settings.replace(label_printer=folder, document_printer=folder)
    account.store_expiry(ctx.db, NOW + timedelta(days=3), NOW)  # the emulator's key, stored: would warn
    own = tmp_path / "own" / "settings.json"
    settings_file.save(own, Settings(sync_interval_s=120))
    window = MainWindow(ctx, FiveSecondSync(), True, settings_path=own)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_page("settings")
    qtbot.waitUntil(lambda: not window.tasks.busy())
    page = window.settings_page
    assert folder in page.demo_printing.text() and page.demo_printing.isVisible()
    line = page.label_printer.lineEdit()
    assert line is not None and folder in line.placeholderText()
    assert "5 s" in page.demo_sync.text() and page.sync_interval.value() == 120  # the seller's own, kept
    assert page.expiry.text() == "No Api-Key yet: the demo needs none."
    assert "expires" not in window.banner.text.text()
    assert page.chosen().label_printer == ""  # the demo's folder is not saved as the seller's printer
    assert window.grab().save(target("pd-settings-demo.png"))


def test_outside_the_demo_no_demo_notes(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.show()
    assert not page.demo_printing.isVisible() and not page.demo_sync.isVisible()


# -- backup ---------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_back_up_now_writes_a_file_and_says_its_size(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OZON_CLIENT_ID", raising=False)
    ctx.settings = ctx.settings.replace(client_id="98765")
    page = make_page(ctx, tasks, qtbot)
    folder = tmp_path / "backups"
    folder.mkdir()
    # Another shop's backups in the shared folder: never this shop's to prune (keep 1 below).
    others = [folder / f"packdesk-backup-555-2026010{d}T000000Z.sqlite3" for d in (1, 2)]
    for other in others:
        other.write_bytes(b"another shop")
    page.backup.folder.setText(str(folder))
    page.backup.keep.setValue(1)
    page.backup.now_button.click()
    qtbot.waitUntil(lambda: page.backup.now_button.isEnabled() and not tasks.busy())
    made = [p for p in folder.iterdir() if p not in others]
    assert len(made) == 1 and made[0].name.startswith("packdesk-backup-98765-")
    assert all(other.exists() for other in others)
    text = page.backup.result.text()
    assert str(made[0]) in text and page.locale().formattedDataSize(made[0].stat().st_size) in text
    chosen = page.chosen()
    assert (chosen.backup_folder, chosen.backup_keep, chosen.backup_every_hours) == (str(folder), 1, 24)


@pytest.mark.sqlite_only
def test_back_up_now_into_a_folder_that_is_gone_is_a_sentence(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, tmp_path: Path
) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.backup.folder.setText(str(tmp_path / "unplugged"))
    page.backup.now_button.click()
    qtbot.waitUntil(lambda: page.backup.now_button.isEnabled() and not tasks.busy())
    assert "does not exist" in page.backup.result.text() and "Traceback" not in page.backup.result.text()


@pytest.mark.sqlite_only
def test_restore_checks_confirms_and_schedules_for_the_next_start(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, tmp_path: Path
) -> None:
    from app import backup

    database = ctx.db.path
    assert database is not None
    made = backup.backup_to_folder(database, tmp_path, keep=5, shop="98765")
    page = make_page(ctx, tasks, qtbot)
    asked: list[str] = []

    def confirm(text: str) -> bool:
        asked.append(text)
        return True

    page.backup.choose_file = lambda: str(made.path)
    page.backup.confirm = confirm
    page.backup.restore_button.click()
    qtbot.waitUntil(lambda: backup.scheduled(database) is not None and not tasks.busy())
    assert made.taken_at.astimezone().strftime("%d.%m.%Y %H:%M") in asked[0] and "before-restore" in asked[0]
    assert "start it again" in page.backup.restore_result.text()
    # The wrong date was picked: the restore can be called off before the restart.
    assert not page.backup.cancel_restore_button.isHidden()
    page.backup.cancel_restore_button.click()
    qtbot.waitUntil(lambda: backup.scheduled(database) is None and not tasks.busy())
    assert "cancelled" in page.backup.restore_result.text() and page.backup.cancel_restore_button.isHidden()
    page.backup.restore_button.click()
    qtbot.waitUntil(lambda: backup.scheduled(database) is not None and not tasks.busy())
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"junk" * 100)
    page.backup.choose_file = lambda: str(junk)
    page.backup.restore_button.click()
    qtbot.waitUntil(lambda: page.backup.restore_button.isEnabled() and not tasks.busy())
    assert "not a Packdesk backup" in page.backup.restore_result.text() and len(asked) == 2
