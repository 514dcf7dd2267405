"""Auto-replies: when a new buyer message matches a rule, answer it with a template (run by the sync
engine right after the chat pull, so it works with the window closed or minimised).

A rule matches a message that has any of its intents (`app.chat.intents`) or contains any of its
keywords (case- and ё-insensitive); a rule with neither matches every message. Then, if set, the
order's Ozon status must be one of `posting_statuses`, and with `outside_hours_only` the message must
arrive outside the shop's working hours (settings.work_hours, local time; "21:00-09:00" crosses
midnight). The first matching rule (by id) answers; each rule answers a chat at most once per
`period_hours`.

A message is answered only if it is *new*: it came in this pull, is younger than 24 hours and newer
than the rule (its `updated_at`), so the first sync of an old shop, or a rule just added, does not
answer old history. Only buyer messages in buyer chats count, never the support chat, and not one
the seller has already answered (a seller message after it, sent or pending).

Every firing is logged: sent (with the outbox key), suggested (`dry_run`: nothing is sent), or
refused (the template could not be filled or the text failed the lint: nothing is sent).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.chat import compose, intents, lint, templates
from app.db.tables import AutoReplyLogRow, AutoReplyRuleRow, ChatMessageRow, ChatRow
from app.domain.chats import AuthorType, ChatMessage, ChatType
from app.domain.postings import PostingStatus
from app.errors import UserError
from app.repos import postings as posting_repo

NEW_FOR = timedelta(hours=24)  # an older message is history, never auto-answered
PERIOD_HOURS = (1, 24 * 30)
FIELDS = (
    "name",
    "enabled",
    "dry_run",
    "intents",
    "keywords",
    "posting_statuses",
    "outside_hours_only",
    "template_key",
    "period_hours",
)
_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")
SENT, SUGGESTED, REFUSED = "sent", "suggested", "refused"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    template_key: str
    enabled: bool = True
    dry_run: bool = False
    intents: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    posting_statuses: tuple[str, ...] = ()
    outside_hours_only: bool = False
    period_hours: int = 24
    id: int = 0
    updated_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "enabled": self.enabled,
            "dry_run": self.dry_run,
            "intents": list(self.intents),
            "keywords": list(self.keywords),
            "posting_statuses": list(self.posting_statuses),
            "outside_hours_only": self.outside_hours_only,
            "template_key": self.template_key,
            "period_hours": self.period_hours,
        }


@dataclass(frozen=True, slots=True)
class LogEntry:
    rule_id: int
    chat_id: str
    message_id: str
    template_key: str
    text: str  # what was sent or suggested; for a refusal, why
    dry_run: bool
    outbox_key: str | None
    fired_at: datetime
    outcome: str  # SENT, SUGGESTED or REFUSED

    def as_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "template_key": self.template_key,
            "outcome": self.outcome,
            "text": self.text,
            "outbox_key": self.outbox_key,
            "fired_at": self.fired_at.isoformat(),
        }


class RuleError(UserError):
    """A rule (or an item of an import) that cannot be kept; the message names it."""

    def __init__(self, message: str, item: str = "") -> None:
        super().__init__("autoreply_rule_invalid", message, item=item, reason=message)


# -- rules --------------------------------------------------------------------------------------


def _of(row: AutoReplyRuleRow) -> Rule:
    return Rule(
        row.name,
        row.template_key,
        row.enabled,
        row.dry_run,
        tuple(row.intents or ()),
        tuple(row.keywords or ()),
        tuple(row.posting_statuses or ()),
        row.outside_hours_only,
        row.period_hours,
        row.id,
        row.updated_at,
    )


def rules(session: Session) -> list[Rule]:
    return [_of(r) for r in session.scalars(select(AutoReplyRuleRow).order_by(AutoReplyRuleRow.id))]


def export_rules(session: Session) -> list[dict[str, Any]]:
    return [r.as_json() for r in rules(session)]


def _texts(value: object, field: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{name}: {field} must be a list of non-empty texts", name)
    return tuple(v.strip() for v in value)


def _flag(value: object, field: str, name: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(f"{name}: {field} must be true or false", name)
    return value


def parse_rule(session: Session, item: object, name: str) -> Rule:
    """A rule from its JSON object, validated (its template must exist); RuleError names `name`."""
    if not isinstance(item, Mapping):
        raise RuleError(f"{name}: expected an object with {', '.join(FIELDS)}", name)
    if isinstance(item.get("name"), str):
        name = f"{name} ({item['name']})"
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        raise RuleError(f"{name}: unknown field(s) {', '.join(unknown)}", name)
    title, key = item.get("name"), item.get("template_key")
    if not isinstance(title, str) or not title.strip():
        raise RuleError(f"{name}: name must be a non-empty text", name)
    if not isinstance(key, str) or templates.get(session, key) is None:
        raise RuleError(f"{name}: template_key {key!r} is not a template", name)
    wanted = _texts(item.get("intents", []), "intents", name)
    if set(wanted) - set(intents.INTENTS):
        raise RuleError(f"{name}: unknown intent(s) {', '.join(sorted(set(wanted) - set(intents.INTENTS)))}", name)
    statuses = _texts(item.get("posting_statuses", []), "posting_statuses", name)
    known = {s.value for s in PostingStatus}
    if set(statuses) - known:
        raise RuleError(f"{name}: unknown posting status(es) {', '.join(sorted(set(statuses) - known))}", name)
    period = item.get("period_hours", 24)
    if not isinstance(period, int) or isinstance(period, bool) or not PERIOD_HOURS[0] <= period <= PERIOD_HOURS[1]:
        raise RuleError(f"{name}: period_hours must be a whole number {PERIOD_HOURS[0]}-{PERIOD_HOURS[1]}", name)
    return Rule(
        name=title.strip(),
        template_key=key,
        enabled=_flag(item.get("enabled", True), "enabled", name),
        dry_run=_flag(item.get("dry_run", False), "dry_run", name),
        intents=wanted,
        keywords=_texts(item.get("keywords", []), "keywords", name),
        posting_statuses=statuses,
        outside_hours_only=_flag(item.get("outside_hours_only", False), "outside_hours_only", name),
        period_hours=period,
    )


def import_rules(session: Session, data: object, now: datetime) -> int:
    """Replace the rule set with `data` (a list of rule objects, or {"rules": [...]}), all or nothing.
    A rule keeps its id (and so its reply history) when one of the same name existed; a changed or
    new rule counts only messages from now on."""
    items = data.get("rules") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise RuleError("expected a JSON list of rules")
    parsed = [parse_rule(session, item, f"rule #{i + 1}") for i, item in enumerate(items)]
    names = [r.name for r in parsed]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise RuleError(f"rule {twice[0]!r} is in the file twice", twice[0])
    old = {row.name: row for row in session.scalars(select(AutoReplyRuleRow))}
    for rule in parsed:
        row = old.pop(rule.name, None)
        if row is None:
            row = AutoReplyRuleRow(updated_at=now)
            session.add(row)
        elif _of(row).as_json() == rule.as_json():
            continue
        for field in FIELDS:
            value = getattr(rule, field)
            setattr(row, field, list(value) if isinstance(value, tuple) else value)
        row.updated_at = now
    for row in old.values():
        session.delete(row)
    return len(parsed)


def set_rule(
    session: Session, rule_id: int, *, enabled: bool | None = None, dry_run: bool | None = None, now: datetime
) -> Rule:
    """Switch one rule on or off, or to dry run (suggest only) and back; RuleError for an unknown id.
    A change counts only messages from now on (like an import), so switching a rule on never answers
    the history it missed."""
    row = session.get(AutoReplyRuleRow, rule_id)
    if row is None:
        raise RuleError(f"there is no rule #{rule_id}", str(rule_id))
    changed = False
    if enabled is not None and row.enabled != enabled:
        row.enabled, changed = enabled, True
    if dry_run is not None and row.dry_run != dry_run:
        row.dry_run, changed = dry_run, True
    if changed:
        row.updated_at = now
    session.flush()
    return _of(row)


def log(session: Session, limit: int = 100) -> list[LogEntry]:
    """The latest firings, newest first."""
    rows = session.scalars(
        select(AutoReplyLogRow).order_by(AutoReplyLogRow.fired_at.desc(), AutoReplyLogRow.id.desc()).limit(limit)
    )
    return [
        LogEntry(
            r.rule_id,
            r.chat_id,
            r.message_id,
            r.template_key,
            r.text,
            r.dry_run,
            r.outbox_key,
            r.fired_at,
            SENT if r.outbox_key else SUGGESTED if r.dry_run else REFUSED,
        )
        for r in rows
    ]


# -- matching -----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def outside_hours(work_hours: str, at: time) -> bool:
    """Whether the local time `at` is outside "HH:MM-HH:MM" (a range may cross midnight; a malformed
    or empty range, or one that starts where it ends, means always open)."""
    m = _HOURS.fullmatch(work_hours.strip())
    if m is None:
        return False
    start, end = time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))
    at = at.replace(second=0, microsecond=0, tzinfo=None)
    if start == end:
        return False
    inside = start <= at < end if start < end else (at >= start or at < end)
    return not inside


def matches(rule: Rule, text: str, found: Sequence[str], status: str, outside: bool) -> bool:
    """Whether `rule` answers a message with `text` and intents `found`, on an order in `status`."""
    if rule.intents or rule.keywords:
        folded = _fold(text)
        if not (set(rule.intents) & set(found) or any(_fold(k) in folded for k in rule.keywords)):
            return False
    if rule.posting_statuses and status not in rule.posting_statuses:
        return False
    return outside or not rule.outside_hours_only


def _answered(session: Session, message: ChatMessage) -> bool:
    later = session.scalar(
        select(ChatMessageRow.message_id)
        .where(ChatMessageRow.chat_id == message.chat_id, ChatMessageRow.author == AuthorType.SELLER.value)
        .where(ChatMessageRow.created_at > message.created_at)
        .limit(1)
    )
    return later is not None


def _fired_since(session: Session, rule_id: int, chat_id: str, since: datetime) -> bool:
    found = session.scalar(
        select(AutoReplyLogRow.id)
        .where(AutoReplyLogRow.rule_id == rule_id, AutoReplyLogRow.chat_id == chat_id)
        .where(AutoReplyLogRow.fired_at > since)
        .limit(1)
    )
    return found is not None


def _status(session: Session, chat: ChatRow) -> str:
    cached = posting_repo.get(session, chat.posting_number) if chat.posting_number else None
    return cached.posting.status.value if cached is not None else ""


def answer_new(
    session: Session, messages: Sequence[ChatMessage], now: datetime, work_hours: str, tz: tzinfo | None = None
) -> list[LogEntry]:
    """Run the enabled rules on the messages a pull just brought (saved already); queue the replies
    in this transaction. `tz`: the shop's local time zone (None: this computer's)."""
    active = [r for r in rules(session) if r.enabled]
    fired: list[LogEntry] = []
    if not active:
        return fired
    outside = outside_hours(work_hours, now.astimezone(tz).time())
    for message in sorted(messages, key=lambda m: m.created_at):
        if message.author is not AuthorType.CUSTOMER or not now - NEW_FOR < message.created_at <= now:
            continue
        chat = session.get(ChatRow, message.chat_id)
        if chat is None or not chat.is_open or ChatType.parse(chat.chat_type) is not ChatType.BUYER_SELLER:
            continue
        if _answered(session, message):
            continue
        found = intents.classify(message.text) if message.text.strip() else []
        status = _status(session, chat)
        for rule in active:
            if rule.updated_at is not None and message.created_at <= rule.updated_at:
                continue
            if not matches(rule, message.text, found, status, outside):
                continue
            if _fired_since(session, rule.id, chat.chat_id, now - timedelta(hours=rule.period_hours)):
                continue
            fired.append(_fire(session, rule, message, now))
            break
    return fired


def _fire(session: Session, rule: Rule, message: ChatMessage, now: datetime) -> LogEntry:
    key: str | None = None
    try:
        filled = templates.fill(session, rule.template_key, message.chat_id, now)
        text = lint.check(filled.text, filled.allowed)
        if not rule.dry_run:
            key = compose.queue_text(session, message.chat_id, text, now, allowed=filled.allowed).key
        outcome = SUGGESTED if rule.dry_run else SENT
    except UserError as exc:
        text, outcome = f"{exc.code}: {exc}", REFUSED
    session.add(
        AutoReplyLogRow(
            rule_id=rule.id,
            chat_id=message.chat_id,
            message_id=message.message_id,
            template_key=rule.template_key,
            text=text,
            dry_run=outcome == SUGGESTED,  # a refusal is neither sent nor suggested
            outbox_key=key,
            fired_at=now,
        )
    )
    session.flush()
    return LogEntry(
        rule.id, message.chat_id, message.message_id, rule.template_key, text, outcome == SUGGESTED, key, now, outcome
    )
