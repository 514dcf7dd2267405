"""The Chats page's words: the reply clock, who wrote a message, its state, and the one-line gloss of
a buyer's message in the seller's language (one sentence per intent of app.chat.intents)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from app.chat.inbox import ChatKind, MessageState
from app.chat.reply_clock import Urgency
from app.domain.chats import AuthorType

translate = QCoreApplication.translate

ORANGE = QColor("#c25e00")
RED = QColor("#c62828")


def clock_colour(urgency: Urgency) -> QColor | None:
    if urgency is Urgency.SOON:
        return ORANGE
    if urgency in (Urgency.URGENT, Urgency.OVERDUE):
        return RED
    return None


def duration(minutes: int) -> str:
    hours, rest = divmod(max(minutes, 0), 60)
    if hours >= 48:  # long overdue: the days say it all
        return translate("Chats", "{d} d").format(d=hours // 24)
    if hours and rest:
        return translate("Chats", "{h} h {m} min").format(h=hours, m=rest)
    if hours:
        return translate("Chats", "{h} h").format(h=hours)
    return translate("Chats", "{m} min").format(m=rest)


def clock(due: datetime | None, now: datetime) -> str:
    """'2 h 15 min left' / 'overdue 3 h' ('' when nothing waits for the seller)."""
    if due is None:
        return ""
    minutes = int((due - now).total_seconds() // 60)
    if minutes < 0:
        return translate("Chats", "overdue {time}").format(time=duration(-minutes))
    return translate("Chats", "{time} left").format(time=duration(minutes))


def author(kind: AuthorType) -> str:
    names = {
        AuthorType.CUSTOMER: translate("Chats", "Buyer"),
        AuthorType.SELLER: translate("Chats", "You"),
        AuthorType.SUPPORT: translate("Chats", "Ozon support"),
        AuthorType.OTHER: translate("Chats", "Ozon"),
    }
    return names[kind]


def chat_title(kind: ChatKind, posting_number: str, order_number: str) -> str:
    if kind is ChatKind.SUPPORT:
        return translate("Chats", "Ozon seller support")
    if kind is ChatKind.OTHER:
        return translate("Chats", "Ozon notices")
    number = posting_number or order_number
    if number:
        return translate("Chats", "Buyer · {number}").format(number=number)
    return translate("Chats", "Buyer")


def state(message_state: MessageState, is_read: bool) -> str:
    if message_state is MessageState.PENDING:
        return translate("Chats", "waiting to be sent")
    if message_state is MessageState.FAILED:
        return translate("Chats", "not sent")
    return translate("Chats", "read") if is_read else translate("Chats", "unread")


def gloss_sentences() -> dict[str, str]:
    return {
        "where_is_order": translate("Chats", "Buyer asks: where is my order?"),
        "when_ship": translate("Chats", "Buyer asks: when will you ship?"),
        "tracking": translate("Chats", "Buyer asks for the tracking number."),
        "delivery_time": translate("Chats", "Buyer asks: when will it arrive?"),
        "cancel": translate("Chats", "Buyer wants to cancel the order."),
        "return": translate("Chats", "Buyer wants to return the item."),
        "exchange": translate("Chats", "Buyer wants to exchange the item."),
        "damaged": translate("Chats", "Buyer says the item arrived damaged."),
        "wrong_item": translate("Chats", "Buyer says they got the wrong item."),
        "missing_item": translate("Chats", "Buyer says something is missing from the parcel."),
        "size_color": translate("Chats", "Buyer asks about size or colour."),
        "product_question": translate("Chats", "Buyer has a question about the product."),
        "thanks": translate("Chats", "Buyer says thank you."),
        "complaint": translate("Chats", "Buyer is unhappy and complains."),
    }


def gloss(intents: tuple[str, ...] | list[str]) -> str:
    """One line under a buyer's message ('' when no intent is recognised)."""
    sentences = gloss_sentences()
    return " ".join(sentences[i] for i in intents if i in sentences)
