"""Ctrl+T: pick a ready answer. Searchable by its Chinese or English name (or words of its Russian
text); the templates for what the buyer asked come first (the page passes them ranked). The seller
sees the name in their language and the Russian text that will be inserted."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.chat.screen import TemplateChoice
from ui import plain_text
from ui.chats import texts


def display_name(template: TemplateChoice) -> str:
    chinese = QLocale().language() == QLocale.Language.Chinese
    first, second = (template.name_zh, template.name_en) if chinese else (template.name_en, template.name_zh)
    return f"{first} · {second}" if first and second and first != second else first or second or template.key


class TemplatePicker(QDialog):
    def __init__(
        self, choices: Sequence[TemplateChoice], intents: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Templates"))
        self.setObjectName("templatePicker")
        self.resize(640, 480)
        self.choices = list(choices)
        self.intents = tuple(intents)
        self.search = QLineEdit(self)
        self.search.setObjectName("templateSearch")
        self.search.setPlaceholderText(self.tr("Search by name (中文 / English)…"))
        self.search.setClearButtonEnabled(True)
        hint = texts.gloss(self.intents)
        self.hint = plain_text.label(
            self.tr("Matching first: {what}").format(what=hint) if hint else self.tr("All templates"), self
        )
        self.hint.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("templateList")
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("templatePreview")
        self.preview.setReadOnly(True)
        self.preview.setMaximumHeight(self.fontMetrics().height() * 7)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Insert"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.preview)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._fill)
        self.list.currentRowChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self._fill()
        self.search.setFocus()

    def _fill(self) -> None:
        needle = self.search.text().strip().casefold()
        self.list.clear()
        for choice in self.choices:
            haystack = " ".join((choice.name_zh, choice.name_en, choice.key, choice.text_ru)).casefold()
            if needle and needle not in haystack:
                continue
            mark = "★ " if set(choice.intents) & set(self.intents) else ""
            item = QListWidgetItem(mark + display_name(choice))
            item.setData(Qt.ItemDataRole.UserRole, choice.key)
            item.setToolTip(plain_text.tooltip(choice.text_ru))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.preview.setPlainText("")

    def _show(self, row: int) -> None:
        chosen = self.chosen()
        self.preview.setPlainText(chosen.text_ru if chosen is not None else "")

    def shown_keys(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())]

    def chosen(self) -> TemplateChoice | None:
        item = self.list.currentItem()
        if item is None:
            return None
        key = item.data(Qt.ItemDataRole.UserRole)
        return next((c for c in self.choices if c.key == key), None)
