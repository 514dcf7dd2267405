"""Buyer chats and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ChatType(StrEnum):
    BUYER_SELLER = "BUYER_SELLER"
    SELLER_SUPPORT = "SELLER_SUPPORT"
    OTHER = "OTHER"

    @classmethod
    def parse(cls, value: str) -> ChatType:
        """The API spells enums `Buyer_Seller` (2025) or `BUYER_SELLER` (2026)."""
        norm = value.strip().upper()
        if norm in ("BUYER_SELLER", "BUYER_SELLER_SELECT"):
            return cls.BUYER_SELLER
        if norm == "SELLER_SUPPORT":
            return cls.SELLER_SUPPORT
        return cls.OTHER


class AuthorType(StrEnum):
    CUSTOMER = "customer"
    SELLER = "seller"
    SUPPORT = "support"
    OTHER = "other"

    @classmethod
    def parse(cls, value: str) -> AuthorType:
        # Ozon's own examples contain "Сustomer" with a Cyrillic С.
        norm = value.strip().lower().replace("с", "c")
        if norm in ("customer", "seller", "support"):
            return cls(norm)
        return cls.OTHER


@dataclass(frozen=True, slots=True)
class Chat:
    chat_id: str
    chat_type: ChatType
    is_open: bool
    created_at: datetime | None
    unread_count: int = 0
    last_message_id: str = ""
    posting_number: str = ""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    message_id: str
    chat_id: str
    author: AuthorType
    created_at: datetime
    text: str
    is_image: bool = False
    is_read: bool = False
    order_number: str = ""
    image_urls: tuple[str, ...] = ()
