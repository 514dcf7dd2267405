"""Who packs at the desk, on the Packing page: "Packer: … ▾" (F4) opens the picker of the shop's
packers; a PIN is asked for a packer who has one and a wrong one changes nothing; no change while a
posting is on the desk; the pick is remembered for this desk. Settings → Packers adds, sets a PIN,
removes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import history, packers
from app.context import AppContext
from app.history import EventKind
from tests.ui.factories import NOW
from tests.ui.fakes import FakePrinter, FakeSounds, FakeSync
from tests.ui.test_packing_page import FBS, MUG, Desk, Ozon, fill, scan, settle
from ui import desk_user
from ui.bridge import EventBridge
from ui.packing.packer_picker import PackerPicker
from ui.packing.page import PackingPage
from ui.packing.ports import OnlinePorts
from ui.settings.packers import PackersBox
from ui.tasks import TaskManager


@pytest.fixture
def desk(ctx: AppContext, qtbot: QtBot) -> Iterator[Desk]:
    fill(ctx)
    with ctx.db.write() as s:
        packers.add(s, "Анна", NOW, pin="2468")
        packers.add(s, "Ли Вэй", NOW)
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    sounds, printer, sync, ozon = FakeSounds(), FakePrinter(), FakeSync(), Ozon(ctx)
    page = PackingPage(
        ctx, tasks, bridge, sync=sync, ports=OnlinePorts(check=ozon.check), printer=printer, sounds=sounds, user="os"
    )
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    qtbot.waitExposed(page)
    settle(qtbot, tasks)
    yield Desk(page, sounds, printer, sync, ozon, tasks)
    bridge.close()
    tasks.shutdown()


def picker(qtbot: QtBot, d: Desk) -> PackerPicker:
    qtbot.keyClick(d.page.scan, Qt.Key.Key_F4)
    settle(qtbot, d.tasks)
    qtbot.waitUntil(lambda: d.page.packer_button.picker is not None)
    found = d.page.packer_button.picker
    assert found is not None and found.isVisible()
    return found


def choose(qtbot: QtBot, d: Desk, dialog: PackerPicker, name: str, pin: str = "") -> None:
    row = next(i for i in range(dialog.list.count()) if dialog.list.item(i).text().startswith(name))
    dialog.list.setCurrentRow(row)
    if pin:
        qtbot.keyClicks(dialog.pin, pin)
    dialog.ok.click()
    settle(qtbot, d.tasks)


def test_a_packer_picks_their_name_with_their_pin_and_it_is_remembered(
    qtbot: QtBot, desk: Desk, ctx: AppContext
) -> None:
    d = desk
    assert d.page.packer_button.text().endswith("os ▾") and d.page.packer_button.isVisible()
    dialog = picker(qtbot, d)
    assert dialog.list.count() == 2 and dialog.list.item(0).text() == "Анна  (PIN)"
    choose(qtbot, d, dialog, "Анна", "1111")  # wrong: refused plainly, nothing changes
    assert dialog.isVisible() and "Wrong PIN" in dialog.error.text()
    assert d.page.station.user == "os" and desk_user.remembered_packer(ctx.paths.data) == ""
    dialog.pin.clear()
    qtbot.keyClicks(dialog.pin, "2468")
    dialog.ok.click()
    settle(qtbot, d.tasks)
    qtbot.waitUntil(lambda: d.page.packer_button.picker is None)
    assert d.page.station.user == "Анна" and "Анна" in d.page.packer_button.text()
    assert desk_user.remembered_packer(ctx.paths.data) == "Анна"
    assert d.page.window().focusWidget() is d.page.scan  # the scanner types into the field again
    scan(qtbot, d, FBS)
    with ctx.db.read() as s:
        opened = [e for e in history.of(s, FBS) if e.kind is EventKind.SCAN_POSTING]
    assert opened[-1].user == "Анна" and opened[-1].desk == d.page.station.desk
    # The next start of the desk: the remembered packer, no PIN asked again.
    again = PackingPage(ctx, d.tasks, EventBridge(ctx.bus), sounds=FakeSounds(), user="os")
    qtbot.addWidget(again)
    settle(qtbot, d.tasks)
    assert again.station.user == "Анна" and "Анна" in again.packer_button.text()


def test_no_change_while_a_posting_is_on_the_desk(qtbot: QtBot, desk: Desk) -> None:
    d = desk
    scan(qtbot, d, FBS)
    scan(qtbot, d, MUG)
    qtbot.keyClick(d.page.scan, Qt.Key.Key_F4)
    settle(qtbot, d.tasks)
    assert d.page.packer_button.picker is None
    assert FBS in d.page.banner.text() and "put it aside" in d.page.banner.text()
    assert d.page.station.user == "os"


def test_a_removed_packer_is_forgotten_and_the_login_name_stays(qtbot: QtBot, ctx: AppContext) -> None:
    fill(ctx)
    desk_user.remember_packer(ctx.paths.data, "Борис")  # removed since
    tasks = TaskManager()
    page = PackingPage(ctx, tasks, EventBridge(ctx.bus), sounds=FakeSounds(), user="os")
    qtbot.addWidget(page)
    settle(qtbot, tasks)
    assert page.station.user == "os" and desk_user.remembered_packer(ctx.paths.data) == ""
    page.packer_button.open_picker()  # no packers: the picker says where to add them
    settle(qtbot, tasks)
    qtbot.waitUntil(lambda: page.packer_button.picker is not None)
    dialog = page.packer_button.picker
    assert dialog is not None
    note = dialog.findChild(type(page.banner), "noPackers")
    assert note is not None and "Settings" in note.text()
    dialog.reject()
    tasks.shutdown()


def test_settings_adds_sets_a_pin_and_removes_packers(qtbot: QtBot, ctx: AppContext) -> None:
    tasks = TaskManager()
    box = PackersBox(tasks, ctx.db, ctx.clock)
    qtbot.addWidget(box)
    box.show()
    settle(qtbot, tasks)
    box.name.setText("  Ли   Вэй ")
    box.add_button.click()
    settle(qtbot, tasks)
    box.name.setText("ли вэй")
    box.add_button.click()
    settle(qtbot, tasks)
    assert "already" in box.result.text()
    box.name.setText("Анна")
    qtbot.keyClicks(box.pin, "12ab34")  # only digits go in
    assert box.pin.text() == "1234"
    box.add_button.click()
    settle(qtbot, tasks)
    assert [box.list.item(i).text() for i in range(box.list.count())] == ["Анна  (PIN)", "Ли Вэй"]
    box.list.setCurrentRow(1)
    qtbot.keyClicks(box.pin, "123")
    box.set_pin_button.click()
    settle(qtbot, tasks)
    assert "4 to 8 digits" in box.result.text()
    box.pin.clear()
    qtbot.keyClicks(box.pin, "98765")
    box.set_pin_button.click()
    settle(qtbot, tasks)
    with ctx.db.read() as s:
        assert packers.verify(s, "Ли Вэй", "98765") == "Ли Вэй"
    box.list.setCurrentRow(0)
    box.remove_button.click()
    settle(qtbot, tasks)
    assert [p.name for p in packers.listed(ctx.db)] == ["Ли Вэй"]
    tasks.shutdown()


def test_returns_and_handover_act_as_the_packer_picked_at_this_desk(ctx: AppContext) -> None:
    data = ctx.paths.data
    assert desk_user.current_user(data) == desk_user.login_name()
    desk_user.remember_packer(data, "Ли Вэй")
    assert desk_user.current_user(data) == "Ли Вэй" and (data / "desk.ini").is_file()
    from ui.handover.page import HandoverPage
    from ui.returns.page import ReturnsPage

    assert isinstance(ReturnsPage.user, property) and isinstance(HandoverPage.user, property)
    desk_user.remember_packer(data, "")
    assert desk_user.current_user(data) == desk_user.login_name()


def test_orders_prints_carry_this_desk_and_its_packer(ctx: AppContext) -> None:
    from app import desks, print_queue
    from tests.ui.factories import make_posting, save
    from ui.orders.actions import WorkflowActions

    posting = make_posting(7)
    save(ctx, [posting])
    ctx.settings = ctx.settings.replace(desk_name="Стол 2")
    desk_user.remember_packer(ctx.paths.data, "Анна")
    WorkflowActions(ctx).print_pick_list([posting.posting_number])
    with ctx.db.read() as s:
        (job,) = print_queue.jobs(s)
    assert (job.user, job.desk) == ("Анна", "Стол 2") == ("Анна", desks.desk_name(ctx.settings))
