"""The shop's packers: the names people pick at a desk (Packing → "Packer: …"), each with an optional
PIN. Every scan, print and decision is recorded under the packer picked (and the desk).

A name is trimmed, 1..NAME_MAX characters, unique whatever its case ("Ли Вэй" and "ли вэй" are one
packer). A PIN is 4..8 digits, kept as `scrypt$<salt hex>$<hash hex>` with a salt of its own per
packer; it is checked in constant time. Names are not renamed: remove and add again (the history
keeps the old name, as it was recorded).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import Clock
from app.db.desk_tables import PackerRow
from app.db.engine import Database
from app.errors import InvalidAction, NotFound

NAME_MAX = 60
PIN_MIN, PIN_MAX = 4, 8
_SCHEME = "scrypt"
# scrypt's cost: ~15 ms and 16 MiB per check on a desk computer; a PIN has few digits, the cost is the guard.
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16


@dataclass(frozen=True, slots=True)
class Packer:
    name: str
    has_pin: bool
    created_at: datetime


def clean_name(name: str) -> str:
    """The name as kept: trimmed, inner runs of spaces made one. Raises InvalidAction when empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidAction("packer_name_empty", "enter the packer's name")
    if len(cleaned) > NAME_MAX:
        raise InvalidAction(
            "packer_name_too_long", f"a packer's name may have at most {NAME_MAX} characters", limit=NAME_MAX
        )
    return cleaned


def check_pin(pin: str) -> str:
    """The PIN as given, if it is 4..8 digits (ASCII); InvalidAction otherwise."""
    if not (PIN_MIN <= len(pin) <= PIN_MAX) or not (pin.isascii() and pin.isdigit()):
        raise InvalidAction("packer_pin_invalid", f"a PIN is {PIN_MIN} to {PIN_MAX} digits", min=PIN_MIN, max=PIN_MAX)
    return pin


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = os.urandom(_SALT_BYTES) if salt is None else salt
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"{_SCHEME}${salt.hex()}${digest.hex()}"


def pin_matches(stored: str, pin: str) -> bool:
    """Whether `pin` is the one hashed in `stored` (constant-time; a malformed hash matches nothing)."""
    scheme, _, rest = stored.partition("$")
    salt_hex, _, digest_hex = rest.partition("$")
    if scheme != _SCHEME or not salt_hex or not digest_hex:
        return False
    try:
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return False
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=len(expected))
    return hmac.compare_digest(digest, expected)


def _find(s: Session, name: str) -> PackerRow | None:
    """The packer of this name, whatever its case."""
    key = " ".join(name.split()).casefold()
    # A shop has a handful of packers; compared here, since SQLite's lower() knows only ASCII.
    return next((r for r in s.scalars(select(PackerRow)) if r.name.casefold() == key), None)


def _get(s: Session, name: str) -> PackerRow:
    row = _find(s, name)
    if row is None:
        raise NotFound("packer_unknown", f"there is no packer {name.strip()!r}", name=name.strip())
    return row


def all_packers(s: Session) -> list[Packer]:
    """Every packer of the shop, by name (case-insensitively)."""
    rows = s.scalars(select(PackerRow)).all()
    return sorted((Packer(r.name, bool(r.pin_hash), r.created_at) for r in rows), key=lambda p: p.name.casefold())


def add(s: Session, name: str, now: datetime, pin: str = "") -> Packer:
    """A new packer (with a PIN when one is given). InvalidAction: a bad name or PIN, a name taken."""
    cleaned = clean_name(name)
    pin_hash = hash_pin(check_pin(pin)) if pin else ""
    existing = _find(s, cleaned)
    if existing is not None:
        raise InvalidAction("packer_exists", f"there is a packer {existing.name!r} already", name=existing.name)
    s.add(PackerRow(name=cleaned, pin_hash=pin_hash, created_at=now))
    s.flush()  # two desks adding the same name at once: the second fails here (primary key)
    return Packer(cleaned, bool(pin_hash), now)


def remove(s: Session, name: str) -> None:
    """The packer is gone from the list (what they did stays recorded under their name)."""
    s.delete(_get(s, name))


def set_pin(s: Session, name: str, pin: str) -> None:
    row = _get(s, name)
    row.pin_hash = hash_pin(check_pin(pin))


def clear_pin(s: Session, name: str) -> None:
    _get(s, name).pin_hash = ""


def has_pin(s: Session, name: str) -> bool:
    return bool(_get(s, name).pin_hash)


def verify(s: Session, name: str, pin: str = "") -> str:
    """The packer's name as kept, if `pin` opens it (any PIN for a packer without one); raises
    InvalidAction `packer_pin_wrong` otherwise, NotFound for an unknown name."""
    row = _get(s, name)
    if row.pin_hash and not pin_matches(row.pin_hash, pin):
        raise InvalidAction("packer_pin_wrong", f"wrong PIN for {row.name}", name=row.name)
    return row.name


# -- for the screens: one transaction each ------------------------------------------------------------


def listed(db: Database) -> list[Packer]:
    with db.read() as s:
        return all_packers(s)


def add_one(db: Database, clock: Clock, name: str, pin: str = "") -> Packer:
    with db.write() as s:
        return add(s, name, clock.now(), pin)


def remove_one(db: Database, name: str) -> None:
    with db.write() as s:
        remove(s, name)


def change_pin(db: Database, name: str, pin: str) -> None:
    """A new PIN for the packer; "" clears it."""
    with db.write() as s:
        if pin:
            set_pin(s, name, pin)
        else:
            clear_pin(s, name)
