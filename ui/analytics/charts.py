"""Charts of the Analytics page, drawn with pyqtgraph (MIT, pure Python on numpy; see pyproject.toml).

Each chart has category ticks (days or weeks, labelled by the page) along x; values come as plain
lists, None for "nothing that day" (a gap in a line).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

BAR = QColor("#90caf9")
LINE = QColor("#e65100")
GOOD = QColor("#2e7d32")
BAD = QColor("#c62828")
# Revenue lines, one per currency (the first: roubles, the usual only one).
CURRENCY_LINES = (LINE, QColor("#6a1b9a"), QColor("#00838f"), QColor("#5d4037"))
_MAX_TICKS = 7  # Chinese day labels ("11月29日") need the room


def _font() -> QFont:
    font = QFont()
    font.setPointSizeF(max(8.0, font.pointSizeF() * 0.9))
    return font


class Chart(pg.PlotWidget):
    """A plot with category labels along x and no mouse panning (the numbers are in the table beside)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumHeight(220)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=False, y=True, alpha=0.25)
        plot.getViewBox().setMouseEnabled(x=False, y=False)
        for name in ("left", "bottom", "right"):
            axis = plot.getAxis(name)
            axis.setTextPen(pg.mkPen("#424242"))
            axis.setPen(pg.mkPen("#9e9e9e"))
            axis.setStyle(tickFont=_font())
        # On a white ground: the 24-hour line (near the top) never strikes through the legend's words.
        self.legend = plot.addLegend(offset=(8, 4), labelTextColor="#212121", brush=pg.mkBrush(255, 255, 255, 230))
        self._extra: pg.ViewBox | None = None

    def set_labels(self, labels: Sequence[str]) -> None:
        step = max(1, math.ceil(len(labels) / _MAX_TICKS))
        ticks = [(i, label) for i, label in enumerate(labels) if i % step == 0]
        self.getPlotItem().getAxis("bottom").setTicks([ticks, []])
        self.getPlotItem().setXRange(-0.6, max(len(labels) - 0.4, 0.6), padding=0)

    def clear_chart(self) -> None:
        self.getPlotItem().clear()
        self.legend.clear()
        if self._extra is not None:
            self._extra.clear()

    def bars(self, values: Sequence[float], name: str, colour: QColor = BAR, width: float = 0.7) -> None:
        item = pg.BarGraphItem(x=list(range(len(values))), height=list(values), width=width, brush=colour, pen=None)
        self.getPlotItem().addItem(item)
        self.legend.addItem(item, name)

    def line(self, values: Sequence[float | None], name: str, colour: QColor = LINE, *, right: bool = False) -> None:
        if all(v is None for v in values):
            return  # nothing to draw (and pyqtgraph warns about an all-NaN line)
        xs = list(range(len(values)))
        ys = [math.nan if v is None else float(v) for v in values]
        pen = pg.mkPen(colour, width=2)
        item = pg.PlotDataItem(xs, ys, pen=pen, symbol="o", symbolSize=5, symbolBrush=colour, symbolPen=None)
        item.setData(xs, ys, connect="finite")
        if right:
            self._right_view().addItem(item)
        else:
            self.getPlotItem().addItem(item)
        self.legend.addItem(item, name)

    def limit(self, value: float, name: str) -> None:
        """A dashed horizontal line (the 24-hour limit)."""
        line = pg.InfiniteLine(pos=value, angle=0, pen=pg.mkPen(BAD, width=1, style=Qt.PenStyle.DashLine))
        self.getPlotItem().addItem(line)
        self.legend.addItem(pg.PlotDataItem(pen=pg.mkPen(BAD, style=Qt.PenStyle.DashLine)), name)

    def y_range(self, low: float, high: float, *, right: bool = False) -> None:
        view = self._right_view() if right else self.getPlotItem().getViewBox()
        view.setYRange(low, high, padding=0.05)

    def _right_view(self) -> pg.ViewBox:
        """A second y axis on the right, sharing x (revenue beside the order count)."""
        if self._extra is None:
            plot = self.getPlotItem()
            view = pg.ViewBox()
            view.setMouseEnabled(x=False, y=False)
            plot.showAxis("right")
            plot.scene().addItem(view)
            plot.getAxis("right").linkToView(view)
            view.setXLink(plot)

            def follow() -> None:
                view.setGeometry(plot.getViewBox().sceneBoundingRect())
                view.linkedViewChanged(plot.getViewBox(), view.XAxis)

            plot.getViewBox().sigResized.connect(follow)
            follow()
            self._extra = view
        return self._extra
