"""Settings → Packers: the people who pack at the shop's desks (app/packers.py). Each picks their
name on the Packing page ("Packer: … ▾"); an optional PIN of 4–8 digits keeps others from packing
under it. Changes are saved at once (not with "Save settings"): the list lives in the shop's
database, shared by every desk. Each change runs on the database worker."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import packers
from app.clock import Clock
from app.db.engine import Database
from app.packers import Packer
from ui import errors, plain_text
from ui.tasks import TaskManager

_OK_STYLE = "color: #2e7d32;"
_ERROR_STYLE = "color: #c62828; font-weight: bold;"


class PackersBox(QGroupBox):
    def __init__(self, tasks: TaskManager, db: Database, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("packersBox")
        self.setTitle(self.tr("Packers"))
        self.tasks, self.db, self.clock = tasks, db, clock
        note = plain_text.label(
            self.tr(
                "The people who pack at this shop's desks. Each picks their name on the Packing page (F4); "
                "scans, prints and decisions are recorded under it. A PIN keeps others from using the name. "
                "Saved at once, for every desk."
            ),
            self,
        )
        note.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("packersList")
        self.list.setMinimumHeight(110)
        self.name = QLineEdit(self)
        self.name.setObjectName("packerName")
        self.name.setMaxLength(packers.NAME_MAX)
        self.name.setPlaceholderText(self.tr("Name"))
        self.pin = QLineEdit(self)
        self.pin.setObjectName("packerNewPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(packers.PIN_MAX)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), self.pin))
        self.pin.setPlaceholderText(self.tr("PIN, optional"))
        self.add_button = self._button("addPacker", self.tr("Add"), self.add)
        self.set_pin_button = self._button("setPackerPin", self.tr("Set PIN"), self.set_pin)
        self.clear_pin_button = self._button("clearPackerPin", self.tr("Clear PIN"), self.clear_pin)
        self.remove_button = self._button("removePacker", self.tr("Remove"), self.remove)
        self.result = plain_text.label("", self)
        self.result.setObjectName("packersResult")
        self.result.setWordWrap(True)

        add_row = QHBoxLayout()
        add_row.addWidget(self.name, 2)
        add_row.addWidget(self.pin, 1)
        add_row.addWidget(self.add_button)
        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.set_pin_button)
        chosen_row.addWidget(self.clear_pin_button)
        chosen_row.addWidget(self.remove_button)
        chosen_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.list)
        layout.addLayout(add_row)
        layout.addLayout(chosen_row)
        layout.addWidget(self.result)
        self.list.currentItemChanged.connect(lambda *_: self._enable())
        self.name.returnPressed.connect(self.add)
        self._enable()
        self.refresh()

    def _button(self, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def chosen(self) -> Packer | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _enable(self) -> None:
        packer = self.chosen()
        self.set_pin_button.setEnabled(packer is not None)
        self.clear_pin_button.setEnabled(packer is not None and packer.has_pin)
        self.remove_button.setEnabled(packer is not None)

    def refresh(self, select: str = "") -> None:
        db = self.db
        self.tasks.run_db(lambda: packers.listed(db), on_done=lambda listed: self._show(listed, select))

    def _show(self, listed: list[Packer], select: str) -> None:
        current = self.chosen()
        keep = select or (current.name if current is not None else "")
        self.list.clear()
        for packer in listed:
            text = self.tr("{name}  (PIN)").format(name=packer.name) if packer.has_pin else packer.name
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, packer)
            if packer.name == keep:
                self.list.setCurrentItem(item)
        if not listed:
            QListWidgetItem(self.tr("No packers yet: the desks record the computer's login name."), self.list)
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self._enable()

    def _run(self, work: Callable[[], object], done_text: str, select: str = "") -> None:
        def done(_result: object) -> None:
            self._say(done_text, _OK_STYLE)
            self.pin.clear()
            self.refresh(select)

        self.tasks.run_db(work, on_done=done, on_error=lambda exc: self._say(errors.message_for(exc), _ERROR_STYLE))

    def _say(self, text: str, style: str) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(style)

    def add(self) -> None:
        db, clock, name, pin = self.db, self.clock, self.name.text(), self.pin.text()

        def work() -> Packer:
            return packers.add_one(db, clock, name, pin)

        def done(packer: Packer) -> None:
            self.name.clear()
            self.pin.clear()
            self._say(self.tr("{name} is added.").format(name=packer.name), _OK_STYLE)
            self.refresh(packer.name)

        self.tasks.run_db(work, on_done=done, on_error=lambda exc: self._say(errors.message_for(exc), _ERROR_STYLE))

    def set_pin(self) -> None:
        packer, db, pin = self.chosen(), self.db, self.pin.text()
        if packer is None:
            return
        if not pin:
            self._say(self.tr("Type the new PIN in the PIN field, then press Set PIN."), _ERROR_STYLE)
            return
        name = packer.name
        self._run(
            lambda: packers.change_pin(db, name, pin), self.tr("The PIN of {name} is set.").format(name=name), name
        )

    def clear_pin(self) -> None:
        packer, db = self.chosen(), self.db
        if packer is None:
            return
        name = packer.name
        text = self.tr("{name} needs no PIN now.").format(name=name)
        self._run(lambda: packers.change_pin(db, name, ""), text, name)

    def remove(self) -> None:
        packer, db = self.chosen(), self.db
        if packer is None:
            return
        name = packer.name
        text = self.tr("{name} is removed; what they did stays recorded under their name.").format(name=name)
        self._run(lambda: packers.remove_one(db, name), text)
