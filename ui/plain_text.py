"""Untrusted text (buyer names, cities, addresses, chat messages) shown by Qt.

Qt renders a string as rich text when `Qt.mightBeRichText` says so, and tooltips and QLabels use
AutoText by default: a buyer called `<img src=file:///...>` would make Qt load a local file. Rules
for every screen (see docs/reliability.md, Untrusted input):

* table cells: return the raw string for DisplayRole; the default delegate paints plain text;
* tooltips (ToolTipRole, setToolTip): pass the text through `tooltip()`;
* labels and message boxes: `setTextFormat(Qt.TextFormat.PlainText)`, or build them with `label()`.
"""

from __future__ import annotations

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
