"""A read-only table over a list of ids, rows fetched by id on the database worker.

The page reads the ids of its filter (and the first rows with them) on the TaskManager and hands
them over with `set_listing`. A row not cached yet shows as empty while a block around it is read
(`fetch(ids) -> {id: row}`, Qt-free, in its own transaction); the answer of an older listing is
dropped. Subclasses name their columns (`headers`) and render a cell (`cell`), like RowsModel.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from ui.tasks import TaskManager

_ROOT = QModelIndex()
Index = QModelIndex | QPersistentModelIndex
BLOCK = 100


class IdsModel(QAbstractTableModel):
    def __init__(
        self,
        tasks: TaskManager,
        fetch: Callable[[Sequence[Any]], dict[Any, Any]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._fetch = fetch
        self._ids: list[Any] = []
        self._rows: dict[Any, Any] = {}
        self._asked: set[Any] = set()
        self._generation = 0

    # -- for subclasses --------------------------------------------------------------------------

    def headers(self) -> Sequence[str]:
        raise NotImplementedError

    def cell(self, row: Any, column: int, role: int) -> Any:
        raise NotImplementedError

    # -- the list --------------------------------------------------------------------------------

    def set_listing(self, ids: Sequence[Hashable], first_rows: dict[Any, Any]) -> None:
        self.beginResetModel()
        self._generation += 1
        self._ids = list(ids)
        self._rows = dict(first_rows)
        self._asked = set()
        self.endResetModel()

    def ids(self) -> list[Any]:
        return list(self._ids)

    def id_at(self, row: int) -> Any:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_at(self, row: int) -> Any:
        key = self.id_at(row)
        return None if key is None else self._rows.get(key)

    def row_of(self, key: Any) -> int:
        try:
            return self._ids.index(key)
        except ValueError:
            return -1

    def replace(self, rows: dict[Any, Any]) -> None:
        """Fresh rows for ids already listed (after a change of one of them)."""
        for key, value in rows.items():
            if key in self._rows or key in self._ids:
                self._rows[key] = value
                at = self.row_of(key)
                if at >= 0:
                    self.dataChanged.emit(self.index(at, 0), self.index(at, self.columnCount() - 1))

    def repaint(self) -> None:
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, self.columnCount() - 1))

    # -- Qt ----------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers())

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = self.headers()
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.column() < self.columnCount():
            return None
        found = self.row_at(index.row())
        if found is None:
            self._ask(index.row())
            return None
        return self.cell(found, index.column(), role)

    def _ask(self, row: int) -> None:
        start = row - row % BLOCK
        block = [k for k in self._ids[start : start + BLOCK] if k not in self._rows and k not in self._asked]
        if not block:
            return
        self._asked.update(block)
        generation, fetch = self._generation, self._fetch
        self._tasks.run_db(lambda: fetch(block), on_done=lambda rows: self._arrived(generation, rows))

    def _arrived(self, generation: int, rows: dict[Any, Any]) -> None:
        if generation != self._generation:
            return
        self._rows.update(rows)
        self.repaint()
