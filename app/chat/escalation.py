"""Escalation to Ozon seller support: a posting's facts gathered in one place, and the message for
support's chat.

    facts = escalation.gather(session, "12345678-0001-1")
    text = escalation.support_message(facts, Topic.NOT_ACCEPTED, "Курьер не забрал коробку")

The facts keep every time in UTC; the message writes them in Moscow time (support works in it) and
always fits Ozon's chat limit (1..1000 characters): the key facts stay, a long timeline is told as
its first and last events and counts per kind, the full one is the PDF's
(`printing.documents.escalation`). No buyer data (name, phone, address) goes into the message: the
posting's own buyer details are never read into the facts, and they are masked in free text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import history, outbox, print_queue
from app.db.tables import MarkingCodeRow, OutboxRow
from app.history import EventKind
from app.outbox import ActionKind, OutboxState, TargetKind
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from app.repos import sync_state

MESSAGE_LIMIT = 1000  # Ozon's chat: 1..1000 characters a message
MOSCOW = timezone(timedelta(hours=3), "МСК")  # no daylight saving since 2014
_NOTE_FIRST_CUT = 450  # the seller's note may not crowd out the facts


class Topic(StrEnum):
    NOT_ACCEPTED = "not_accepted"
    LOST_IN_TRANSIT = "lost_in_transit"
    WRONG_STATUS = "wrong_status"
    LABEL_PROBLEM = "label_problem"
    BUYER_DISPUTE = "buyer_dispute"
    OTHER = "other"

    @property
    def wording(self) -> str:
        """The problem in Russian, as it reads in "Обращаемся по отправлению N: <wording>"."""
        return _TOPIC_WORDING[self]

    @classmethod
    def parse(cls, value: str | Topic) -> Topic:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise ValueError(f"unknown topic {value!r}: one of {', '.join(t.value for t in cls)}") from None


_TOPIC_WORDING = {
    Topic.NOT_ACCEPTED: "отправление не принято на складе",
    Topic.LOST_IN_TRANSIT: "отправление потеряно в пути",
    Topic.WRONG_STATUS: "у отправления неверный статус",
    Topic.LABEL_PROBLEM: "проблема с этикеткой отправления",
    Topic.BUYER_DISPUTE: "спор с покупателем по отправлению",
    Topic.OTHER: "вопрос по отправлению",
}

STATUS_NAMES = {
    "awaiting_registration": "ожидает регистрации",
    "acceptance_in_progress": "идёт приёмка",
    "awaiting_approve": "ожидает подтверждения",
    "awaiting_packaging": "ожидает упаковки",
    "awaiting_deliver": "ожидает отгрузки",
    "arbitration": "арбитраж",
    "client_arbitration": "клиентский арбитраж",
    "delivering": "доставляется",
    "driver_pickup": "у водителя",
    "delivered": "доставлено",
    "cancelled": "отменено",
    "not_accepted": "не принято на сортировочном центре",
    "sent_by_seller": "отправлено продавцом",
    "awaiting_verification": "на проверке",
}

_ACTION_NAMES = {
    ActionKind.SHIP: "сборка (ship)",
    ActionKind.FETCH_LABEL: "получение этикетки",
    ActionKind.SET_TRACKING: "трек-номер",
    ActionKind.DELIVERING: "передано в доставку",
    ActionKind.LAST_MILE: "последняя миля",
    ActionKind.DELIVERED: "доставлено",
    ActionKind.CANCEL: "отмена",
    ActionKind.CREATE_CARRIAGE: "отгрузка (carriage)",
    ActionKind.LABEL_SPLIT_PARTS: "этикетки коробок",
}
_QUEUED_WORDS = {"tracking": "трек-номер", "carriage": "отгрузка (carriage)", "own": "собственный акт"}


class Group(StrEnum):
    """What kind of thing a timeline event is, for the counts of a compressed timeline."""

    SCAN = "scan"
    OVERRIDE = "override"
    PACKING = "packing"
    PRINT = "print"
    REPRINT = "reprint"
    PRINT_FAILED = "print_failed"
    ACTION = "action"
    CONFLICT = "conflict"
    HANDOVER = "handover"


GROUP_NAMES = {
    Group.SCAN: "сканы",
    Group.OVERRIDE: "без полного скана",
    Group.PACKING: "упаковка",
    Group.PRINT: "печать",
    Group.REPRINT: "перепечатка",
    Group.PRINT_FAILED: "ошибки печати",
    Group.ACTION: "действия в Ozon",
    Group.CONFLICT: "отказы Ozon",
    Group.HANDOVER: "передача",
}

_HISTORY = {  # kind: (title, group)
    EventKind.SCAN_POSTING: ("Отсканировано отправление", Group.SCAN),
    EventKind.SCAN_ITEM: ("Отсканирован товар", Group.SCAN),
    EventKind.SCAN_REFUSED: ("Скан отклонён", Group.SCAN),
    EventKind.NEW_PACKAGE: ("Новая коробка", Group.PACKING),
    EventKind.OVERRIDE: ("Упаковано без полного сканирования", Group.OVERRIDE),
    EventKind.PACKED: ("Упаковано", Group.PACKING),
    EventKind.ABORTED: ("Упаковка отложена", Group.PACKING),
    EventKind.STOP: ("Отменено во время упаковки", Group.PACKING),
    EventKind.STOP_ACKNOWLEDGED: ("Товар возвращён на полку", Group.PACKING),
    EventKind.ACTION_QUEUED: ("Действие для Ozon", Group.ACTION),
    EventKind.ACTION_DONE: ("Действие выполнено", Group.ACTION),
    EventKind.CONFLICT: ("Ozon отказал", Group.CONFLICT),
    EventKind.PRINT: ("Печать", Group.PRINT),
    EventKind.REPRINT: ("Перепечатка", Group.REPRINT),
    EventKind.PRINT_FAILED: ("Ошибка печати", Group.PRINT_FAILED),
}

_KEY = re.compile(r"\s*\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w-])(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?![\w-])")
_HIDDEN = "[скрыто]"


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: datetime  # UTC
    group: Group
    title: str  # Russian
    detail: str = ""
    user: str = ""


@dataclass(frozen=True, slots=True)
class EscalationItem:
    sku: int
    offer_id: str
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class EscalationFacts:
    """What support needs to know about a posting; times in UTC; no buyer data."""

    posting_number: str
    order_number: str
    status: str  # Ozon's
    substatus: str
    local_status: str  # a seller action's target while it waits to be sent ("" when none)
    ship_by: datetime | None
    delivery_method: str
    warehouse: str
    tpl_provider: str
    is_rfbs: bool
    tracking_number: str
    items: tuple[EscalationItem, ...]
    marking_codes: tuple[tuple[int, str], ...]  # (sku, 01+GTIN+21+serial), without the crypto tail
    in_carriage: bool
    carriage: str  # the handover as known here ("" when none)
    act: str  # the handover act's print job and state ("" when none)
    timeline: tuple[TimelineEvent, ...]

    @property
    def status_text(self) -> str:
        name = STATUS_NAMES.get(self.status)
        return f"{name} ({self.status})" if name else self.status


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def moscow(value: datetime | None) -> str:
    """dd.mm.yyyy HH:MM МСК ("" when unknown)."""
    return "" if value is None else _utc(value).astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M МСК")


def _mask(text: str, buyer: Sequence[str]) -> str:
    """Free text without the buyer's details: their known name/address and anything like a phone."""
    for value in buyer:
        if len(value.strip()) >= 3:
            text = re.sub(re.escape(value.strip()), _HIDDEN, text, flags=re.IGNORECASE)
    return _PHONE.sub(_HIDDEN, text)


def _clean(text: str, buyer: Sequence[str]) -> str:
    return _mask(" ".join(_KEY.sub("", text).split()), buyer)


def _history_event(e: history.PostingEvent, buyer: Sequence[str]) -> TimelineEvent:
    title, group = _HISTORY.get(e.kind, (e.kind.value, Group.PACKING))
    detail = _clean(e.detail, buyer)
    if e.kind is EventKind.ACTION_QUEUED and detail:
        word, _, rest = detail.partition(" ")
        try:
            name = _ACTION_NAMES.get(ActionKind(word), word)
        except ValueError:
            name = _QUEUED_WORDS.get(word, "")
        if name:
            title, detail = f"Действие для Ozon: {name}", rest if word != "own" else ""
            group = Group.HANDOVER if word in ("carriage", "own") else group
    return TimelineEvent(_utc(e.at), group, title, detail, e.user)


def _action_events(entry: outbox.OutboxEntry, logged: str, buyer: Sequence[str]) -> list[TimelineEvent]:
    """An outbox action's fate with Ozon (its queuing is in the history already, unless `logged` lacks it)."""
    name = _ACTION_NAMES.get(entry.action, entry.action.value)
    group = Group.HANDOVER if entry.action is ActionKind.CREATE_CARRIAGE else Group.ACTION
    events = []
    if entry.key not in logged:
        events.append(TimelineEvent(_utc(entry.created_at), group, f"Действие для Ozon: {name}"))
    if entry.state is OutboxState.DONE:
        events.append(TimelineEvent(_utc(entry.done_at or entry.updated_at), group, f"Ozon принял: {name}"))
    elif entry.state is OutboxState.CONFLICT:
        error = _clean(entry.last_error, buyer)
        events.append(TimelineEvent(_utc(entry.updated_at), Group.CONFLICT, f"Ozon отказал: {name}", error))
    elif entry.state is OutboxState.FAILED:
        events.append(TimelineEvent(_utc(entry.updated_at), group, f"Действие снято продавцом: {name}"))
    return events


def _carriages(session: Session, number: str) -> list[outbox.OutboxEntry]:
    keys = [
        row.key
        for row in session.scalars(select(OutboxRow).where(OutboxRow.action == ActionKind.CREATE_CARRIAGE.value))
        if number in {str(n) for n in (row.payload or {}).get("posting_numbers", [])}
    ]
    return [e for key in keys if (e := outbox.get(session, key)) is not None]


_STATE_NAMES = {
    OutboxState.PENDING: "ждёт отправки в Ozon",
    OutboxState.IN_FLIGHT: "отправляется в Ozon",
    OutboxState.DONE: "подтверждена в Ozon",
    OutboxState.CONFLICT: "Ozon отказал",
    OutboxState.FAILED: "снята продавцом",
}
_JOB_NAMES = {
    JobState.WAITING: "ещё не получен от Ozon",
    JobState.QUEUED: "в очереди печати",
    JobState.DONE: "напечатан",
    JobState.FAILED: "ошибка печати",
    JobState.CANCELLED: "отменён",
}


def gather(session: Session, posting_number: str) -> EscalationFacts | None:
    """The posting's facts and timeline (oldest first); None if it is not in the local cache."""
    cached = posting_repo.get(session, posting_number)
    if cached is None:
        return None
    p = cached.posting
    buyer = (p.customer_name, p.address)
    events = [_history_event(e, buyer) for e in history.of(session, posting_number)]
    logged = " ".join(e.detail for e in history.of(session, posting_number))
    for entry in outbox.entries(session, target_id=posting_number):
        if entry.target_kind is TargetKind.POSTING:
            events += _action_events(entry, logged, buyer)
    carriage = ""
    for entry in _carriages(session, posting_number):
        events += _action_events(entry, logged, buyer)
        state = sync_state.get(session, f"carriage.{entry.key}") or ""
        found = re.search(r'"id":\s*(\d+)', state)
        carriage = f"отгрузка {moscow(entry.created_at)} {_STATE_NAMES[entry.state]}"
        if found:
            carriage += f", № {found.group(1)}"
    act = ""
    for job in print_queue.jobs_of(session, posting_number, [DocKind.ACT], list(JobState)):
        act = f"акт {_JOB_NAMES[job.state]}"
        if job.printed_at:
            act += f" {moscow(job.printed_at)}"
    marks = session.execute(
        select(MarkingCodeRow.sku, MarkingCodeRow.ident)
        .where(MarkingCodeRow.posting_number == posting_number)
        .order_by(MarkingCodeRow.scanned_at, MarkingCodeRow.ident)
    ).tuples()
    events.sort(key=lambda e: e.at)  # stable: the history's own order among equal times
    return EscalationFacts(
        posting_number=p.posting_number,
        order_number=p.order_number,
        status=p.status.value,
        substatus=p.substatus,
        local_status=cached.local_status or "",
        ship_by=_utc(p.shipment_date) if p.shipment_date else None,
        delivery_method=p.delivery_method_name,
        warehouse=p.warehouse_name,
        tpl_provider=p.tpl_provider,
        is_rfbs=p.is_rfbs,
        tracking_number=p.tracking_number,
        items=tuple(EscalationItem(i.sku, i.offer_id, i.name, i.quantity) for i in p.products),
        marking_codes=tuple((int(sku), str(ident)) for sku, ident in marks),
        in_carriage=p.substatus == "posting_in_carriage" or bool(carriage),
        carriage=carriage,
        act=act,
        timeline=tuple(events),
    )


# -- the message ---------------------------------------------------------------------------------------


def _cut(text: str, room: int) -> str:
    if len(text) <= room:
        return text
    return "" if room < 2 else text[: room - 1].rstrip() + "…"


def _event_line(e: TimelineEvent, detail_room: int = 60) -> str:
    shown = e.detail and detail_room > 0 and not e.title.startswith("Отсканировано отправление")
    detail = f": {_cut(e.detail, detail_room)}" if shown else ""
    return f"{_short(e.at)} {e.title}{detail}"


def _short(value: datetime) -> str:
    return moscow(value).removesuffix(" МСК")


def counts_text(timeline: Sequence[TimelineEvent]) -> str:
    counts = Counter(e.group for e in timeline)
    return ", ".join(f"{GROUP_NAMES[g]} {counts[g]}" for g in Group if counts[g])


def _timeline_variants(facts: EscalationFacts) -> list[list[str]]:
    """The timeline from all of it down to a pointer to the PDF."""
    events = facts.timeline
    if not events:
        return [["Событий по отправлению в Packdesk не записано."]]
    pdf = "Полная хронология — в приложенном PDF."
    summary = f"Хронология, МСК ({len(events)} событий: {counts_text(events)}):"
    key = [e for e in events if e.group in (Group.OVERRIDE, Group.CONFLICT)]
    variants = [["Хронология, МСК:", *(_event_line(e) for e in events)]]
    for keys, room in ((key[:4], 50), (key[:2], 40), ([], 40), ([], 0)):
        chosen = [events[0], *[e for e in keys if e is not events[0] and e is not events[-1]], events[-1]]
        lines = [_event_line(e, room) for e in dict.fromkeys(chosen)]
        if len(events) > len(lines):
            lines.insert(-1, "…")
        variants.append([summary, *lines, pdf])
    variants.append([summary, pdf])
    variants.append([f"Хронология: {len(events)} событий. {pdf}"])
    return variants


def _items_lines(facts: EscalationFacts, limit: int | None) -> list[str]:
    items = facts.items if limit is None else facts.items[:limit]
    parts = [f"SKU {i.sku} ({i.offer_id}) × {i.quantity}" for i in items]
    more = len(facts.items) - len(items)
    if more:
        parts.append(f"и ещё {more} поз.")
    units = sum(i.quantity for i in facts.items)
    return [f"Товары ({units} шт.): " + "; ".join(parts) + "."] if parts else []


def _fact_lines(facts: EscalationFacts) -> list[str]:
    lines = [f"Отправление {facts.posting_number}, заказ {facts.order_number}."]
    status = f"Статус: {facts.status_text}"
    if facts.substatus:
        status = status.removesuffix(")") + f" / {facts.substatus})" if status.endswith(")") else status

    if facts.local_status and facts.local_status != facts.status:
        status += f"; наше действие ждёт отправки (→ {facts.local_status})"
    lines.append(status + ".")
    if facts.ship_by:
        lines.append(f"Отгрузить до: {moscow(facts.ship_by)}.")
    delivery = "; ".join(
        x for x in (facts.delivery_method, f"склад: {facts.warehouse}" if facts.warehouse else "") if x
    )
    if delivery:
        lines.append(f"Доставка: {delivery}.")
    lines.append(f"Трек-номер: {facts.tracking_number or 'нет'}.")
    return lines


def _handover_lines(facts: EscalationFacts) -> list[str]:
    lines = []
    if facts.marking_codes:
        lines.append(f"Коды «Честный ЗНАК» переданы: {len(facts.marking_codes)}.")
    handover = "; ".join(x for x in (facts.carriage, facts.act) if x)
    if handover:
        lines.append(f"Передача: {handover}.")
    elif facts.in_carriage:
        lines.append("Передача: отправление в отгрузке.")
    return lines


def _assemble(facts: EscalationFacts, topic: Topic, items: list[str], timeline: list[str], note: str) -> str:
    lines = [
        f"Здравствуйте! Просим помочь: {topic.wording}.",
        *_fact_lines(facts),
        *items,
        *_handover_lines(facts),
    ]
    if note:
        lines.append(f"Комментарий: {note}")
    lines += timeline
    lines.append("Просим проверить и помочь. Спасибо!")
    return "\n".join(lines)


def support_message(facts: EscalationFacts, topic: Topic | str, note: str = "") -> str:
    """A polite, factual Russian message for Ozon seller support, 1..1000 characters."""
    topic = Topic.parse(topic)
    known = _mask(" ".join(note.split()), ())
    text = ""
    for note_room in (_NOTE_FIRST_CUT, 250, 120, 0):
        cut = _cut(known, note_room)
        for item_limit in (None, 3, 1):
            for timeline in _timeline_variants(facts):
                text = _assemble(facts, topic, _items_lines(facts, item_limit), timeline, cut)
                if len(text) <= MESSAGE_LIMIT:
                    return text
    return _cut(text, MESSAGE_LIMIT)  # absurdly long remote names: still a message Ozon takes
