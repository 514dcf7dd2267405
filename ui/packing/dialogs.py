"""Small dialogs of the pack station, opened with open() so nothing blocks the event loop."""

from __future__ import annotations

import re
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import customs, marking
from app.errors import UserError
from app.workflows import commands
from ui import errors, plain_text

# A posting number (12345678-0001-1) or a code of digits only: what a scanner types, not a reason.
_SCAN_LIKE = re.compile(r"\d+(-\d+)*")

# Asks (off the GUI thread) whether a code is a known product barcode or a posting label; answers later.
KnownCode = Callable[[str, Callable[[bool], None]], None]


def looks_scanned(text: str) -> bool:
    """A command code, a posting number or only digits: scanner input, never a typed reason."""
    text = text.strip()
    return (
        text.upper().startswith(commands.PREFIX) or commands.parse(text) is not None or bool(_SCAN_LIKE.fullmatch(text))
    )


class OverrideDialog(QDialog):
    """Complete without every unit scanned: the reason is required and goes to the history.

    Signals:
        reason_given(str): OK was pressed with a reason.
    """

    reason_given = Signal(str)

    def __init__(self, remaining: int, parent: QWidget | None = None, known: KnownCode | None = None) -> None:
        super().__init__(parent)
        self._known = known
        self.setWindowTitle(self.tr("Complete without scanning everything"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        note: QLabel = plain_text.label(
            self.tr("%n unit(s) were not scanned. Why is the posting complete anyway?", "", remaining), self
        )
        note.setWordWrap(True)
        self.reason = QComboBox(self)
        self.reason.setObjectName("overrideReason")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.addItems(
            [
                "",
                self.tr("The barcode is missing or unreadable"),
                self.tr("The scanner does not work"),
                self.tr("Checked by eye"),
            ]
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._no_default_button()
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.hint = plain_text.label("", self)
        self.hint.setObjectName("overrideHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #c62828;")
        self.hint.hide()
        self.reason.currentTextChanged.connect(self._changed)
        self._changed("")
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.reason)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def _no_default_button(self) -> None:
        """Enter (a scanner's too) must not complete the posting: no button takes it."""
        for button in self.buttons.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._no_default_button()  # the button box makes OK the default when it is shown

    def _changed(self, text: str) -> None:
        self.hint.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))

    def _refuse(self) -> None:
        self.reason.setCurrentText("")  # the next try starts empty
        self.hint.setText(self.tr("This looks like a scanned code, not a reason. Type why the posting is complete."))
        self.hint.show()
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def _accept(self) -> None:
        text = self.reason.currentText().strip()
        if not text:
            return
        if looks_scanned(text):
            self._refuse()
            return
        if self._known is None:
            self._give(text, known=False)
            return
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self._known(text, lambda known: self._give(text, known))

    def _give(self, text: str, known: bool) -> None:
        if not shiboken6.isValid(self) or not self.isVisible():
            return  # closed while the database was asked
        if known:
            self._refuse()
            return
        self.reason_given.emit(text)
        self.accept()


def _ask(parent: QWidget, title: str, text: str, on_yes: Callable[[], None], icon: QMessageBox.Icon) -> QMessageBox:
    """A Yes/No box (No by default) that calls `on_yes` on Yes; open, not modal-blocking; plain text
    (names in it are typed by people). Returns the open box."""
    box = QMessageBox(parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setIcon(icon)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowTitle(title)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)

    def clicked(button: QAbstractButton) -> None:
        if box.standardButton(button) == QMessageBox.StandardButton.Yes:
            on_yes()

    box.buttonClicked.connect(clicked)
    box.open()
    return box


def confirm_abort(parent: QWidget, posting_number: str, on_yes: Callable[[], None]) -> QMessageBox:
    """Put the posting aside? Calls `on_yes` when the packer says so; returns the open box."""
    translate = QCoreApplication.translate
    return _ask(
        parent,
        translate("PackingDialogs", "Put the posting aside"),
        translate(
            "PackingDialogs", "Put posting {number} aside? What was scanned is forgotten; the goods go back."
        ).format(number=posting_number),
        on_yes,
        QMessageBox.Icon.Question,
    )


def confirm_take_over(
    parent: QWidget, posting_number: str, desk: str, packer: str, on_yes: Callable[[], None]
) -> QMessageBox:
    """Take over a posting another desk left (no scan there for minutes)? Logged in its history."""
    translate = QCoreApplication.translate
    box = _ask(
        parent,
        translate("PackingDialogs", "Take over the posting"),
        translate(
            "PackingDialogs",
            "Posting {number} is on the station of {desk} ({packer}), with no scan there for several minutes. "
            "Take it over and pack it here? What was scanned there counts here; the other desk is told.",
        ).format(number=posting_number, desk=desk, packer=packer or "—"),
        on_yes,
        QMessageBox.Icon.Warning,
    )
    box.setObjectName("takeOverBox")
    return box


class CustomsDialog(QDialog):
    """The customs declaration number (ГТД) of one SKU in the posting on the desk: asked once per SKU
    per posting, the one last used for the SKU offered first, "no ГТД" where the goods have none.

    The scanner keeps typing while this is open, so nothing here accepts on its own: Enter only
    submits the number field, whose text is checked (a scan is refused, never sent), and the
    buttons take no focus. "No customs number" is a click, never a pre-set choice.

    Signals:
        given(object): `str` (the number, normalised) or None ("no ГТД").
    """

    given = Signal(object)

    def __init__(self, name: str, suggested: tuple[str, bool] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Customs declaration number (ГТД)"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        note = plain_text.label(
            self.tr("Ozon needs the customs declaration number of {name}. It is asked once for this posting.").format(
                name=name
            ),
            self,
        )
        note.setWordWrap(True)
        self.number = QLineEdit(self)
        self.number.setObjectName("gtdNumber")
        self.number.setMaxLength(40)
        self.number.setPlaceholderText("10702070/110326/3041525")
        self.last_time = plain_text.label(self.tr("Last time these goods had no customs declaration number."), self)
        self.last_time.setObjectName("gtdLastTime")
        self.last_time.setVisible(False)
        if suggested is not None:
            gtd, absent = suggested
            self.number.setText(gtd)
            self.number.selectAll()
            self.last_time.setVisible(absent)
        self.hint = plain_text.label("", self)
        self.hint.setObjectName("gtdHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #c62828;")
        self.hint.hide()
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(self.tr("Save number"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.absent_button = self.buttons.addButton(
            self.tr("No customs number"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.absent_button.setObjectName("gtdAbsent")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        for button in (self.save_button, self.absent_button, cancel):
            button.setAutoDefault(False)
            button.setDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.save_button.clicked.connect(self._accept)
        self.absent_button.clicked.connect(self._absent)
        cancel.clicked.connect(self.reject)
        self.number.returnPressed.connect(self._accept)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.number)
        layout.addWidget(self.last_time)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.number.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter outside the number field (a scan ending while focus is elsewhere) accepts nothing.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _fail(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.show()
        self.adjustSize()  # room for the hint: the question above it stays whole
        self.number.selectAll()
        self.number.setFocus(Qt.FocusReason.OtherFocusReason)

    def _absent(self) -> None:
        self.given.emit(None)
        self.accept()

    def _accept(self) -> None:
        text = self.number.text()
        if looks_scanned(text) or marking.looks_like_mark(text):
            self._fail(self.tr("This looks like a scanned code. Type the customs number, then scan again."))
            return
        try:
            value = customs.normalise_gtd(text)
        except UserError as exc:
            self._fail(errors.message_for(exc))
            return
        self.given.emit(value)
        self.accept()
