"""The Returns page's words: stages, kinds, the decision countdown and its colour, grades and dispositions.

Ozon's own names (statuses, actions, reasons) are remote text: shown as plain text, never translated."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from app.domain.returns import Countdown, ReturnKind, Stage
from app.returns.receiving import Disposition, ExchangeMode, Grade
from ui import wording

translate = QCoreApplication.translate

ORANGE = QColor("#c25e00")
RED = QColor("#c62828")
SOON = timedelta(hours=24)
URGENT = timedelta(hours=3)


def stage(value: Stage) -> str:
    names = {
        Stage.NEEDS_DECISION: translate("Returns", "Needs a decision"),
        Stage.ON_THE_WAY: translate("Returns", "On the way back"),
        Stage.ARRIVED: translate("Returns", "Arrived"),
        Stage.CLOSED: translate("Returns", "Closed"),
    }
    return names[value]


def kind(value: ReturnKind) -> str:
    names = {
        ReturnKind.FBS: translate("Returns", "FBS return"),
        ReturnKind.FBO: translate("Returns", "FBO return"),
        ReturnKind.RFBS: translate("Returns", "rFBS request"),
    }
    return names[value]


def grade(value: Grade) -> str:
    names = {
        Grade.NEW: translate("Returns", "New, sealed"),
        Grade.OPENED: translate("Returns", "Opened, complete"),
        Grade.DAMAGED: translate("Returns", "Damaged"),
        Grade.WRONG_ITEM: translate("Returns", "Wrong item"),
    }
    return names[value]


def disposition(value: Disposition) -> str:
    names = {
        Disposition.RESTOCK: translate("Returns", "Back to stock"),
        Disposition.WRITE_OFF: translate("Returns", "Write off"),
    }
    return names[value]


def exchange_mode(value: ExchangeMode) -> str:
    names = {
        ExchangeMode.REPLACEMENT: translate("Returns", "Replacement posting"),
        ExchangeMode.RESEND: translate("Returns", "Resent"),
    }
    return names[value]


def duration(left: timedelta) -> str:
    minutes = int(abs(left.total_seconds()) // 60)
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        return translate("Returns", "{d} d {h} h").format(d=hours // 24, h=hours % 24)
    if hours:
        return translate("Returns", "{h} h {m} min").format(h=hours, m=rest)
    return translate("Returns", "{m} min").format(m=rest)


def countdown(clock: Countdown | None) -> str:
    """'5 h 10 min left' / 'overdue 2 h' ('' when nothing waits for a decision)."""
    if clock is None:
        return ""
    if clock.overdue:
        return translate("Returns", "overdue {time}").format(time=duration(clock.left))
    return translate("Returns", "{time} left").format(time=duration(clock.left))


def colour(clock: Countdown | None) -> QColor | None:
    """Orange under 24 hours, red under 3 hours or overdue."""
    if clock is None:
        return None
    if clock.overdue or clock.left < URGENT:
        return RED
    if clock.left < SOON:
        return ORANGE
    return None


def sentence(clock: Countdown | None) -> str:
    """Which way Ozon decides when the seller does not."""
    if clock is None:
        return ""
    when = wording.local_time(clock.deadline)
    if clock.overdue:
        return translate("Returns", "Overdue: Ozon approves the return for the buyer (deadline was {when}).").format(
            when=when
        )
    return translate("Returns", "Decide by {when}, or Ozon approves the return for the buyer automatically.").format(
        when=when
    )


def storage(storage_from: datetime | None, now: datetime) -> str:
    if storage_from is None:
        return ""
    when = wording.local_time(storage_from)
    if storage_from <= now:
        return translate("Returns", "paid storage since {when}").format(when=when)
    return translate("Returns", "paid storage from {when}").format(when=when)
