"""Wording shared by several screens: posting status names, seller actions, their sync states,
history events, and how a moment is written.

The translation contexts ("PostingStatus", "Outbox", "History") are what the .ts files are keyed by.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from PySide6.QtCore import QCoreApplication

from app.history import EventKind
from app.outbox import ActionKind, OutboxEntry, OutboxState, Refusal

# Literal `translate("Context", "text")` calls so pyside6-lupdate can collect the strings.
translate = QCoreApplication.translate


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%d.%m %H:%M")


@cache
def posting_status(status: str) -> str:
    """A readable name; an unknown status is shown as Ozon sent it."""
    names = {
        "awaiting_registration": translate("PostingStatus", "Awaiting registration"),
        "acceptance_in_progress": translate("PostingStatus", "Acceptance in progress"),
        "awaiting_approve": translate("PostingStatus", "Waiting for Ozon's approval"),
        "awaiting_packaging": translate("PostingStatus", "Awaiting packaging"),
        "awaiting_deliver": translate("PostingStatus", "Awaiting shipment"),
        "arbitration": translate("PostingStatus", "Arbitration"),
        "client_arbitration": translate("PostingStatus", "Client arbitration"),
        "delivering": translate("PostingStatus", "Delivering"),
        "driver_pickup": translate("PostingStatus", "With the driver"),
        "delivered": translate("PostingStatus", "Delivered"),
        "cancelled": translate("PostingStatus", "Cancelled"),
        "not_accepted": translate("PostingStatus", "Not accepted at sorting"),
        "sent_by_seller": translate("PostingStatus", "Sent by seller"),
        "awaiting_verification": translate("PostingStatus", "Awaiting verification"),
        "cancelled_from_split_pending": translate("PostingStatus", "Cancelled (split)"),
        "unknown": translate("PostingStatus", "Unknown status"),
    }
    return names.get(status, status)


def forget_translations() -> None:
    """Call after switching language."""
    posting_status.cache_clear()


def action(kind: ActionKind) -> str:
    names = {
        ActionKind.SHIP: translate("Outbox", "Ship (packed)"),
        ActionKind.FETCH_LABEL: translate("Outbox", "Get Ozon's label"),
        ActionKind.SET_TRACKING: translate("Outbox", "Set tracking number"),
        ActionKind.DELIVERING: translate("Outbox", "Mark as delivering"),
        ActionKind.LAST_MILE: translate("Outbox", "Mark as last mile"),
        ActionKind.DELIVERED: translate("Outbox", "Mark as delivered"),
        ActionKind.CANCEL: translate("Outbox", "Cancel"),
        ActionKind.APPROVE: translate("Outbox", "Confirm (approve)"),
        ActionKind.CHAT_SEND_TEXT: translate("Outbox", "Chat message"),
        ActionKind.CHAT_SEND_FILE: translate("Outbox", "Chat attachment"),
        ActionKind.CHAT_READ: translate("Outbox", "Mark chat as read"),
        ActionKind.CHAT_START: translate("Outbox", "Open a chat with the buyer"),
        ActionKind.RETURN_DECISION: translate("Outbox", "Return decision"),
        ActionKind.REVIEW_REPLY: translate("Outbox", "Reply to a review"),
        ActionKind.REVIEW_STATUS: translate("Outbox", "Mark a review processed"),
        ActionKind.QUESTION_ANSWER: translate("Outbox", "Answer to a question"),
    }
    return names.get(kind, kind.value)


def action_state(value: OutboxState) -> str:
    names = {
        OutboxState.PENDING: translate("Outbox", "Waiting to be sent"),
        OutboxState.IN_FLIGHT: translate("Outbox", "Sending…"),
        OutboxState.DONE: translate("Outbox", "Sent to Ozon"),
        OutboxState.CONFLICT: translate("Outbox", "Refused by Ozon"),
        OutboxState.FAILED: translate("Outbox", "Dropped"),
    }
    return names[value]


def advice(entry: OutboxEntry) -> str:
    """What the seller should do about an action that is not done."""
    if entry.state is OutboxState.CONFLICT:
        if entry.refusal is Refusal.DATA:
            return translate(
                "Outbox",
                "Ozon refused a Честный ЗНАК code or a customs number (see Ozon's reason). The order stands: Drop "
                "and redo, then pack it again at the pack station with the right codes.",
            )
        if entry.refusal is Refusal.CABINET:
            return translate(
                "Outbox",
                "Ozon needs data for this posting that Packdesk cannot send yet: complete it in Ozon's seller "
                "cabinet, then Drop the action here.",
            )
        if entry.action is ActionKind.SHIP and entry.refusal in (Refusal.CANCELLED, None):
            return translate(
                "Outbox",
                "Ozon will not take this shipment (usually the buyer cancelled). Do not ship it: put the goods "
                "back on the shelf, then Drop the action.",
            )
        if entry.refusal is Refusal.OVERTAKEN:
            return translate(
                "Outbox",
                "This no longer applies: the order or return moved on in Ozon. Check it, then Drop the action.",
            )
        return translate(
            "Outbox",
            "Ozon refused this action. Check the posting: if the action still makes sense, Retry it; "
            "otherwise Drop it, or Drop and redo it differently.",
        )
    if entry.state is OutboxState.FAILED:
        return translate("Outbox", "You dropped this action. Retry sends it again.")
    if entry.state is OutboxState.IN_FLIGHT:
        return translate("Outbox", "Being sent right now.")
    if entry.attempts:
        attempts = entry.attempts
        return translate("Outbox", "Not sent yet: Packdesk keeps trying (attempt {n}).").format(n=attempts)
    return translate("Outbox", "Saved on this computer; it goes to Ozon with the next sync.")


def event(kind: EventKind) -> str:
    names = {
        EventKind.SCAN_POSTING: translate("History", "Posting scanned"),
        EventKind.SCAN_ITEM: translate("History", "Item scanned"),
        EventKind.SCAN_REFUSED: translate("History", "Scan refused"),
        EventKind.NEW_PACKAGE: translate("History", "New package"),
        EventKind.OVERRIDE: translate("History", "Completed without every scan"),
        EventKind.PACKED: translate("History", "Packed"),
        EventKind.ABORTED: translate("History", "Packing aborted"),
        EventKind.STOP: translate("History", "STOP: cancelled while packing"),
        EventKind.STOP_ACKNOWLEDGED: translate("History", "STOP acknowledged"),
        EventKind.ACTION_QUEUED: translate("History", "Action saved"),
        EventKind.ACTION_DONE: translate("History", "Action applied by Ozon"),
        EventKind.CONFLICT: translate("History", "Refused by Ozon"),
        EventKind.PRINT: translate("History", "Printed"),
        EventKind.REPRINT: translate("History", "Reprinted"),
        EventKind.PRINT_FAILED: translate("History", "Printing failed"),
        EventKind.RETURN_RECEIVED: translate("History", "Return received"),
        EventKind.EXCHANGE: translate("History", "Exchange"),
        EventKind.TAKEN_OVER: translate("History", "Taken over from another desk"),
    }
    return names.get(kind, kind.value)
