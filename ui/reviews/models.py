"""The reviews and questions tables: keys of the filter, newest first, rows fetched by key.

Buyer text is returned raw for DisplayRole (the default delegate paints plain text); tooltips go
through plain_text.tooltip."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QFont

from app.feedback.query import QuestionView, ReviewView
from ui import plain_text, wording
from ui.widgets.ids_model import IdsModel

translate = QCoreApplication.translate
LINE = 120
RED = QColor("#c62828")
GOLD = QColor("#b26a00")


def one_line(text: str, limit: int = LINE) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def stars(rating: int) -> str:
    n = max(0, min(5, rating))
    return "★" * n + "☆" * (5 - n)


def status(value: str) -> str:
    names = {
        "NEW": translate("Reviews", "New"),
        "VIEWED": translate("Reviews", "Viewed"),
        "PROCESSED": translate("Reviews", "Processed"),
    }
    return names.get(value, value)


def product(sku: int, offer_id: str, name: str) -> str:
    return " · ".join(p for p in (name, offer_id, str(sku) if sku else "") if p)


class ReviewColumn(IntEnum):
    RATING = 0
    REVIEW = 1
    DATE = 2
    STATUS = 3


class ReviewsModel(IdsModel):
    def headers(self) -> Sequence[str]:
        return (self.tr("Rating"), self.tr("Review"), self.tr("Date"), self.tr("Status"))

    def cell(self, row: Any, column: int, role: int) -> Any:
        r: ReviewView = row
        if role == Qt.ItemDataRole.DisplayRole:
            if column == ReviewColumn.RATING:
                return stars(r.rating)
            if column == ReviewColumn.REVIEW:
                text = one_line(r.text) or self.tr("(rating only, no text)")
                return text + "\n" + product(r.sku, r.offer_id, r.product_name)
            if column == ReviewColumn.DATE:
                return wording.local_time(r.published_at) if r.published_at else ""
            if column == ReviewColumn.STATUS:
                shown = status(r.status)
                if r.pending:
                    return shown + "\n" + self.tr("waiting to be sent")
                return shown + ("\n" + self.tr("replied") if r.replied else "")
        if role == Qt.ItemDataRole.ForegroundRole and column == ReviewColumn.RATING:
            return RED if r.rating <= 2 else GOLD
        if role == Qt.ItemDataRole.FontRole and r.status == "NEW":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == ReviewColumn.REVIEW:
            return plain_text.tooltip(plain_text.clipped(r.text, 400, 60))
        if role == Qt.ItemDataRole.UserRole:
            return r.review_id
        return None


class QuestionColumn(IntEnum):
    QUESTION = 0
    AUTHOR = 1
    DATE = 2
    STATUS = 3


class QuestionsModel(IdsModel):
    def headers(self) -> Sequence[str]:
        return (self.tr("Question"), self.tr("Asked by"), self.tr("Date"), self.tr("Status"))

    def cell(self, row: Any, column: int, role: int) -> Any:
        q: QuestionView = row
        if role == Qt.ItemDataRole.DisplayRole:
            if column == QuestionColumn.QUESTION:
                return one_line(q.text) + "\n" + product(q.sku, q.offer_id, q.product_name)
            if column == QuestionColumn.AUTHOR:
                return one_line(q.author_name, 40)
            if column == QuestionColumn.DATE:
                return wording.local_time(q.published_at) if q.published_at else ""
            if column == QuestionColumn.STATUS:
                if q.pending:
                    return self.tr("answer waiting to be sent")
                return self.tr("answered") if q.answered else self.tr("not answered")
        if role == Qt.ItemDataRole.FontRole and not q.answered:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == QuestionColumn.QUESTION:
            return plain_text.tooltip(plain_text.clipped(q.text, 400, 60))
        if role == Qt.ItemDataRole.UserRole:
            return q.question_id
        return None
