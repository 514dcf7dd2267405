"""Untrusted text (buyer names, cities, addresses, chat messages) shown by Qt.

Qt renders a string as rich text when `Qt.mightBeRichText` says so, and tooltips and QLabels use
AutoText by default: a buyer called `<img src=file:///...>` would make Qt load a local file. Rules
for every screen (see docs/reliability.md, Untrusted input):

* table cells: return the raw string for DisplayRole; the default delegate paints plain text;
* tooltips (ToolTipRole, setToolTip): pass the text through `tooltip()`;
* labels and message boxes: `setTextFormat(Qt.TextFormat.PlainText)`, or build them with `label()`.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget

# Look-alike characters: the text stays readable but Qt can no longer see tags or entities in it.
_DEFUSE = str.maketrans({"<": "‹", ">": "›", "&": "＆"})


def might_be_rich(text: str) -> bool:
    return bool(GuiQt.mightBeRichText(text))


def tooltip(text: str) -> str:
    """A tooltip that Qt will show as plain text whatever the text contains."""
    if not might_be_rich(text):
        return text
    return text.translate(_DEFUSE)


def label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that never interprets its text as HTML."""
    widget = QLabel(parent)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setText(text)
    return widget


def note(name: str, parent: QWidget | None = None) -> QLabel:
    """An empty word-wrapped plain-text label named `name`: the result line under a form."""
    widget = label("", parent)
    widget.setObjectName(name)
    widget.setWordWrap(True)
    return widget


def show(widget: QLabel, text: str, style: str) -> None:
    """A note's text and its colour (a style sheet; "" for the plain one)."""
    widget.setText(text)
    widget.setStyleSheet(style)


_ZWSP = "\u200b"  # a break opportunity Qt's line breaker honours, invisible


def clipped(text: str, limit: int = 200, run: int = 16) -> str:
    """Remote text for a word-wrapped label: at most `limit` characters (then "…"), and a break
    opportunity every `run` characters inside a longer unbroken word, so that neither a 10,000-
    character buyer name nor one without spaces can widen or lengthen the layout."""
    plain = text.replace(_ZWSP, "")
    if len(plain) > limit:
        text = plain[: limit - 1] + "…"

    def breakable(word: re.Match[str]) -> str:
        whole = word.group(0)
        return _ZWSP.join(whole[i : i + run] for i in range(0, len(whole), run))

    return re.sub(rf"[^\s{_ZWSP}]{{{run + 1},}}", breakable, text)
