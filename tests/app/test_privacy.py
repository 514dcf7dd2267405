"""Buyers' personal data of finished orders is blanked after the configured period."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from app.context import AppContext
from app.domain.postings import PostingStatus
from app.repos import postings
from app.workflows import privacy
from tests.app.factories import NOW, posting


def test_only_old_finished_postings_lose_personal_data(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings.save(
            s,
            [
                posting(
                    "11111111-0001-1",
                    status=PostingStatus.DELIVERED,
                    ship_in_hours=-24 * 40,
                    address="ул. Ленина, 1",
                    pvz_code="PVZ-1",
                ),
                posting(
                    "22222222-0001-1", status=PostingStatus.CANCELLED, ship_in_hours=-24 * 10, address="ул. Мира, 2"
                ),
                posting(
                    "33333333-0001-1",
                    status=PostingStatus.AWAITING_DELIVER,
                    ship_in_hours=-24 * 40,
                    address="ул. Гагарина, 3",
                ),
            ],
            NOW,
        )
    assert privacy.purge(ctx.db, NOW, days=30) == 1
    with ctx.db.read() as s:
        old = postings.get(s, "11111111-0001-1").posting  # type: ignore[union-attr]
        recent = postings.get(s, "22222222-0001-1").posting  # type: ignore[union-attr]
        open_ = postings.get(s, "33333333-0001-1").posting  # type: ignore[union-attr]
    assert (old.customer_name, old.address, old.pvz_code) == ("", "", "")
    assert old.city == "Казань" and old.products  # the order stays for the archive and analytics
    assert recent.customer_name == "Иван Петров" and recent.address == "ул. Мира, 2"
    assert open_.customer_name == "Иван Петров"  # still being delivered: needed for the work
    assert privacy.purge(ctx.db, NOW + timedelta(days=25), days=30) == 1  # the cancelled one's turn


def test_a_partial_reread_never_erases_known_buyer_details(ctx: AppContext) -> None:
    """Issue 9: /v3/posting/fbs/get hides buyer data in some replies; the blanks keep the cache."""
    number = "44444444-0001-1"
    with ctx.db.write() as s:
        postings.save(s, [posting(number, address="ул. Ленина, 1", pvz_code="PVZ-1")], NOW)
    reread = replace(posting(number, status=PostingStatus.AWAITING_DELIVER), customer_name="", city="")
    with ctx.db.write() as s:
        postings.save(s, [reread], NOW + timedelta(minutes=5))
    with ctx.db.read() as s:
        saved = postings.get(s, number).posting  # type: ignore[union-attr]
    assert saved.status is PostingStatus.AWAITING_DELIVER  # the rest of the reply is taken
    assert (saved.customer_name, saved.city, saved.address, saved.pvz_code) == (
        "Иван Петров",
        "Казань",
        "ул. Ленина, 1",
        "PVZ-1",
    )
    with ctx.db.write() as s:  # a new value still replaces the old one
        postings.save(s, [posting(number, address="ул. Мира, 2")], NOW + timedelta(minutes=6))
    with ctx.db.read() as s:
        assert postings.get(s, number).posting.address == "ул. Мира, 2"  # type: ignore[union-attr]


def test_the_purge_still_blanks_buyer_details_and_a_blank_reread_keeps_them_blank(ctx: AppContext) -> None:
    number = "55555555-0001-1"
    finished = {"status": PostingStatus.DELIVERED, "ship_in_hours": -24 * 40}
    with ctx.db.write() as s:
        postings.save(s, [posting(number, address="ул. Ленина, 1", pvz_code="PVZ-1", **finished)], NOW)  # type: ignore[arg-type]
    assert privacy.purge(ctx.db, NOW, days=30) == 1
    with ctx.db.write() as s:
        postings.save(s, [replace(posting(number, **finished), customer_name="")], NOW)  # type: ignore[arg-type]
    with ctx.db.read() as s:
        saved = postings.get(s, number).posting  # type: ignore[union-attr]
    assert (saved.customer_name, saved.address, saved.pvz_code) == ("", "", "")


def test_a_purged_buyer_cannot_be_found_through_the_chats(ctx: AppContext) -> None:
    from app.chat import inbox
    from app.chat.inbox import ChatFilter
    from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
    from app.repos import chats as chat_repo

    number = "11111111-0001-1"
    with ctx.db.write() as s:
        postings.save(s, [posting(number, status=PostingStatus.DELIVERED, ship_in_hours=-24 * 40)], NOW)
        chat_repo.save_chats(s, [Chat("c1", ChatType.BUYER_SELLER, True, NOW)], NOW)
        chat_repo.save_messages(
            s, [ChatMessage("1", "c1", AuthorType.CUSTOMER, NOW, "Спасибо!", order_number="11111111-0001")]
        )
    with ctx.db.read() as s:
        assert [c.chat_id for c in inbox.list_chats(s, ChatFilter(search="петров"))] == ["c1"]
    privacy.purge(ctx.db, NOW, days=30)
    with ctx.db.read() as s:
        assert inbox.list_chats(s, ChatFilter(search="петров")) == []
        assert [c.chat_id for c in inbox.list_chats(s, ChatFilter(search=number))] == ["c1"]
