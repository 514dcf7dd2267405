"""The Settings page's Database group: where this desk's data lives and what the desk is called.

* The address: empty = this computer's own SQLite file (one desk); a PostgreSQL address = the
  shop's shared server (several desks). A password typed into the address is taken out before the
  settings file is written and kept in the OS keyring (`app.secrets`); `app.context.database_url`
  puts it back at connect time. An address given by PACKDESK_DB_URL or `--db` wins and is said.
* This desk's name among the shop's desks (empty = the computer's name).
* **Test connection** runs `app.database_check` on the I/O pool: reachable or the clear error, the
  server's version, the schema revision there against this build's, and which desk leads the sync.

The database cannot be swapped under a running window: a new address takes effect at the next start.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from app import context, database_check, desks, secrets
from app.clock import Clock
from app.database_check import DatabaseFound
from app.settings import Settings
from ui import errors, plain_text
from ui.tasks import TaskManager

log = logging.getLogger(__name__)

_OK_STYLE = "QLabel { color: #1b5e20; }"
_BAD_STYLE = "QLabel { color: #b71c1c; }"
_WARN_STYLE = "QLabel { color: #8d6e00; }"


class DatabaseBox(QGroupBox):
    """Address, desk name, Test connection (`in_use`: the database this window has open, shown)."""

    def __init__(
        self, tasks: TaskManager, clock: Clock, data_file: Path, in_use: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(self.tr("Database"), parent)
        self._tasks, self._clock, self._data_file = tasks, clock, data_file
        self._desk = ""  # the name this desk runs under (set by `load`)
        self.address = QLineEdit(self)
        self.address.setObjectName("databaseUrl")
        self.address.setPlaceholderText(self.tr("Empty: this computer's own database file (one desk)"))
        self.address.setToolTip(
            self.tr(
                "The shop's shared PostgreSQL server, e.g. postgresql+psycopg://packdesk:PASSWORD@192.168.1.10/shop"
            )
        )
        self.desk_name = QLineEdit(self)
        self.desk_name.setObjectName("deskName")
        self.desk_name.setMaxLength(60)
        self.desk_name.setValidator(QRegularExpressionValidator(QRegularExpression(r"[^\x00-\x1f]*"), self.desk_name))
        self.desk_name.setPlaceholderText(desks.desk_name(Settings()))  # the computer's name
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.setObjectName("testDatabase")
        self.test_button.clicked.connect(self.test_connection)
        self.result = plain_text.note("databaseResult", self)
        self.password_note = plain_text.note("databasePassword", self)
        given = context.address_given()
        if given:
            now = self.tr(
                "This desk was started with an address of its own (--db or PACKDESK_DB_URL): {database}. "
                "The address here is used when none is given."
            ).format(database=in_use)
        else:
            now = self.tr("In use now: {database}").format(database=in_use)
        self.in_use = plain_text.note("databaseInUse", self)
        self.in_use.setText(now)
        note = plain_text.label(
            self.tr(
                "Several desks of one shop share one PostgreSQL server. A password in the address is kept in the "
                "system keyring, never in the settings file. A new address takes effect when Packdesk starts again."
            ),
            self,
        )
        note.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        form = self._form = QFormLayout(self)
        form.addRow(plain_text.label(self.tr("Database address"), self), self.address)
        form.addRow("", self.password_note)  # shown once the keyring says it has the password
        form.addRow("", note)
        form.addRow("", self.in_use)
        form.addRow(plain_text.label(self.tr("This desk's name"), self), self.desk_name)
        form.addRow("", test_row)
        form.addRow("", self.result)
        form.setRowVisible(self.password_note, False)

    # -- the form -------------------------------------------------------------------------------

    def load(self, chosen: Settings) -> None:
        self._desk = desks.desk_name(chosen)
        self.address.setText(chosen.database_url)
        self.desk_name.setText(chosen.desk_name)
        self._form.setRowVisible(self.password_note, False)
        address = chosen.database_url
        if address:  # the keyring may be slow or ask to be unlocked: never on the GUI thread
            self._tasks.run_io(lambda: bool(secrets.database_password(address)), on_done=self.show_password_kept)

    def show_password_kept(self, kept: bool) -> None:
        self._form.setRowVisible(self.password_note, kept)
        self.password_note.setText(self.tr("Its password is kept in the system keyring."))

    def typed(self) -> tuple[str, str]:
        """(the address without its password, the password typed into it). Raises DatabaseUrlInvalid."""
        return secrets.split_database_password(self.address.text())

    def values(self, address: str) -> dict[str, object]:
        return {"database_url": address, "desk_name": self.desk_name.text().strip()}

    # -- test connection ------------------------------------------------------------------------

    def test_connection(self) -> None:
        typed, clock, file = self.address.text().strip(), self._clock, self._data_file
        self.test_button.setEnabled(False)
        plain_text.show(self.result, self.tr("Connecting…"), "")

        def run() -> DatabaseFound:
            if not typed:
                return database_check.check_file(file, clock.now())
            return database_check.check_address(typed, clock.now())

        self._tasks.run_io(run, on_done=self._found, on_error=self._failed)

    def _found(self, found: DatabaseFound) -> None:
        self.test_button.setEnabled(True)
        style = _OK_STYLE if found.known else _BAD_STYLE
        if not found.exists:
            lines = [self.tr("No database file here yet: Packdesk creates it when it starts on this computer.")]
        elif found.server:
            lines = [self.tr("Connected: PostgreSQL {version}.").format(version=found.version)]
        else:
            lines = [self.tr("This computer's database file (SQLite {version}).").format(version=found.version)]
        if found.exists:
            lines.append(self._schema_line(found))
            if not found.same_schema and found.known:
                style = _WARN_STYLE
        if found.server:
            lines.append(self._leader_line(found.leader))
        plain_text.show(self.result, "\n".join(lines), style)

    def _schema_line(self, found: DatabaseFound) -> str:
        if found.revision is None:
            return self.tr("Schema: empty; Packdesk creates its tables when it starts on this database.")
        if found.same_schema:
            return self.tr("Schema: revision {revision}, the same as this Packdesk.").format(revision=found.revision)
        if found.known:
            return self.tr(
                "Schema: revision {revision}; this Packdesk has {head} and upgrades it when it starts on this database."
            ).format(revision=found.revision, head=found.head)
        return self.tr(
            "Schema: revision {revision}, written by a newer Packdesk (this one has {head}): update Packdesk here."
        ).format(revision=found.revision, head=found.head)

    def _leader_line(self, leader: str | None) -> str:
        if leader is None:
            return self.tr("Sync: no desk leads — is another desk open?")
        if leader == self._desk:
            return self.tr("Sync: this desk leads.")
        return self.tr("Sync: led by {desk}.").format(desk=leader)

    def _failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        if not errors.is_expected(exc):
            log.error("database test failed", exc_info=exc)
        plain_text.show(self.result, errors.message_for(exc), _BAD_STYLE)
