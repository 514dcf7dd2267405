"""Refilling a list without the selection change reaching the page (it would reopen the detail)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView


def refill_quietly(view: QAbstractItemView, refill: Callable[[], int]) -> None:
    """Run `refill` (it fills the view's model and returns the row to keep selected, -1 for none)
    with the selection's signals held, then select that row."""
    selection = view.selectionModel()
    selection.blockSignals(True)
    try:
        row = refill()
        if row >= 0:
            selection.setCurrentIndex(
                view.model().index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
    finally:
        selection.blockSignals(False)
