"""The packing desks' tables: the desks of a shop and their packers, what is on each station (the
posting's claim), the customs numbers a desk offers again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.tables import Base
from app.db.types import Bounded, JSONText, UTCDateTime


class DeskRow(Base):
    """A packing desk of the shop: who packs there now, when it was last seen, since when it leads
    the sync (one desk per shop talks to Ozon; app/desks.py)."""

    __tablename__ = "desks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    packer: Mapped[str] = mapped_column(Bounded(100), default="")
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    leading_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SharedFileRow(Base):
    """Ozon's label and act PDFs on a shared server: the leading desk downloads them, every desk
    prints them (kept in its own labels folder too, so a reprint needs no server)."""

    __tablename__ = "shared_files"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # the file's name in the labels folder
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PackerRow(Base):
    """A packer who picks their name at a desk; the optional PIN is kept as a salted hash."""

    __tablename__ = "packers"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    pin_hash: Mapped[str] = mapped_column(Bounded(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PackProgressRow(Base):
    """A posting being packed: what was scanned so far, so a crash or power cut loses nothing."""

    __tablename__ = "pack_progress"

    posting_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(Bounded(16))  # open, complete, aborted, stopped
    # [[ [sku, qty], ... ], ...]: scanned units per package, the last one is being filled.
    packages: Mapped[list[list[list[int]]]] = mapped_column(JSONText, default=list)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # {sku: {"gtd": "...", "absent": bool}}: the customs declaration number given for each SKU.
    customs: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSONText, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last scan
    # The desk that has it on its station and who packs it there (others are told and refused).
    desk: Mapped[str] = mapped_column(Bounded(100), default="", server_default="")
    packer: Mapped[str] = mapped_column(Bounded(100), default="", server_default="")


class SkuCustomsRow(Base):
    """The customs declaration number last used for a SKU: offered first next time."""

    __tablename__ = "sku_customs"

    sku: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    gtd: Mapped[str] = mapped_column(Bounded(64), default="")
    is_absent: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
