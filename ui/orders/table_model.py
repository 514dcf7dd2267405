"""The orders table over SQL: a list of posting numbers plus a small row cache (Anki's DataModel).

* The current filter and sort are one SQL query returning posting numbers only, read a window at a
  time (WINDOW ids; a million delivered postings are never all in memory, and a tab opens as fast
  as its first window reads from the listing index).
* `rowCount()` grows in chunks through `canFetchMore`/`fetchMore`; when the loaded ids run out, the
  next window is read (OFFSET over the ordering index). `total()` is None until the last window is
  in: the page shows the tab's count instead (the same filter, counted beside the worker).
* `data()` fetches rows on demand, a block of 200 at a time, with a short read (WAL: readers
  never wait for the writer). The cache is bounded and is dropped on every refresh.
* `refresh()` re-runs the query. If the order did not change only `dataChanged` is emitted (the
  selection stays put); otherwise the model resets and `OrdersView` restores the selection.
* The first query runs at once (the window opens with rows). With a TaskManager, later queries
  run on the database worker (100,000 ids take ~70 ms) and the newest answer wins; a query that
  was overtaken before it started is skipped.
* The filter (`OrderFilter`: status tab, warehouse, delivery method, scheme, deadline, search)
  is applied in SQL with bound parameters.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont

from app.clock import Clock
from app.db.engine import Database, StoreError
from app.orders import query
from app.orders.filters import OrderFilter
from app.orders.query import Column, Listing, OrderRow
from ui.orders import cells
from ui.tasks import TaskManager

log = logging.getLogger(__name__)

POSTING_NUMBER_ROLE = Qt.ItemDataRole.UserRole + 1

_ROOT = QModelIndex()
_ITALIC = QFont()
_ITALIC.setItalic(True)


class OrdersTableModel(QAbstractTableModel):
    """Postings of the current status filter, sorted in SQL (ship-by ascending by default).

    Signals:
        refreshed(): the query ran again (after refresh, filter or sort).
    """

    refreshed = Signal()

    FETCH_CHUNK = 1000  # rows added to rowCount() per fetchMore()
    WINDOW = 5000  # posting numbers read per query (the first window comes with the refresh)
    BLOCK = 100  # rows read from the database per cache miss (the first block comes with the ids)
    CACHE_LIMIT = 4000  # rows kept in the cache
    TICK_MS = 60_000  # countdowns and colours are re-evaluated this often

    def __init__(
        self,
        db: Database,
        clock: Clock,
        tasks: TaskManager | None = None,
        parent: QObject | None = None,
        statuses: Iterable[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._clock = clock
        self._tasks = tasks
        self._generation = 0  # answers of older queries are dropped
        self._filter = OrderFilter(statuses=None if statuses is None else frozenset(statuses))
        self._sort = Column.SHIP_BY
        self._descending = False
        self._ids: list[str] = []
        self._complete = True  # every id of the listing is in _ids
        self._listed_at: datetime = clock.now()  # the `now` of the listing's filter (windows agree)
        self._loaded = 0
        self._cache: OrderedDict[str, OrderRow | None] = OrderedDict()
        self._positions: dict[str, int] | None = None
        self._now: datetime = clock.now()
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self._apply(self._query()() or Listing([], {}), keep_loaded=False)

    # -- state ----------------------------------------------------------------------------------

    @property
    def filter(self) -> OrderFilter:
        return self._filter

    @property
    def generation(self) -> int:
        """Grows with every query; a background answer for an older one is dropped."""
        return self._generation

    @property
    def sort_column(self) -> Column:
        return self._sort

    @property
    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    def total(self) -> int | None:
        """Postings matching the filter (loaded into rowCount() or not); None while windows of
        them are still unread (the tab counts say how many)."""
        return len(self._ids) if self._complete else None

    def set_status_filter(self, statuses: str | Iterable[str] | None) -> None:
        """Show only postings whose shown status (local_status or status) is one of `statuses`.

        A single status may be given as a string; None shows every posting.
        """
        wanted = None if statuses is None else frozenset([statuses] if isinstance(statuses, str) else statuses)
        self.set_filter(self._filter.replace(statuses=wanted, conflicts=False))

    def set_filter(self, wanted: OrderFilter) -> None:
        """Show the postings that pass `wanted` (status tab, filters and search, all in SQL)."""
        if wanted == self._filter:
            return
        self._filter = wanted
        self._requery(keep_loaded=False)

    def refresh(self) -> None:
        """Re-run the query, e.g. after PostingsChanged; keeps the loaded depth."""
        self._requery(keep_loaded=True)

    def tick(self) -> None:
        """Time moved on: countdowns and colours change, the rows do not."""
        self._now = self._clock.now()
        self._emit_all_changed()

    def posting_number(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < self._loaded else None

    def row_of(self, posting_number: str, *, read_all: bool = False) -> int | None:
        """The row of a posting in the ids read so far, loading more rows if needed; `read_all`
        reads the rest of the listing first when it is not there (bringing one posting into view;
        a restored selection does not read a million ids)."""
        if self._positions is None:
            self._positions = {n: i for i, n in enumerate(self._ids)}
        row = self._positions.get(posting_number)
        if row is None and read_all and not self._complete:
            self._read_window(None)
            self._positions = {n: i for i, n in enumerate(self._ids)}
            row = self._positions.get(posting_number)
        if row is None:
            return None
        while row >= self._loaded and self.canFetchMore(_ROOT):
            self.fetchMore(_ROOT)
        return row

    # -- Qt model API ---------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and (self._loaded < len(self._ids) or not self._complete)

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid():
            return
        if self._loaded + self.FETCH_CHUNK > len(self._ids) and not self._complete:
            self._read_window(self.WINDOW)
        count = min(self.FETCH_CHUNK, len(self._ids) - self._loaded)
        if count <= 0:
            return
        self.beginInsertRows(_ROOT, self._loaded, self._loaded + count - 1)
        self._loaded += count
        self.endInsertRows()

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cells.header(Column(section))
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._loaded or not 0 <= index.column() < len(Column):
            return None
        column = Column(index.column())
        if role == POSTING_NUMBER_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return cells.alignment(column)
        if role not in _ROW_ROLES:
            return None  # answer without touching the database
        row = self._row(index.row())
        if row is None:
            return self._missing(index.row(), column, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return cells.display(row, column, self._now)
        if role == Qt.ItemDataRole.ToolTipRole:
            return cells.tooltip(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            return cells.background(row, self._now)
        if role == Qt.ItemDataRole.ForegroundRole:
            return cells.foreground(row, self._now)
        if role == Qt.ItemDataRole.FontRole:
            return _ITALIC if column is Column.STATUS and row.pending_sync else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Clicking a header re-runs the query with a new ORDER BY (never sorts in Python)."""
        new_sort = Column(column) if 0 <= column < len(Column) else Column.SHIP_BY
        descending = order == Qt.SortOrder.DescendingOrder
        if (new_sort, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = new_sort, descending
        self._requery(keep_loaded=False)

    # -- internals ------------------------------------------------------------------------------

    def _query(self, keep_loaded: bool = False) -> Callable[[], Listing | None]:
        """The id query for the current filter and sort, safe to run on any thread. The first block
        of rows comes along, so the first paint after a change does not read the database."""
        db, wanted, sort, descending, clock = self._db, self._filter, self._sort, self._descending, self._clock
        generation, block = self._generation, self.BLOCK
        window = max(self.WINDOW, self._loaded) if keep_loaded else self.WINDOW  # a refresh keeps the depth

        def run() -> Listing | None:
            if generation != self._generation:
                return None  # overtaken by a newer filter before it started: skip the work
            return query.read_listing(db, wanted, sort, descending, clock.now(), first=block, window=window)

        return run

    def _read_window(self, limit: int | None) -> None:
        """The next `limit` ids of the listing (None = all the rest), read now (a short read, as
        `_row` does): the seller scrolled to the end of what was read."""
        try:
            more = query.read_ids(
                self._db, self._filter, self._sort, self._descending, self._listed_at, len(self._ids), limit
            )
        except StoreError:
            log.exception("could not read more of the orders list")
            return
        if limit is None or len(more) < limit:
            self._complete = True
        known = set(self._ids) if more else set()
        self._ids.extend(n for n in more if n not in known)  # a posting that moved up is not listed twice
        self._positions = None

    def _requery(self, *, keep_loaded: bool) -> None:
        self._generation += 1
        generation = self._generation
        if self._tasks is None:
            try:
                answer = self._query(keep_loaded)()
            except StoreError:
                log.exception("could not read the orders list")
                return
            if answer is not None:
                self._apply(answer, keep_loaded)
            return

        def done(answer: Listing | None) -> None:
            if answer is not None and generation == self._generation:
                self._apply(answer, keep_loaded)

        def failed(exc: BaseException) -> None:
            log.error("could not read the orders list", exc_info=exc)

        self._tasks.run_db(self._query(keep_loaded), on_done=done, on_error=failed)

    def _apply(self, answer: Listing, keep_loaded: bool) -> None:
        ids = answer.ids
        self._now = self._clock.now()
        self._cache.clear()
        for number in ids[: self.BLOCK]:
            self._cache[number] = answer.first_rows.get(number)
        self._listed_at = self._now
        if ids == self._ids and answer.complete == self._complete:
            self._emit_all_changed()
        else:
            self.beginResetModel()
            self._ids = ids
            self._complete = answer.complete
            self._positions = None
            depth = max(self._loaded, self.FETCH_CHUNK) if keep_loaded else self.FETCH_CHUNK
            self._loaded = min(len(ids), depth)
            self.endResetModel()
        self.refreshed.emit()

    def _emit_all_changed(self) -> None:
        if self._loaded:
            self.dataChanged.emit(self.index(0, 0), self.index(self._loaded - 1, len(Column) - 1))

    def _row(self, row: int) -> OrderRow | None:
        number = self._ids[row]
        if number in self._cache:
            self._cache.move_to_end(number)
            return self._cache[number]
        start = row - row % self.BLOCK
        block = self._ids[start : start + self.BLOCK]
        try:
            fetched = query.read_rows(self._db, block)
        except StoreError:
            log.exception("could not read orders %s…", number)
            fetched = {}
        for n in block:
            self._cache[n] = fetched.get(n)
            self._cache.move_to_end(n)
        while len(self._cache) > self.CACHE_LIMIT:
            self._cache.popitem(last=False)
        return self._cache[number]

    def _missing(self, row: int, column: Column, role: int) -> Any:
        """A posting that vanished between the id query and the row read (shown until refresh)."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column is Column.POSTING:
            return self._ids[row]
        if column is Column.STATUS:
            return self.tr("(not in the local copy)")
        return ""


_ROW_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
    }
)
