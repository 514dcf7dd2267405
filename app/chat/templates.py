"""Reply templates: a seller's canned answers (named in Chinese and English, written in Russian),
filled from the chat's order and checked by `app.chat.lint` before anything is sent.

The defaults live in `resources/templates/default.json`. They are copied into `chat_templates` on the
first change the seller makes (save, delete, import); until then reading shows them as they ship.
Which defaults were copied is kept in sync_state, so a default the seller deleted stays deleted and
one a later Packdesk adds still arrives.

`{buyer_name}`: Ozon's buyer name may be missing (personal data is purged after a while). A template
that uses a variable without a value for the chat is refused (`chat_unfilled_variable`), so the
defaults greet without it («Здравствуйте!») and a seller's own template that uses it is refused
rather than sent with a gap. The cache holds no expected delivery date, so there is no
`{delivery_date}`: the defaults point the buyer at the order card instead.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.chat import lint
from app.chat.intents import INTENTS
from app.chat.lint import LintError
from app.db.tables import ChatRow, ChatTemplateRow
from app.errors import NotFound, UserError
from app.repos import postings as posting_repo
from app.repos import sync_state

MOSCOW = timezone(timedelta(hours=3), "МСК")  # no daylight saving since 2014
SEEDED = "chat_templates_seeded"  # sync_state: the default keys already copied into the table
KEY = re.compile(r"[a-z0-9_]{1,64}")
_VARIABLE = re.compile(r"\{([^{}\n]{0,40})\}")  # what lint takes for a variable
ITEMS_SHOWN = 3
ITEM_NAME_CHARS = 40

# The variables a template may use: name -> (English gloss, Chinese gloss) for the picker.
VARIABLES: dict[str, tuple[str, str]] = {
    "buyer_name": ("buyer's name (may be missing: personal data is purged)", "买家姓名（可能已清除）"),
    "posting_number": ("posting number", "货件编号"),
    "order_number": ("order number", "订单编号"),
    "tracking_number": ("tracking number", "物流单号"),
    "ship_by": ("ship by (Moscow date, dd.mm.yyyy)", "最晚发货日期（莫斯科时间）"),
    "delivery_method": ("delivery method", "配送方式"),
    "items": ("items × quantity", "商品 × 数量"),
    # A review fills these (app.feedback.fill); a chat does not.
    "product_name": ("product name (reviews)", "商品名称（评价回复）"),
    "sku": ("SKU (reviews)", "SKU（评价回复）"),
    "offer_id": ("offer ID (reviews)", "商家货号（评价回复）"),
    "rating": ("rating, 1–5 (reviews)", "评分 1–5（评价回复）"),
}
FIELDS = ("key", "name_zh", "name_en", "text_ru", "intents")


@dataclass(frozen=True, slots=True)
class Template:
    key: str
    name_zh: str
    name_en: str
    text_ru: str
    intents: tuple[str, ...] = ()
    position: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "text_ru": self.text_ru,
            "intents": list(self.intents),
        }


@dataclass(frozen=True, slots=True)
class Filled:
    """A filled template: the text for the buyer and the values filled in (for `lint.check(allowed=)`)."""

    text: str
    allowed: tuple[str, ...]


class TemplateError(UserError):
    """A template (or an item of an import) that cannot be kept; the message names it."""

    def __init__(self, message: str, item: str = "") -> None:
        super().__init__("template_invalid", message, item=item, reason=message)


# -- the defaults ---------------------------------------------------------------------------------


def defaults_file() -> Any:
    return resources.files("resources").joinpath("templates", "default.json")


@functools.cache
def defaults() -> tuple[Template, ...]:
    """The bundled templates, validated like an import (a broken file is a bug of the release)."""
    data = json.loads(defaults_file().read_text(encoding="utf-8"))
    return tuple(parse(item, f"default #{i + 1}", i) for i, item in enumerate(data["templates"]))


def _seed(session: Session, now: datetime) -> None:
    """Copy the defaults not copied before into the table (once each, so deleting one sticks)."""
    done = {key for key in sync_state.get(session, SEEDED).split(",") if key}
    missing = [t for t in defaults() if t.key not in done]
    if not missing:
        return
    position = (session.scalar(select(func.max(ChatTemplateRow.position))) or 0) + 1
    for t in missing:
        if session.get(ChatTemplateRow, t.key) is None:
            session.add(_row(t, position + t.position, now))
    session.flush()
    sync_state.put(session, SEEDED, ",".join(sorted(done | {t.key for t in missing})), now)


def _row(t: Template, position: int, now: datetime) -> ChatTemplateRow:
    return ChatTemplateRow(
        key=t.key,
        name_zh=t.name_zh,
        name_en=t.name_en,
        text_ru=t.text_ru,
        intents=list(t.intents),
        position=position,
        updated_at=now,
    )


def _of(row: ChatTemplateRow) -> Template:
    return Template(row.key, row.name_zh, row.name_en, row.text_ru, tuple(row.intents or ()), row.position)


# -- reading and changing -------------------------------------------------------------------------


def all_templates(session: Session) -> list[Template]:
    """The seller's templates in their order, with the defaults not yet copied (reading writes nothing)."""
    stored = [_of(r) for r in session.scalars(select(ChatTemplateRow).order_by(ChatTemplateRow.position))]
    done = {key for key in sync_state.get(session, SEEDED).split(",") if key}
    have = {t.key for t in stored}
    return stored + [t for t in defaults() if t.key not in done and t.key not in have]


def get(session: Session, key: str) -> Template | None:
    return next((t for t in all_templates(session) if t.key == key), None)


def variables_in(text: str) -> list[str]:
    return _VARIABLE.findall(text)


def parse(item: object, name: str, position: int = 0) -> Template:
    """A template from its JSON object, validated; TemplateError names `name` and what is wrong."""
    if not isinstance(item, Mapping):
        raise TemplateError(f"{name}: expected an object with {', '.join(FIELDS)}", name)
    key = item.get("key")
    if isinstance(key, str):
        name = f"{name} ({key})"
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        raise TemplateError(f"{name}: unknown field(s) {', '.join(unknown)}", name)
    texts = {f: item.get(f) for f in ("key", "name_zh", "name_en", "text_ru")}
    for field_name, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise TemplateError(f"{name}: {field_name} must be a non-empty text", name)
    intents = item.get("intents", [])
    if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
        raise TemplateError(f"{name}: intents must be a list of texts", name)
    name_zh, name_en, text_ru = (str(texts[f]).strip() for f in ("name_zh", "name_en", "text_ru"))
    template = Template(str(key), name_zh, name_en, text_ru, tuple(intents), position)
    try:
        validate(template)
    except TemplateError as exc:
        raise TemplateError(f"{name}: {exc}", name) from None
    return template


def validate(t: Template) -> None:
    """TemplateError unless the template may be kept: a key of [a-z0-9_], names, known intents, and a
    text that passes the lint with its (known) variables left in."""
    if not KEY.fullmatch(t.key):
        raise TemplateError(f"key {t.key!r} must be 1-64 of a-z, 0-9 and _", t.key)
    if not t.name_zh.strip() or not t.name_en.strip():
        raise TemplateError("both names (name_zh, name_en) are needed", t.key)
    unknown_intents = sorted(set(t.intents) - set(INTENTS))
    if unknown_intents:
        raise TemplateError(f"unknown intent(s) {', '.join(unknown_intents)}", t.key)
    unknown = [v for v in variables_in(t.text_ru) if v not in VARIABLES]
    if unknown:
        raise TemplateError(f"unknown variable {{{unknown[0]}}} (known: {', '.join(VARIABLES)})", t.key)
    try:
        lint.check(_VARIABLE.sub(" ", t.text_ru))
    except LintError as exc:
        raise TemplateError(f"the text would not be sent: {exc}", t.key) from None


def save(session: Session, template: Template, now: datetime) -> Template:
    """Add or replace a template (validated); a new one goes last."""
    validate(template)
    _seed(session, now)
    row = session.get(ChatTemplateRow, template.key)
    if row is None:
        position = (session.scalar(select(func.max(ChatTemplateRow.position))) or 0) + 1
        session.add(_row(template, position, now))
        return dataclasses.replace(template, position=position)
    row.name_zh, row.name_en, row.text_ru = template.name_zh, template.name_en, template.text_ru
    row.intents, row.updated_at = list(template.intents), now
    return _of(row)


def delete(session: Session, key: str, now: datetime) -> bool:
    """Remove a template (a default too: it does not come back); False if there was none."""
    _seed(session, now)
    row = session.get(ChatTemplateRow, key)
    if row is None:
        return False
    session.delete(row)
    return True


def export_json(session: Session) -> list[dict[str, Any]]:
    return [t.as_json() for t in all_templates(session)]


def import_json(session: Session, data: object, now: datetime) -> int:
    """Add or replace the templates of `data` (a list of template objects, or {"templates": [...]});
    each is validated first and TemplateError names the first bad one: all or nothing."""
    items = data.get("templates") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise TemplateError("expected a JSON list of templates")
    parsed = [parse(item, f"template #{i + 1}") for i, item in enumerate(items)]
    keys = [t.key for t in parsed]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise TemplateError(f"template {twice[0]} is in the file twice", twice[0])
    for t in parsed:
        save(session, t, now)
    return len(parsed)


# -- filling ------------------------------------------------------------------------------------


def _items(names: Iterable[tuple[str, int]]) -> str:
    listed = [f"{n if len(n) <= ITEM_NAME_CHARS else n[: ITEM_NAME_CHARS - 1] + '…'} × {q}" for n, q in names]
    more = len(listed) - ITEMS_SHOWN
    return ", ".join(listed[:ITEMS_SHOWN]) + (f" и ещё {more}" if more > 0 else "")


def values(session: Session, chat_id: str) -> dict[str, str]:
    """Every variable's value for a chat ("" where the cache has none)."""
    chat = session.get(ChatRow, chat_id)
    if chat is None:
        raise NotFound("chat_unknown", f"chat {chat_id} is not in the local copy", chat_id=chat_id)
    found = dict.fromkeys(VARIABLES, "")
    found["order_number"] = chat.order_number
    cached = posting_repo.get(session, chat.posting_number) if chat.posting_number else None
    if cached is not None:
        p = cached.posting
        ship_by = p.shipment_date.astimezone(MOSCOW).strftime("%d.%m.%Y") if p.shipment_date else ""
        found.update(
            buyer_name=p.customer_name.strip(),
            posting_number=p.posting_number,
            order_number=p.order_number or chat.order_number,
            tracking_number=p.tracking_number.strip(),
            ship_by=ship_by,
            delivery_method=p.delivery_method_name.strip(),
            items=_items((i.name.strip(), i.quantity) for i in p.products),
        )
    return found


def _ship_by_passed(session: Session, chat_id: str, now: datetime) -> bool:
    chat = session.get(ChatRow, chat_id)
    cached = posting_repo.get(session, chat.posting_number) if chat is not None and chat.posting_number else None
    shipment = cached.posting.shipment_date if cached is not None else None
    return shipment is not None and shipment <= now


def fill(session: Session, key: str, chat_id: str, now: datetime) -> Filled:
    """The template filled for the chat. NotFound("template_unknown") for an unknown key; a variable
    that is unknown or has no value for this chat is LintError("chat_unfilled_variable") naming it;
    `{ship_by}` once that moment has passed is LintError("chat_ship_by_passed") naming the date («не
    позднее 29.11» on 2 December is a promise already broken; a late posting is answered by hand)."""
    template = get(session, key)
    if template is None:
        raise NotFound("template_unknown", f"there is no template {key!r}", key=key)
    known = values(session, chat_id)
    used: list[str] = []

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in known:
            raise LintError("chat_unfilled_variable", f"Not sent: unknown variable {{{name}}}", f"{{{name}}}")
        if name == "ship_by" and known[name] and _ship_by_passed(session, chat_id, now):
            raise LintError(
                "chat_ship_by_passed",
                f"Not sent: the ship-by date {known[name]} has passed, so the message would promise a date "
                "gone by; write to the buyer yourself",
                known[name],
            )
        if not known[name]:
            raise LintError(
                "chat_unfilled_variable",
                f"Not sent: {{{name}}} has no value for this chat ({VARIABLES[name][0]})",
                f"{{{name}}}",
            )
        used.append(known[name])
        return known[name]

    return Filled(_VARIABLE.sub(one, template.text_ru), tuple(dict.fromkeys(used)))


def ranked(templates: Sequence[Template], intents: Sequence[str]) -> list[Template]:
    """Templates answering the message's intents first (in the order of `intents`), then the rest."""
    order = {intent: i for i, intent in enumerate(intents)}

    def rank(t: Template) -> int:
        return min((order[i] for i in t.intents if i in order), default=len(order))

    return sorted(templates, key=rank)
