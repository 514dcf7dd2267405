"""Help → About Packdesk: the version, where the data is, the log, and the diagnostics for support."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QPushButton, QVBoxLayout, QWidget

from app import diagnostics, logs
from app.context import AppContext
from ui import log_view, plain_text


def qt_versions() -> str:
    return f"{qVersion()} (PySide6 {PySide6.__version__})"


class AboutDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("About Packdesk"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        where = ctx.paths
        database = where.database
        if not ctx.db.is_sqlite:  # the shop's server (no password shown)
            shown = self.tr("{server} (the shop's database server)").format(server=ctx.db.shown)
        else:
            size = (
                self.tr("{size:.1f} MB").format(size=database.stat().st_size / 1_000_000)
                if database.exists()
                else self.tr("not created yet")
            )
            shown = f"{database} ({size})"
        self.fields: dict[str, str] = {
            "version": diagnostics.version(),
            "data": str(where.data),
            "database": shown,
            "python": platform.python_version(),
            "qt": qt_versions(),
        }
        titles = {
            "version": self.tr("Version"),
            "data": self.tr("Data folder"),
            "database": self.tr("Database"),
            "python": self.tr("Python"),
            "qt": self.tr("Qt"),
        }
        form = QFormLayout()
        for key, value in self.fields.items():
            label = plain_text.label(value, self)
            label.setObjectName(f"about_{key}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(titles[key], label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        show_log = QPushButton(self.tr("Show log"), self)
        show_log.setObjectName("aboutShowLog")
        show_log.clicked.connect(self.show_log)
        self.copy_button = QPushButton(self.tr("Copy diagnostics"), self)
        self.copy_button.setObjectName("copyDiagnostics")
        self.copy_button.setToolTip(
            self.tr("Versions, folders, settings and the end of the log for support: no Api-Key, no buyers' data")
        )
        self.copy_button.clicked.connect(self.copy_diagnostics)
        buttons.addButton(show_log, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        title = plain_text.label(self.tr("Packdesk: back-office for Ozon sellers"), self)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def show_log(self) -> log_view.LogDialog:
        return log_view.show_log(self, self.ctx.paths.logs / logs.FILE_NAME)

    def copy_diagnostics(self) -> str:
        text = diagnostics.text(self.ctx, qt_versions())
        QGuiApplication.clipboard().setText(text)
        self.copy_button.setText(self.tr("Copied"))
        return text


def show_about(ctx: AppContext, parent: QWidget | None) -> AboutDialog:
    dialog = AboutDialog(ctx, parent)
    dialog.open()
    return dialog
