"""The Templates… and Auto-replies… dialogs of the Chats page: what `packdesk templates` and
`packdesk autoreply` do on the command line, in the window.

Everything that reads or writes runs on the TaskManager (app.chat.screen); the dialogs only show
results. A refused save or import shows its sentence and keeps what the seller typed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.chat import screen as chat_screen
from app.chat.autoreply import REFUSED, SENT, SUGGESTED, Rule
from app.chat.intents import INTENTS
from app.chat.screen import AutoReplies, TemplateChoice
from app.chat.templates import VARIABLES
from app.context import AppContext
from ui import errors, plain_text
from ui.chats.template_picker import display_name
from ui.tasks import TaskManager

JSON_FILTER = "JSON (*.json)"


def _chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


def variables_help() -> str:
    """`{tracking_number} — 物流单号 · …`, glossed in the seller's language."""
    chinese = _chinese()
    return " · ".join(f"{{{name}}} — {zh if chinese else en}" for name, (en, zh) in VARIABLES.items())


class TemplatesDialog(QDialog):
    def __init__(self, ctx: AppContext, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.choices: list[TemplateChoice] = []
        self.setObjectName("templatesDialog")
        self.setWindowTitle(self.tr("Answer templates"))
        self.resize(900, 600)
        self.list = QListWidget(self)
        self.list.setObjectName("templatesList")
        self.key = QLineEdit(self)
        self.key.setObjectName("templateKey")
        self.key.setPlaceholderText(self.tr("a-z, 0-9 and _, e.g. where_is_order"))
        self.name_zh = QLineEdit(self)
        self.name_zh.setObjectName("templateNameZh")
        self.name_en = QLineEdit(self)
        self.name_en.setObjectName("templateNameEn")
        self.text_ru = QPlainTextEdit(self)
        self.text_ru.setObjectName("templateText")
        self.intents = QLineEdit(self)
        self.intents.setObjectName("templateIntents")
        self.intents.setPlaceholderText(", ".join(INTENTS[:3]) + ", …")
        self.intents.setToolTip(plain_text.tooltip(", ".join(INTENTS)))
        self.help = plain_text.label(self.tr("Variables: {list}").format(list=variables_help()), self)
        self.help.setObjectName("templateVariables")
        self.help.setWordWrap(True)
        self.status = plain_text.label("", self)
        self.status.setObjectName("templatesStatus")
        self.status.setWordWrap(True)
        self.new_button = QPushButton(self.tr("New"), self)
        self.new_button.setObjectName("templateNew")
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("templateSave")
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("templateDelete")
        self.import_button = QPushButton(self.tr("Import…"), self)
        self.import_button.setObjectName("templatesImport")
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setObjectName("templatesExport")
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.accept)

        editor = QWidget(self)
        form = QFormLayout()
        form.addRow(plain_text.label(self.tr("Key"), editor), self.key)
        form.addRow(plain_text.label(self.tr("Name (Chinese)"), editor), self.name_zh)
        form.addRow(plain_text.label(self.tr("Name (English)"), editor), self.name_en)
        form.addRow(plain_text.label(self.tr("Intents (comma list)"), editor), self.intents)
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(form)
        editor_layout.addWidget(plain_text.label(self.tr("Text for the buyer (Russian):"), editor))
        editor_layout.addWidget(self.text_ru, 1)
        editor_layout.addWidget(self.help)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        split.addWidget(editor)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.import_button, self.export_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.list.currentRowChanged.connect(self._show)
        self.new_button.clicked.connect(self.new)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        self.import_button.clicked.connect(lambda: self.import_file())
        self.export_button.clicked.connect(lambda: self.export_file())
        self.reload()

    def _now(self) -> datetime:
        return self.ctx.clock.now()

    def reload(self, select: str = "") -> None:
        db = self.ctx.db
        self.tasks.run_db(lambda: chat_screen.templates(db), on_done=lambda found: self._listed(found, select))

    def _listed(self, found: list[TemplateChoice], select: str) -> None:
        self.choices = list(found)
        self.list.blockSignals(True)
        self.list.clear()
        for choice in self.choices:
            item = QListWidgetItem(f"{display_name(choice)}  [{choice.key}]")
            item.setData(Qt.ItemDataRole.UserRole, choice.key)
            item.setToolTip(plain_text.tooltip(choice.text_ru))
            self.list.addItem(item)
        self.list.blockSignals(False)
        keys = self.template_keys()
        if select in keys:
            self.list.setCurrentRow(keys.index(select))
        elif keys:
            self.list.setCurrentRow(0)
        else:
            self.new()

    def template_keys(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())]

    def select(self, key: str) -> None:
        self.list.setCurrentRow(self.template_keys().index(key))

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.choices):
            return
        choice = self.choices[row]
        self.key.setText(choice.key)
        self.key.setReadOnly(True)
        self.name_zh.setText(choice.name_zh)
        self.name_en.setText(choice.name_en)
        self.text_ru.setPlainText(choice.text_ru)
        self.intents.setText(", ".join(choice.intents))
        self.delete_button.setEnabled(True)

    def new(self) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        for edit in (self.key, self.name_zh, self.name_en, self.intents):
            edit.clear()
        self.text_ru.clear()
        self.key.setReadOnly(False)
        self.delete_button.setEnabled(False)
        self.key.setFocus()

    def edited(self) -> TemplateChoice:
        wanted = tuple(i.strip() for i in self.intents.text().replace("，", ",").split(",") if i.strip())
        return TemplateChoice(
            self.key.text().strip(),
            self.name_zh.text().strip(),
            self.name_en.text().strip(),
            self.text_ru.toPlainText().strip(),
            wanted,
        )

    def save(self) -> None:
        choice, db, now = self.edited(), self.ctx.db, self._now()

        def saved(_: object) -> None:
            self.status.setText(self.tr("Saved: {name}").format(name=display_name(choice)))
            self.reload(choice.key)

        self.tasks.run_db(lambda: chat_screen.save_template(db, choice, now), on_done=saved, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(errors.message_for(exc))

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Delete the template"), text)
        return answer == QMessageBox.StandardButton.Yes

    def delete(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        key = str(item.data(Qt.ItemDataRole.UserRole))
        if not self._confirm(self.tr("Delete the template {name}? This cannot be undone.").format(name=item.text())):
            return
        db, now = self.ctx.db, self._now()

        def deleted(_: object) -> None:
            self.status.setText(self.tr("Deleted: {key}").format(key=key))
            self.reload()

        self.tasks.run_db(lambda: chat_screen.delete_template(db, key, now), on_done=deleted, on_error=self._failed)

    def import_file(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _filter = QFileDialog.getOpenFileName(self, self.tr("Import templates"), "", JSON_FILTER)
            if not chosen:
                return
            path = Path(chosen)
        db, now, source = self.ctx.db, self._now(), path

        def imported(count: int) -> None:
            self.status.setText(self.tr("Imported {count} templates.").format(count=count))
            self.reload()

        self.tasks.run_db(
            lambda: chat_screen.import_templates(db, source, now), on_done=imported, on_error=self._failed
        )

    def export_file(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export templates"), "packdesk-templates.json", JSON_FILTER
            )
            if not chosen:
                return
            path = Path(chosen)
        db, target = self.ctx.db, path
        self.tasks.run_db(
            lambda: chat_screen.export_templates(db, target),
            on_done=lambda saved: self.status.setText(self.tr("Saved: {path}").format(path=str(saved))),
            on_error=self._failed,
        )


class AutoRepliesDialog(QDialog):
    LOG_LIMIT = 100

    def __init__(self, ctx: AppContext, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.rules: list[Rule] = []
        self.on_boxes: dict[int, QCheckBox] = {}
        self.dry_boxes: dict[int, QCheckBox] = {}
        self.setObjectName("autoRepliesDialog")
        self.setWindowTitle(self.tr("Auto-replies"))
        self.resize(900, 620)
        self.rule_table = QTableWidget(0, 4, self)
        self.rule_table.setObjectName("autoReplyRules")
        self.rule_table.setHorizontalHeaderLabels(
            [self.tr("Rule"), self.tr("Template"), self.tr("On"), self.tr("Dry run (suggest only)")]
        )
        self.log_table = QTableWidget(0, 5, self)
        self.log_table.setObjectName("autoReplyLog")
        self.log_table.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Rule"), self.tr("Chat"), self.tr("Outcome"), self.tr("Text")]
        )
        for table in (self.rule_table, self.log_table):
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.verticalHeader().hide()
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setStretchLastSection(True)
        self.empty = plain_text.label("", self)
        self.empty.setWordWrap(True)
        self.status = plain_text.label("", self)
        self.status.setObjectName("autoRepliesStatus")
        self.status.setWordWrap(True)
        self.import_button = QPushButton(self.tr("Import…"), self)
        self.import_button.setObjectName("rulesImport")
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setObjectName("rulesExport")
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.import_button, self.export_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_text.label(self.tr("Rules (the first that matches a new message answers it):"), self))
        layout.addWidget(self.rule_table, 2)
        layout.addWidget(self.empty)
        layout.addWidget(plain_text.label(self.tr("Latest replies (last {count}):").format(count=self.LOG_LIMIT), self))
        layout.addWidget(self.log_table, 3)
        layout.addLayout(buttons)
        self.import_button.clicked.connect(lambda: self.import_file())
        self.export_button.clicked.connect(lambda: self.export_file())
        self.reload()

    def reload(self) -> None:
        db, limit = self.ctx.db, self.LOG_LIMIT
        self.tasks.run_db(lambda: chat_screen.auto_replies(db, limit), on_done=self._loaded, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(errors.message_for(exc))

    def _outcome(self, outcome: str) -> str:
        return {
            SENT: self.tr("sent"),
            SUGGESTED: self.tr("suggested"),
            REFUSED: self.tr("refused"),
        }.get(outcome, outcome)

    def _loaded(self, found: AutoReplies) -> None:
        self.rules = list(found.rules)
        self.on_boxes.clear()
        self.dry_boxes.clear()
        self.rule_table.setRowCount(len(self.rules))
        for row, rule in enumerate(self.rules):
            self.rule_table.setItem(row, 0, QTableWidgetItem(rule.name))
            self.rule_table.setItem(row, 1, QTableWidgetItem(rule.template_key))
            on = QCheckBox(self.rule_table)
            on.setChecked(rule.enabled)
            dry = QCheckBox(self.rule_table)
            dry.setChecked(rule.dry_run)
            on.toggled.connect(lambda checked, rid=rule.id: self.set_rule(rid, enabled=checked))
            dry.toggled.connect(lambda checked, rid=rule.id: self.set_rule(rid, dry_run=checked))
            self.rule_table.setCellWidget(row, 2, on)
            self.rule_table.setCellWidget(row, 3, dry)
            self.on_boxes[rule.id] = on
            self.dry_boxes[rule.id] = dry
        self.empty.setText(
            ""
            if self.rules
            else self.tr("No rules yet: import a JSON file of rules (packdesk autoreply export shows the format).")
        )
        names = {rule.id: rule.name for rule in self.rules}
        self.log_table.setRowCount(len(found.log))
        for row, entry in enumerate(found.log):
            cells = (
                entry.fired_at.astimezone().strftime("%d.%m.%Y %H:%M"),
                names.get(entry.rule_id, f"#{entry.rule_id}"),
                entry.chat_id,
                self._outcome(entry.outcome),
                entry.text,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_text.tooltip(text))
                self.log_table.setItem(row, column, item)

    def set_rule(self, rule_id: int, *, enabled: bool | None = None, dry_run: bool | None = None) -> None:
        db, now = self.ctx.db, self.ctx.clock.now()

        def saved(rule: Rule) -> None:
            self.status.setText(self.tr("Saved: {rule}").format(rule=rule.name))

        def failed(exc: BaseException) -> None:
            self._failed(exc)
            self.reload()

        self.tasks.run_db(
            lambda: chat_screen.set_rule(db, rule_id, now, enabled=enabled, dry_run=dry_run),
            on_done=saved,
            on_error=failed,
        )

    def import_file(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _filter = QFileDialog.getOpenFileName(self, self.tr("Import auto-reply rules"), "", JSON_FILTER)
            if not chosen:
                return
            path = Path(chosen)
        db, now, source = self.ctx.db, self.ctx.clock.now(), path

        def imported(count: int) -> None:
            self.status.setText(self.tr("Imported {count} rules.").format(count=count))
            self.reload()

        self.tasks.run_db(lambda: chat_screen.import_rules(db, source, now), on_done=imported, on_error=self._failed)

    def export_file(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export auto-reply rules"), "packdesk-autoreplies.json", JSON_FILTER
            )
            if not chosen:
                return
            path = Path(chosen)
        db, target = self.ctx.db, path
        self.tasks.run_db(
            lambda: chat_screen.export_rules(db, target),
            on_done=lambda saved: self.status.setText(self.tr("Saved: {path}").format(path=str(saved))),
            on_error=self._failed,
        )
