"""The Returns page: stage buttons with counts, kind and search filters, countdown colours, a decision
refused until its fields are filled and then queued once, receiving by scan with a differing marking
code flagged, hostile buyer text shown literally, and the navigation's badge."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app import outbox
from app.context import AppContext
from app.db.tables import MarkingCodeRow
from app.domain.postings import PostingStatus
from app.domain.returns import RejectionReason, ReturnAction, ReturnDetails, ReturnKind, ReturnRequest, Stage
from app.outbox import ActionKind
from app.repos import returns as return_repo
from tests.app.marks import mark
from tests.ui.factories import NOW, make_posting, save
from tests.ui.fakes import FakeSounds
from ui import wording
from ui.bridge import EventBridge
from ui.main_window import MainWindow
from ui.returns import texts
from ui.returns.list_model import ReturnColumn
from ui.returns.page import ReturnsPage
from ui.tasks import TaskManager

H = timedelta(hours=1)
HOSTILE = "<b>x</b> <a href='https://evil.example'>link</a> <img src=file:///etc/passwd>"
FBS_POSTING = make_posting(5, status=PostingStatus.DELIVERED).posting_number
EAN = "4600000000015"
APPROVE, REJECT = 11, -1


def request(return_id: int, kind: ReturnKind, **values: object) -> ReturnRequest:
    base: dict[str, object] = {
        "return_id": return_id,
        "kind": kind,
        "posting_number": f"7000{return_id}-0001-1",
        "order_number": f"7000{return_id}-0001",
        "sku": 500 + return_id,
        "offer_id": f"ART-{return_id}",
        "product_name": f"Товар {return_id}",
        "quantity": 1,
        "price": Decimal("990.00"),
        "currency": "RUB",
        "status": "ON_APPROVAL" if kind is ReturnKind.RFBS else "MovingToSeller",
        "status_name": "На проверке" if kind is ReturnKind.RFBS else "Едет к продавцу",
        "reason": "Не подошёл размер",
        "created_at": NOW - 2 * H,
        "changed_at": NOW - 2 * H,
        "return_number": f"RET-{return_id}",
        "group": "New" if kind is ReturnKind.RFBS else "",
    }
    base.update(values)
    return ReturnRequest(**base)  # type: ignore[arg-type]


def fill(ctx: AppContext) -> str:
    """Three rFBS requests (2 h, 10 h and 2 days left), FBS returns on the way, arrived and closed.
    Returns the shipped marking code of the FBS return on the way."""
    save(ctx, [make_posting(5, status=PostingStatus.DELIVERED)])
    shipped = mark(EAN, seed=1)
    with ctx.db.write() as s:
        return_repo.save(
            s,
            [
                request(1, ReturnKind.RFBS, created_at=NOW - 70 * H, product_name=HOSTILE),
                request(2, ReturnKind.RFBS, created_at=NOW - 62 * H),
                request(3, ReturnKind.RFBS, created_at=NOW - 24 * H),
                request(4, ReturnKind.FBS, posting_number=FBS_POSTING, barcode="RB-100", sku=777, place="ПВЗ Москва"),
                request(5, ReturnKind.FBS, status="ArrivedAtReturnPlace", status_name="В пункте выдачи"),
                request(6, ReturnKind.FBO, status="Rejected", status_name="Отклонён"),
            ],
        )
        for return_id in (1, 2, 3):
            return_repo.save_details(
                s,
                ReturnDetails(
                    return_id,
                    "ON_APPROVAL",
                    "На проверке",
                    (ReturnAction(APPROVE, "Одобрить"), ReturnAction(REJECT, "Отклонить")),
                    (RejectionReason(5, "Товар был в использовании", "Приложите фото"),),
                    comment=HOSTILE if return_id == 1 else "Не подошло",
                ),
            )
        s.add(
            MarkingCodeRow(
                ident=shipped.split("\x1d")[0], code=shipped, posting_number=FBS_POSTING, sku=777, scanned_at=NOW
            )
        )
    return shipped


@dataclasses.dataclass
class Screen:
    page: ReturnsPage
    tasks: TaskManager
    ctx: AppContext
    sounds: FakeSounds
    shipped: str


@pytest.fixture
def screen(ctx: AppContext, qtbot: QtBot) -> Iterator[Screen]:
    shipped = fill(ctx)
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    sounds = FakeSounds()
    page = ReturnsPage(ctx, tasks, bridge, sounds=sounds, user="desk")
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: not tasks.busy() and page.model.rowCount() > 0)
    yield Screen(page, tasks, ctx, sounds, shipped)
    bridge.close()
    tasks.shutdown()


def numbers(page: ReturnsPage) -> list[str]:
    return [str(page.model.index(r, ReturnColumn.RETURN).data()).split("\n")[0] for r in range(page.model.rowCount())]


def open_return(qtbot: QtBot, s: Screen, number: str) -> None:
    s.page.view.selectRow(numbers(s.page).index(number))
    qtbot.waitUntil(lambda: s.page.current is not None and s.page.current.row.return_number == number)


def decisions(ctx: AppContext) -> list[dict[str, object]]:
    with ctx.db.read() as session:
        return [e.payload for e in outbox.entries(session) if e.action is ActionKind.RETURN_DECISION]


def test_stage_buttons_count_and_filter(qtbot: QtBot, screen: Screen) -> None:
    page = screen.page
    assert numbers(page) == ["RET-1", "RET-2", "RET-3"]  # needs a decision, the nearest deadline first
    assert page.stage_buttons["needs_decision"].text() == texts.stage(Stage.NEEDS_DECISION) + " (3)"
    assert page.stage_buttons["on_the_way"].text().endswith("(1)")
    assert page.stage_buttons["arrived"].text().endswith("(1)")
    assert page.stage_buttons["closed"].text().endswith("(1)")
    assert page.stage_buttons["all"].text().endswith("(6)")
    qtbot.mouseClick(page.stage_buttons["on_the_way"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: numbers(page) == ["RET-4"])
    qtbot.mouseClick(page.stage_buttons["all"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 6)
    page.kind.setCurrentIndex(page.kind.findData(ReturnKind.FBO.value))
    qtbot.waitUntil(lambda: numbers(page) == ["RET-6"])


def test_search_is_debounced_and_narrows_the_list(qtbot: QtBot, screen: Screen) -> None:
    page = screen.page
    qtbot.mouseClick(page.stage_buttons["all"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 6)
    qtbot.keyClicks(page.search, "ART-5")
    assert page.model.rowCount() == 6  # not on every key: after a pause
    qtbot.waitUntil(lambda: numbers(page) == ["RET-5"])
    assert page.stage_buttons["arrived"].text().endswith("(1)")
    assert page.stage_buttons["needs_decision"].text().endswith("(0)")


def test_countdown_colours(screen: Screen) -> None:
    model = screen.page.model
    colours = [model.index(r, ReturnColumn.DEADLINE).data(Qt.ItemDataRole.ForegroundRole) for r in range(3)]
    assert colours == [texts.RED, texts.ORANGE, None]  # 2 h left, 10 h left, 2 days left
    assert "2 h" in str(model.index(0, ReturnColumn.DEADLINE).data())
    tip = str(model.index(0, ReturnColumn.DEADLINE).data(Qt.ItemDataRole.ToolTipRole))
    assert "Ozon approves" in tip


def test_a_rejection_needs_its_fields_and_is_queued_once(qtbot: QtBot, screen: Screen) -> None:
    page = screen.page
    open_return(qtbot, screen, "RET-2")
    detail = page.detail
    assert [b.text() for b in detail.action_buttons] == ["Одобрить", "Отклонить"]  # exactly what Ozon offers
    assert detail.sentence.isVisible() and "Ozon approves" in detail.sentence.text()
    reject = next(b for b in detail.action_buttons if b.property("actionId") == REJECT)
    qtbot.mouseClick(reject, Qt.MouseButton.LeftButton)
    assert detail.fields.isVisible() and detail.comment_edit.isVisible() and detail.reason_combo.isVisible()
    assert not detail.amount.isVisible()
    qtbot.mouseClick(detail.confirm, Qt.MouseButton.LeftButton)  # no reason, no comment
    qtbot.waitUntil(lambda: detail.error.isVisible())
    assert "reason" in detail.error.text() and decisions(screen.ctx) == []
    detail.reason_combo.setCurrentIndex(1)
    assert detail.reason_hint.text() == "Приложите фото"
    qtbot.mouseClick(detail.confirm, Qt.MouseButton.LeftButton)  # a reason, still no comment
    qtbot.waitUntil(lambda: "comment" in detail.error.text())
    assert decisions(screen.ctx) == [] and detail.reason_combo.currentIndex() == 1  # nothing lost
    detail.comment_edit.setPlainText("Товар был в использовании, см. фото")
    qtbot.mouseClick(detail.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(decisions(screen.ctx)) == 1)
    (payload,) = decisions(screen.ctx)
    assert payload["action_id"] == REJECT and payload["rejection_reason_id"] == 5
    assert payload["comment"] == "Товар был в использовании, см. фото" and payload["by"] == "desk"
    qtbot.waitUntil(lambda: detail.pending.isVisible())
    assert "Отклонить" in detail.pending.text() and detail.action_buttons == []
    assert not detail.fields.isVisible()
    row = numbers(page).index("RET-2")
    qtbot.waitUntil(lambda: "Отклонить" in str(page.model.index(row, ReturnColumn.STATUS).data()))


def test_an_overdue_request_offers_no_decision_and_a_late_one_is_refused(qtbot: QtBot, screen: Screen) -> None:
    page, clock = screen.page, screen.ctx.clock
    open_return(qtbot, screen, "RET-1")  # 2 h left
    detail = page.detail
    approve = next(b for b in detail.action_buttons if b.property("actionId") == APPROVE)
    qtbot.mouseClick(approve, Qt.MouseButton.LeftButton)
    clock.moment = NOW + 3 * H  # type: ignore[attr-defined]  # the deadline passes while the form is open
    qtbot.mouseClick(detail.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Ozon decides this return itself" in detail.error.text())
    assert decisions(screen.ctx) == []
    page._on_tick()  # the page's minute tick re-reads the open return
    qtbot.waitUntil(lambda: detail.action_buttons == [] and not detail.fields.isVisible())
    assert "Ozon decides this request itself" in detail.offer_note.text() and detail.offer_note.isVisible()
    assert detail.sentence.isVisible() and detail.sentence.text().startswith("Overdue")
    assert not detail.pending.isVisible()


def test_a_compensation_above_the_price_is_refused_not_clamped_to_the_price(qtbot: QtBot, screen: Screen) -> None:
    with screen.ctx.db.write() as s:
        offered = (ReturnAction(APPROVE, "Одобрить"), ReturnAction(1020, "Предложить частичную компенсацию"))
        return_repo.save_details(s, ReturnDetails(2, "ON_APPROVAL", "На проверке", offered))
    open_return(qtbot, screen, "RET-2")
    detail = screen.page.detail
    assert screen.page.current is not None
    (button,) = [b for b, f in zip(detail.action_buttons, screen.page.current.forms, strict=True) if f.needs_amount]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    detail.amount.lineEdit().selectAll()
    qtbot.keyClicks(detail.amount.lineEdit(), "9900")  # a typo for 99.00; the price is 990.00
    assert detail.amount.value() == 9900
    qtbot.mouseClick(detail.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.error.isVisible())
    assert "price" in detail.error.text() and decisions(screen.ctx) == []
    assert detail.amount.value() == 9900  # what was typed stays, to be corrected


def test_hostile_buyer_text_is_shown_literally(qtbot: QtBot, screen: Screen) -> None:
    open_return(qtbot, screen, "RET-1")
    detail = screen.page.detail
    qtbot.waitUntil(lambda: HOSTILE in detail.comment.text())
    assert detail.comment.textFormat() == Qt.TextFormat.PlainText
    assert detail.product.textFormat() == Qt.TextFormat.PlainText
    assert HOSTILE in str(screen.page.model.index(0, ReturnColumn.PRODUCT).data())
    tip = str(screen.page.model.index(0, ReturnColumn.PRODUCT).data(Qt.ItemDataRole.ToolTipRole))
    assert "<img" not in tip


def test_receiving_by_scan_finds_the_return_and_flags_a_differing_code(qtbot: QtBot, screen: Screen) -> None:
    dialog = screen.page.open_receiving()
    qtbot.waitExposed(dialog)
    dialog.parcel.setText("RB-100")
    qtbot.keyClick(dialog.parcel, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.items.count() == 1)
    assert "Товар 4" in dialog.items.item(0).text() and dialog.confirm.isEnabled()
    assert screen.sounds.played == ["good"]
    dialog.scan_mark(screen.shipped)
    assert not dialog.alarm.isVisible() and screen.sounds.played[-1] == "good"
    other = mark(EAN, seed=2)
    dialog.scan_mark(other)
    assert dialog.alarm.isVisible() and screen.sounds.played[-1] == "bad"
    assert dialog.mark_list.item(1).foreground().color() == texts.RED
    dialog.grade.setCurrentIndex(dialog.grade.findData("opened"))
    dialog.note_edit.setText("коробка вскрыта")
    qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "FLAGGED" in dialog.outcome.text())
    from app.returns import decision

    view = decision.read_decision(screen.ctx.db, ReturnKind.FBS, 4, NOW)
    (receipt,) = view.receipts
    assert receipt.flagged and receipt.grade == "opened" and receipt.user == "desk"
    # Scanning it again says it was received already, and when.
    dialog.scan_parcel("RB-100")
    qtbot.waitUntil(lambda: dialog.items.count() == 1 and not dialog.confirm.isEnabled())
    assert f"was already received on {wording.local_time(NOW)}" in dialog.found.text()
    assert dialog.items.item(0).text().endswith("— received") and screen.sounds.played[-1] == "bad"
    # An rFBS request still awaiting the decision: nothing was sent back, and the scan says so.
    dialog.scan_parcel("70002-0001-1")
    qtbot.waitUntil(lambda: "not sent back yet" in dialog.found.text())
    assert "awaits a decision" in dialog.found.text() and not dialog.confirm.isEnabled()
    assert dialog.items.item(0).text().endswith("— not sent back") and screen.sounds.played[-1] == "bad"
    # An unknown parcel: said loudly.
    dialog.scan_parcel("NOPE")
    qtbot.waitUntil(lambda: "NOPE" in dialog.found.text())
    assert screen.sounds.played[-1] == "bad"


def test_a_wrong_scan_or_a_unit_scanned_twice_keeps_the_parcel_at_hand(qtbot: QtBot, screen: Screen) -> None:
    dialog = screen.page.open_receiving()
    qtbot.waitExposed(dialog)
    dialog.scan_parcel("RB-100")
    qtbot.waitUntil(lambda: dialog.items.count() == 1 and dialog.confirm.isEnabled())
    dialog.scan_mark(screen.shipped)
    dialog.note_edit.setText("коробка вскрыта")
    dialog.scan_mark(screen.shipped)  # the same unit again: one unit, not two
    assert dialog.alarm.isVisible() and screen.sounds.played[-1] == "bad"
    assert dialog.mark_list.count() == 1 and dialog.marks == [screen.shipped]
    dialog.scan_parcel("NOPE")  # a stray scan into the parcel field
    qtbot.waitUntil(lambda: "NOPE" in dialog.alarm.text())
    assert dialog.expected is not None and dialog.confirm.isEnabled() and dialog.items.count() == 1
    assert dialog.marks == [screen.shipped] and dialog.mark_list.count() == 1
    assert dialog.note_edit.text() == "коробка вскрыта"


def test_only_photos_are_added_to_a_receipt(qtbot: QtBot, screen: Screen, tmp_path: Path) -> None:
    dialog = screen.page.open_receiving()
    qtbot.waitExposed(dialog)
    photo, passwd = tmp_path / "box.jpg", tmp_path / "passwd.png"
    Image.new("RGB", (40, 30), "white").save(photo)
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    dialog.add_photos([str(photo), str(passwd), str(photo)])
    qtbot.waitUntil(lambda: "passwd.png" in dialog.outcome.text())
    assert dialog.photos == [str(photo)] and screen.sounds.played[-1] == "bad"
    assert dialog.inspection().photos == (str(photo),)


def test_the_badge_counts_returns_needing_a_decision(qtbot: QtBot, ctx: AppContext) -> None:
    fill(ctx)
    window = MainWindow(ctx, None, True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    item = window.nav.item(window.PAGES.index("returns"))
    qtbot.waitUntil(lambda: item.text() == "Returns (3)")
    window.show_page("returns")
    page = window.returns
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: page.current is not None and bool(page.detail.action_buttons))
    approve = next(b for b in page.detail.action_buttons if b.property("actionId") == APPROVE)
    qtbot.mouseClick(approve, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.detail.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(decisions(ctx)) == 1)
    # Decided locally: still in the needs-a-decision stage until Ozon moves it (count unchanged).
    chat: list[QPushButton] = [page.detail.chat_button]
    qtbot.mouseClick(chat[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.chats)
