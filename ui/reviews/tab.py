"""The shape both tabs of the Reviews page share: filters, a product field and a search above the
list (newest first), the chosen item beside it. The list and the item are read on the database
worker; a newer read wins over an older one still under way, and the search waits for a pause in
typing. A tab names its widgets `<prefix>Product`, `<prefix>Search`, `<prefix>List` and
`<prefix>ListEmpty`, and fills in the hooks below.

Signals:
    message(str): a line for the status bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.chat.lint import LintError
from app.chat.screen import FilledTemplate, TemplateChoice
from app.context import AppContext
from app.db.engine import Database
from app.feedback import screen as feedback_screen
from ui import errors, plain_text
from ui.chats.template_picker import TemplatePicker, display_name
from ui.reviews.common import NOTE_STYLE, RED_STYLE, bold, table, wrapped
from ui.tasks import TaskManager
from ui.widgets.ids_model import IdsModel
from ui.widgets.selection import refill_quietly

SEARCH_DELAY_MS = 300


class FeedbackTab(QWidget):
    message = Signal(str)

    def __init__(self, ctx: AppContext, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.writable = True
        self._chosen = ""  # the id of the item shown beside the list
        self._list_request = 0
        self._open_request = 0
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.picker: TemplatePicker | None = None
        # The variables of the templates inserted into the answer: the lint lets their values through.
        self._allowed: tuple[str, ...] = ()

    # -- what a tab fills in ------------------------------------------------------------------------

    # The item's id field (review_id, question_id); the reads, on the database worker: the listing
    # (`keys`, `first_rows`) a filter selects, and one item's view (None when it is gone).
    ID_FIELD = ""
    read_listing: Callable[[Database, Any], Any]
    read_item: Callable[[Database, str], Any]

    def list_filter(self) -> Any:
        """The filter the widgets above the list make (a frozen dataclass; its default is "none")."""
        raise NotImplementedError

    def item_id(self, item: Any) -> str:
        return str(getattr(item, self.ID_FIELD))

    def empty_text(self, filtered: bool) -> str:
        raise NotImplementedError

    def show_item(self, item: Any) -> None:
        """Show the chosen item (None: nothing chosen) and what may be written about it."""
        raise NotImplementedError

    def item_opened(self) -> None:
        """Another item was chosen: what was typed for the previous one goes."""

    # The template filled for the chosen item, on the database worker (LintError template_unfillable
    # naming what the item cannot fill).
    fill_template: Callable[[Database, str, str], FilledTemplate]

    def say(self, text: str, style: str = RED_STYLE) -> None:
        """A line under the answer box (an error, red, by default)."""
        raise NotImplementedError

    def unfillable(self, name: str, fields: str) -> str:
        """The sentence for a template using `fields`, which this kind of item cannot fill."""
        raise NotImplementedError

    # -- building -----------------------------------------------------------------------------------

    def build_list(
        self, model: IdsModel, stretch: int, prefix: str, combos: Sequence[QComboBox], search_hint: str
    ) -> QWidget:
        """The left side: the combos and the product field, the search, the list, the empty note."""
        left = QWidget(self)
        self.product = QLineEdit(left)
        self.product.setObjectName(f"{prefix}Product")
        self.product.setPlaceholderText(self.tr("SKU or article"))
        self.product.setClearButtonEnabled(True)
        self.search = QLineEdit(left)
        self.search.setObjectName(f"{prefix}Search")
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        for combo in combos:
            filters.addWidget(combo)
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        filters.addWidget(self.product, 1)
        self.model = model
        self.view = table(model, stretch, left, f"{prefix}List")
        self.empty = wrapped("", left, f"{prefix}ListEmpty")
        self.empty.hide()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.product.textChanged.connect(lambda _t: self._search_timer.start())
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        return left

    def build_detail(
        self,
        prefix: str,
        above: Sequence[QWidget],
        facts: Sequence[tuple[str, QWidget]],
        writer: str,
        placeholder: str,
        note: QWidget,
        buttons: Sequence[QPushButton],
    ) -> QWidget:
        """The right side: the heading (`<prefix>Heading`) with `above` under it, the facts, the item's
        text (`<prefix>Text`), the box for the public text (`<writer>Text`) with `note` under it, then
        `buttons`, the last (Send) after the counter (`<writer>Counter`)."""
        right = QWidget(self)
        self.heading = bold(wrapped("", right, f"{prefix}Heading"), 1.1)
        self.facts = QFormLayout()
        for name, value in facts:
            self.facts.addRow(name, value)
        self.text = wrapped("", right, f"{prefix}Text")
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.edit = QPlainTextEdit(right)
        self.edit.setObjectName(f"{writer}Text")
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(self.fontMetrics().height() * 5)
        self.edit.setMaximumHeight(self.fontMetrics().height() * 12)
        self.counter = plain_text.label("", right)
        self.counter.setObjectName(f"{writer}Counter")
        row = QHBoxLayout()
        for button in buttons[:-1]:
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.counter)
        row.addWidget(buttons[-1])
        layout = QVBoxLayout(right)
        layout.setContentsMargins(8, 8, 8, 8)
        for widget in (self.heading, *above):
            layout.addWidget(widget)
        layout.addLayout(self.facts)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.edit)
        layout.addWidget(note)
        layout.addLayout(row)
        return right

    def place(self, left: QWidget, right: QWidget) -> None:
        """The list and the chosen item side by side, the list wider."""
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([640, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    # -- the list -----------------------------------------------------------------------------------

    def reload(self) -> None:
        self._search_timer.stop()
        self._list_request += 1
        request, db, wanted = self._list_request, self.ctx.db, self.list_filter()
        self.tasks.run_db(lambda: self.read_listing(db, wanted), on_done=lambda found: self._listed(request, found))

    def _listed(self, request: int, found: Any) -> None:
        if request != self._list_request:
            return

        def refill() -> int:
            self.model.set_listing(found.keys, found.first_rows)
            key = next((i.key for i in found.first_rows.values() if self.item_id(i) == self._chosen), None)
            return self.model.row_of(key) if key is not None else -1

        refill_quietly(self.view, refill)
        if not found.keys:
            wanted = self.list_filter()
            self.empty.setText(self.empty_text(wanted != type(wanted)()))
        self.empty.setVisible(not found.keys)

    def select_first(self) -> None:
        if self.model.rowCount():
            self.view.selectRow(0)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        chosen = self.model.row_at(current.row()) if current.isValid() else None
        if chosen is not None and self.item_id(chosen) != self._chosen:
            self.open_item(self.item_id(chosen))

    # -- the chosen item ----------------------------------------------------------------------------

    def open_item(self, item_id: str) -> None:
        self._chosen = item_id
        self.item_opened()
        self.reload_open()

    def reload_open(self) -> None:
        if not self._chosen:
            return
        self._open_request += 1
        request, db, item_id = self._open_request, self.ctx.db, self._chosen
        self.tasks.run_db(lambda: self.read_item(db, item_id), on_done=lambda found: self._opened(request, found))

    def _opened(self, request: int, found: Any) -> None:
        if request == self._open_request:
            self.show_item(found)

    def set_writable(self, writable: bool) -> None:
        self.writable = writable
        self.update_writable()

    def update_writable(self) -> None:
        raise NotImplementedError

    # -- templates (a review's reply, a question's answer) -----------------------------------------

    def open_templates(self) -> None:
        if not self._chosen or not self.writable:
            return
        db = self.ctx.db
        self.tasks.run_db(lambda: feedback_screen.templates(db), on_done=self._pick)

    def _pick(self, choices: list[TemplateChoice]) -> None:
        if not choices:
            self.say(self.tr("No answer templates yet."), NOTE_STYLE)
            return
        picker = TemplatePicker(choices, (), self)
        self.picker = picker
        picker.accepted.connect(lambda: self.use_template(picker.chosen()))
        picker.open()

    def use_template(self, choice: TemplateChoice | None) -> None:
        if choice is None:
            return
        db, item_id = self.ctx.db, self._chosen

        def insert(filled: FilledTemplate) -> None:
            if item_id != self._chosen:
                return
            self.edit.insertPlainText(filled.text)
            self._allowed = tuple(dict.fromkeys((*self._allowed, *filled.allowed)))
            self.say(self.tr("Template: {name}").format(name=display_name(choice)), NOTE_STYLE)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, LintError) and exc.code == "template_unfillable":
                self.say(self.unfillable(display_name(choice), str(exc.found)))
            else:
                self.say(errors.message_for(exc))

        self.tasks.run_db(lambda: self.fill_template(db, choice.key, item_id), on_done=insert, on_error=refused)
