"""Help → About → Copy diagnostics: what support needs to know, and nothing a seller must not share.

The text names the versions, the OS, the folders, the settings (the Client-Id masked, the database
URL without its password; the Api-Key lives in the keyring and is never here), how many postings
and outbox actions are in each state, and the end of the log. The log lines pass through
`logs.redact` (Api-Keys) and then lose buyers' personal data: the names and addresses the local
cache holds, phone numbers and e-mail addresses.
"""

from __future__ import annotations

import dataclasses
import platform
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app import logs
from app.context import AppContext
from app.db.tables import OutboxRow, PostingRow, ReturnRow
from app.settings import Settings

LOG_LINES = 50
HIDDEN = "***"
PERSON = "[buyer]"

_PHONE = re.compile(
    r"(?<![\w-])(?:\+?[78][\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}|\+\d[\d\s()-]{8,}\d"
    r"|\(?9\d\d\)?[\s-]\d{3}[\s-]\d{2}[\s-]\d{2})(?![\w-])"  # also a mobile without its +7: 916-123-45-67
)
# A "name" inside a buyer's object ({"customer": {"name": …}}, "addressee": {"name": …}).
_PERSON_OBJECT = re.compile(r"(?i)customer|addressee|buyer|client")
_NAME_FIELD = re.compile(r"(\"name\"\s*:\s*)\"[^\"]*\"")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"\w+")
# A field named as personal in a log line or an error body: "customer_name": "…", phone=…, address: …
# An unquoted value runs to the next `key=` / `key:` or the end of the line: `address_tail=Some Street
# 5, kv 12` and `customer_name=Иван Петров` are hidden whole, not up to their first space or comma.
_LABELLED = re.compile(
    r"(?i)((?:customer|buyer|client)[_ ]?name|addressee|phone|address(?:_tail)?)(['\"]?\s*[:=]\s*)"
    r"(\"[^\"]*\"|'[^']*'|.+?(?=[\s,;&]+['\"]?[^\W\d][\w.-]*['\"]?\s*[:=]|\s*$))"
)


def version() -> str:
    """Packdesk's version: the installed package's, else pyproject.toml beside the sources."""
    try:
        return metadata.version("packdesk")
    except metadata.PackageNotFoundError:
        pass
    try:
        with (Path(__file__).resolve().parents[1] / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def mask(value: str, keep: int = 2) -> str:
    """`123456` → `****56`: enough to tell two accounts apart, not enough to be one."""
    if not value:
        return "(none)"
    return "*" * max(len(value) - keep, 2) + value[-keep:] if len(value) > keep else "*" * len(value)


def settings_lines(settings: Settings) -> list[str]:
    """Every setting as `name = value`, the Client-Id masked and a database URL without its password."""
    lines = []
    for field in dataclasses.fields(settings):
        name = field.name
        if any(word in name for word in ("key", "secret", "token", "password")):
            continue  # none today (the Api-Key is in the keyring): never one added later either
        value = getattr(settings, name)
        if name == "client_id":
            value = mask(value)
        elif name == "database_url" and value:
            try:
                value = make_url(value).render_as_string(hide_password=True)
            except ArgumentError:
                value = HIDDEN
        lines.append(f"  {name} = {value!r}")
    return lines


def _counts(ctx: AppContext) -> list[str]:
    with ctx.db.read() as s:
        postings = s.execute(select(PostingRow.status, func.count()).group_by(PostingRow.status)).all()
        actions = s.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
    return [
        "postings: " + (", ".join(f"{status} {n}" for status, n in sorted(postings)) or "none"),
        "outbox: " + (", ".join(f"{state} {n}" for state, n in sorted(actions)) or "empty"),
    ]


def personal_data(ctx: AppContext) -> tuple[set[str], set[str]]:
    """(words of buyers' names, whole addresses and their comma-separated parts) the cache holds."""
    with ctx.db.read() as s:
        names = set(s.scalars(select(PostingRow.customer_name).where(PostingRow.customer_name != "").distinct()))
        names |= set(s.scalars(select(ReturnRow.client_name).where(ReturnRow.client_name != "").distinct()))
        addresses = set(s.scalars(select(PostingRow.address).where(PostingRow.address != "").distinct()))
    # Two letters are a whole name too («Ли», 李伟): hiding a stray word of a log line is the lesser harm.
    words = {w.casefold() for name in names for w in _WORD.findall(name) if len(w) >= 2 and not w.isdigit()}
    parts = {p.strip() for a in addresses for p in (a, *a.split(",")) if len(p.strip()) >= 4}
    return words, parts


def scrub(line: str, name_words: Iterable[str] = (), address_parts: Iterable[str] = ()) -> str:
    """A log line without Api-Keys and without buyers' names, addresses, phones and e-mails."""
    line = logs.redact(line)
    if _PERSON_OBJECT.search(line):  # before the labelled fields: "addressee": {"name": …} is one
        line = _NAME_FIELD.sub(lambda m: m.group(1) + '"' + HIDDEN + '"', line)
    line = _LABELLED.sub(lambda m: m.group(1) + m.group(2) + HIDDEN, line)
    for part in sorted(address_parts, key=len, reverse=True):  # the whole address before its parts
        if part in line:
            line = line.replace(part, PERSON)
    words = set(name_words)
    if words:
        line = _WORD.sub(lambda m: PERSON if m.group(0).casefold() in words else m.group(0), line)
    line = _EMAIL.sub(HIDDEN, line)
    return _PHONE.sub(HIDDEN, line)


def text(ctx: AppContext, qt_version: str = "", lines: int = LOG_LINES) -> str:
    """The diagnostics as plain text, for the clipboard."""
    where = ctx.paths
    database = where.database
    size = f"{database.stat().st_size / 1_000_000:.1f} MB" if database.exists() else "none yet"
    log_file = where.logs / logs.FILE_NAME
    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    out = [
        f"Packdesk {version()}{frozen}",
        f"Python {platform.python_version()}" + (f", Qt {qt_version}" if qt_version else ""),
        f"OS: {platform.platform()} ({platform.machine()})",
        f"data folder: {where.data}",
        f"database: {database} ({size})",
        f"log file: {log_file}",
        *_counts(ctx),
        "settings:",
        *settings_lines(ctx.settings),
    ]
    tail = logs.tail(log_file).splitlines()[-lines:]
    words, parts = personal_data(ctx) if tail else (set(), set())
    out.append(f"last {len(tail)} log lines (buyers' names, addresses and phones removed):")
    out += [scrub(line, words, parts) for line in tail]
    return "\n".join(out) + "\n"
