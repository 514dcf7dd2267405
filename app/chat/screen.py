"""What the Chats page reads, each in one short transaction of its own (the UI holds no SQL and runs
these on its database worker): the list, the badge, one open chat with its draft and its order, the
support chat, and the facts of an escalation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import sync_status
from app.chat import autoreply, compose, escalation, inbox, intents
from app.chat import templates as chat_templates
from app.chat.inbox import ChatFilter, ChatSummary, MessageView
from app.db.engine import Database
from app.db.tables import ChatRow
from app.domain.chats import AuthorType, ChatType
from app.orders.detail import PostingDetail, load_detail


@dataclass(frozen=True, slots=True)
class OpenChat:
    """One chat as the page shows it: the summary, the messages (with the intents of each buyer
    message, for the one-line gloss), the seller's draft and the posting the chat is about."""

    summary: ChatSummary
    messages: tuple[MessageView, ...]
    intents: dict[str, tuple[str, ...]]  # by message id, buyer messages only
    draft: str
    order: PostingDetail | None


# The page lists the most urgent chats; the others are found with the search and the filters.
LIST_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ChatList:
    rows: list[ChatSummary]
    total: int  # how many the filter selects: more than shown when over LIST_LIMIT


def chats(db: Database, wanted: ChatFilter | None = None, limit: int | None = LIST_LIMIT) -> ChatList:
    wanted = wanted or ChatFilter()
    with db.read() as session:
        rows = inbox.list_chats(session, wanted, limit)
        total = len(rows) if limit is None or len(rows) < limit else inbox.count_chats(session, wanted)
    return ChatList(rows, total)


def unread_total(db: Database) -> int:
    with db.read() as session:
        return inbox.unread_total(session)


def open_chat(db: Database, chat_id: str) -> OpenChat | None:
    """None when the chat is not (or no longer) in the local copy."""
    with db.read() as session:
        found = inbox.summary(session, chat_id)
        if found is None:
            return None
        messages = tuple(inbox.conversation(session, chat_id))
        draft = compose.draft(session, chat_id)
    glosses = {
        m.message_id: tuple(intents.classify(m.text))
        for m in messages
        if m.author is AuthorType.CUSTOMER and m.text and not m.is_image
    }
    order = load_detail(db, found.posting_number) if found.posting_number else None
    return OpenChat(found, messages, glosses, draft, order)


def chat_for_posting(db: Database, posting_number: str) -> str:
    """The chat about this posting ("" when none is cached)."""
    detail = load_detail(db, posting_number)
    return detail.chat_id if detail is not None else ""


def support_chat_id(db: Database) -> str:
    """The open chat with Ozon's seller support ("" when none is cached); the newest one first."""
    with db.read() as session:
        found = session.scalar(
            select(ChatRow.chat_id)
            .where(ChatRow.chat_type == ChatType.SELLER_SUPPORT.value)
            .order_by(ChatRow.is_open.desc(), ChatRow.last_message_at.desc())
            .limit(1)
        )
    return found or ""


def escalation_facts(db: Database, posting_number: str) -> escalation.EscalationFacts | None:
    with db.read() as session:
        return escalation.gather(session, posting_number)


# -- templates (app.chat.templates) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    key: str
    name_zh: str
    name_en: str
    text_ru: str
    intents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FilledTemplate:
    text: str
    allowed: tuple[str, ...]  # the order's own values the lint lets through (a tracking number is no phone)


def templates(db: Database, intents: Sequence[str] = ()) -> list[TemplateChoice]:
    """The seller's answer templates, those for the buyer message's intents first."""
    with db.read() as session:
        found = chat_templates.all_templates(session)
    if intents:
        found = chat_templates.ranked(found, list(intents))
    return [TemplateChoice(t.key, t.name_zh, t.name_en, t.text_ru, tuple(t.intents)) for t in found]


def fill_template(db: Database, key: str, chat_id: str, now: datetime) -> FilledTemplate:
    """The template's Russian text with the chat's order filled in (LintError naming a variable that has
    no value for this chat)."""
    with db.read() as session:
        filled = chat_templates.fill(session, key, chat_id, now)
    return FilledTemplate(filled.text, tuple(filled.allowed))


def chats_plan_limited(db: Database) -> bool:
    """The shop's Ozon plan leaves the chat API out (the last sync said so)."""
    with db.read() as session:
        return sync_status.plan_limited_since(session, "chats") is not None


# -- managing templates and auto-replies (the Templates… and Auto-replies… dialogs) -----------------


def save_template(db: Database, choice: TemplateChoice, now: datetime) -> None:
    """Add or replace a template (TemplateError naming what is wrong; nothing is kept then)."""
    template = chat_templates.Template(choice.key, choice.name_zh, choice.name_en, choice.text_ru, choice.intents)
    with db.write() as session:
        chat_templates.save(session, template, now)


def delete_template(db: Database, key: str, now: datetime) -> bool:
    with db.write() as session:
        return chat_templates.delete(session, key, now)


def _read_json(path: Path, error: type[chat_templates.TemplateError] | type[autoreply.RuleError]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise error(f"{path.name} cannot be read as JSON: {exc}") from None


def _write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def import_templates(db: Database, path: Path, now: datetime) -> int:
    """Add or replace the templates of a JSON file, all or nothing (TemplateError names the first bad one)."""
    data = _read_json(path, chat_templates.TemplateError)
    with db.write() as session:
        return chat_templates.import_json(session, data, now)


def export_templates(db: Database, path: Path) -> Path:
    with db.read() as session:
        data = {"templates": chat_templates.export_json(session)}
    return _write_json(path, data)


@dataclass(frozen=True, slots=True)
class AutoReplies:
    rules: list[autoreply.Rule]
    log: list[autoreply.LogEntry]  # newest first


def auto_replies(db: Database, limit: int = 100) -> AutoReplies:
    with db.read() as session:
        return AutoReplies(autoreply.rules(session), autoreply.log(session, limit))


def set_rule(
    db: Database, rule_id: int, now: datetime, *, enabled: bool | None = None, dry_run: bool | None = None
) -> autoreply.Rule:
    with db.write() as session:
        return autoreply.set_rule(session, rule_id, enabled=enabled, dry_run=dry_run, now=now)


def import_rules(db: Database, path: Path, now: datetime) -> int:
    """Replace the rule set with a JSON file's, all or nothing (RuleError names the first bad rule)."""
    data = _read_json(path, autoreply.RuleError)
    with db.write() as session:
        return autoreply.import_rules(session, data, now)


def export_rules(db: Database, path: Path) -> Path:
    with db.read() as session:
        data = {"rules": autoreply.export_rules(session)}
    return _write_json(path, data)
