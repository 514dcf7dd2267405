"""Who packs at this desk: the "Packer: <name> ▾" button on the Packing page (F4) and its picker.

The picker lists the shop's packers (Settings → Packers); a packer with a PIN types it. A wrong PIN is
refused plainly and nothing changes; while a posting (or a STOP) is on the desk the packer cannot
change (the station refuses: finish it or put it aside first). The packer picked is remembered for
this desk (ui/desk_user.py) and is the station's `user` from then on; with no packers defined the
computer's login name stays, as before. The station's steps run on the database worker, in order
with the scans."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import packers
from app.context import AppContext
from app.errors import UserError
from app.packers import Packer
from app.workflows.packing.station import PackStation
from ui import desk_user, errors, plain_text
from ui.tasks import TaskManager

_ERROR_STYLE = "color: #c62828; font-weight: bold;"


class PackerPicker(QDialog):
    """Signals:
    picked(str, str): the packer chosen and the PIN typed ("" when they have none).
    """

    picked = Signal(str, str)

    def __init__(self, listed: list[Packer], current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("packerPicker")
        self.setWindowTitle(self.tr("Who packs at this desk?"))
        self.setMinimumWidth(420)
        self.packers = {p.name: p for p in listed}
        layout = QVBoxLayout(self)
        if not listed:
            note = self.tr(
                "No packers yet: add them in Settings → Packers. Until then this desk records the "
                "computer's login name ({name})."
            ).format(name=current or "—")
            empty = plain_text.label(note, self)
            empty.setObjectName("noPackers")
            empty.setWordWrap(True)
            layout.addWidget(empty)
        self.list = QListWidget(self)
        self.list.setObjectName("packerList")
        for packer in listed:
            text = self.tr("{name}  (PIN)").format(name=packer.name) if packer.has_pin else packer.name
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, packer.name)
            if packer.name == current:
                self.list.setCurrentItem(item)
        self.list.setVisible(bool(listed))
        layout.addWidget(self.list, 1)
        self.pin_label = plain_text.label(self.tr("PIN of {name}:"), self)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("packerPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(packers.PIN_MAX)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), self.pin))
        self.pin.setPlaceholderText(self.tr("{min}–{max} digits").format(min=packers.PIN_MIN, max=packers.PIN_MAX))
        layout.addWidget(self.pin_label)
        layout.addWidget(self.pin)
        self.error = plain_text.label("", self)
        self.error.setObjectName("packerError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(_ERROR_STYLE)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        if listed:
            self.ok = buttons.addButton(self.tr("Pack as this packer"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok.setObjectName("packerOk")
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            self.ok = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self._choose)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentItemChanged.connect(lambda *_: self._selected())
        self.list.itemDoubleClicked.connect(lambda _item: self._choose())
        self.pin.returnPressed.connect(self._choose)
        if listed and self.list.currentItem() is None:
            self.list.setCurrentRow(0)
        self._selected()

    def chosen_name(self) -> str:
        item = self.list.currentItem()
        return "" if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _selected(self) -> None:
        packer = self.packers.get(self.chosen_name())
        needs_pin = packer is not None and packer.has_pin
        self.pin_label.setText(self.tr("PIN of {name}:").format(name=packer.name) if packer else "")
        self.pin_label.setVisible(needs_pin)
        self.pin.setVisible(needs_pin)
        self.pin.clear()
        self.error.clear()
        if needs_pin:
            self.pin.setFocus()

    def _choose(self) -> None:
        name = self.chosen_name()
        if not name:
            self.reject()
            return
        self.error.clear()
        self.ok.setEnabled(False)
        self.picked.emit(name, self.pin.text() if self.pin.isVisible() else "")

    def refuse(self, text: str) -> None:
        """The pick was refused (a wrong PIN, a posting on the desk): say so, change nothing."""
        self.ok.setEnabled(True)
        self.error.setText(text)
        self.pin.selectAll()


class PackerButton(QPushButton):
    """ "Packer: <name> ▾" — opens the picker. Signals: changed(str): the packer now at the desk."""

    changed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        tasks: TaskManager,
        station: PackStation,
        parent: QWidget | None = None,
        *,
        width: int = 340,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("packerButton")
        font = QFont(self.font())
        font.setPointSizeF(13)
        font.setBold(True)
        self.setFont(font)
        self.setFixedWidth(width)  # a long name is shortened in the middle, never widens the page
        self.setStyleSheet("text-align: left; padding: 6px 10px;")
        self.ctx, self.tasks, self.station = ctx, tasks, station
        self.picker: PackerPicker | None = None
        self.name = ""  # the packer shown (in full; the text may shorten it)
        self.after_picker: Callable[[], None] | None = None  # the page puts the focus back on the scan field
        self.clicked.connect(self.open_picker)
        self.show_name(station.user)

    def show_name(self, name: str) -> None:
        template = self.tr("Packer: {name} ▾")
        metrics = self.fontMetrics()
        room = self.width() - 28 - metrics.horizontalAdvance(template.replace("{name}", ""))
        shown = metrics.elidedText(name or "—", Qt.TextElideMode.ElideMiddle, max(room, 40))
        self.setText(template.format(name=shown))
        self.name = name
        hint = self.tr("Who packs at this desk: scans, prints and decisions are recorded under it (F4)")
        self.setToolTip(f"{name}\n{hint}" if shown != name else hint)

    def restore(self) -> None:
        """At start (after the station resumed): the packer this desk remembers, if still one of the shop's."""
        data, station, fallback = self.ctx.paths.data, self.station, self.station.user
        remembered = desk_user.remembered_packer(data)

        def restored(name: str) -> None:
            if remembered and name != remembered:  # removed in the meantime
                desk_user.remember_packer(data, "")
            self.show_name(name)

        self.tasks.run_db(lambda: station.restore_packer(remembered, fallback), on_done=restored)

    def open_picker(self) -> None:
        if self.picker is not None:
            self.picker.raise_()
            return
        db = self.ctx.db
        self.tasks.run_db(lambda: packers.listed(db), on_done=self._show_picker)

    def _show_picker(self, listed: list[Packer]) -> None:
        picker = PackerPicker(listed, self.station.user, self.window())
        picker.picked.connect(self._pick)
        picker.finished.connect(self._closed)
        self.picker = picker
        picker.open()

    def _closed(self, _result: int) -> None:
        if self.picker is not None:
            self.picker.deleteLater()
        self.picker = None
        if self.after_picker is not None:
            self.after_picker()

    def _pick(self, name: str, pin: str) -> None:
        station, data = self.station, self.ctx.paths.data

        def done(chosen: str) -> None:
            desk_user.remember_packer(data, chosen)
            self.show_name(chosen)
            self.changed.emit(chosen)
            if self.picker is not None:
                self.picker.accept()

        def failed(exc: BaseException) -> None:
            if self.picker is None:
                return
            if isinstance(exc, UserError):
                self.picker.refuse(errors.message_for(exc))
            else:
                self.picker.reject()
                errors.show_error(self, exc)

        self.tasks.run_db(lambda: station.change_packer(name, pin), on_done=done, on_error=failed)
