"""Demo records that come after a sale: buyer chats and their messages, the support chat, FBS and rFBS
returns, reviews and questions. `seed.Factory` makes them while seeding; live mode and the control API
make more the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

from . import catalog, chat_files
from .model import (
    Answer,
    Chat,
    FbsReturn,
    Message,
    Posting,
    Question,
    Review,
    ReviewComment,
    RfbsReturn,
)
from .store import Store

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
RFBS_DECISION_TIME = 3 * DAY  # Ozon approves an rFBS request nobody decided (app.domain.returns)
WIDE_MESSAGE_ID_SHARE = 0.3  # buyer chats whose message ids are 20 digits long (the support chat's always are)

# Visual statuses of FBS/FBO returns: (id, sys_name, display_name). Ozon confirms only id 3.
RETURN_STATUSES = (
    (3, "ArrivedAtReturnPlace", "В пункте выдачи"),
    (20, "MovingToSeller", "Едет к продавцу"),
    (21, "ReturningToSellerByCourier", "Курьер везёт продавцу"),
    (22, "ReceivedBySeller", "Получен продавцом"),
    (24, "WaitingShipment", "Ожидает отправки"),
    (25, "MovingToOzon", "Едет на склад Ozon"),
    (30, "Utilizing", "Утилизируется"),
)


class AfterSalesFactory:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.rng = store.rng
        self.ids = store.ids

    # -- chats ------------------------------------------------------------------------------------

    def chat_for(self, p: Posting, when: datetime) -> Chat:
        store = self.store
        chat_id = store.chat_by_posting.get(p.number)
        if chat_id is not None:
            return store.chats[chat_id]
        chat = Chat(
            chat_id=self.ids.uuid(),
            chat_type="BUYER_SELLER",
            created_at=when,
            buyer_id=str(p.customer.customer_id),
            posting_number=p.number,
            wide_ids=self.rng.random() < WIDE_MESSAGE_ID_SHARE,
        )
        store.chats[chat.chat_id] = chat
        store.chat_by_posting[p.number] = chat.chat_id
        return chat

    def message(self, chat: Chat, user_type: str, when: datetime, text: str = "", image: str = "") -> Message:
        user_id = {"Customer": chat.buyer_id, "Seller": self.store.client_id, "Support": "0"}[user_type]
        order_number, sku = "", 0
        if chat.posting_number and user_type == "Customer":
            p = self.store.postings[chat.posting_number]
            order_number, sku = p.order_number, p.lines[0].product.sku
        data = [chat_files.add(self.store, image)] if image else [text]
        msg = Message(
            id=self.ids.message_id(chat.wide_ids),
            user_id=user_id,
            user_type=user_type,
            created_at=when,
            data=data,
            is_image=bool(image),
            is_read=user_type == "Seller",
            order_number=order_number,
            sku=sku,
        )
        chat.messages.append(msg)
        return msg

    def seed_chat(self, p: Posting, now: datetime) -> None:
        rng = self.rng
        when = p.in_process_at + timedelta(seconds=rng.uniform(600, 7200))
        if when >= now:
            when = now - timedelta(seconds=60)
        chat = self.chat_for(p, when)
        turns = rng.randrange(1, 6)
        damaged = p.status == "delivered" and rng.random() < 0.4
        for i in range(turns):
            if when >= now:
                break
            customer_turn = i % 2 == 0
            if customer_turn:
                if damaged and i > 0:
                    self.message(chat, "Customer", when, image=rng.choice(catalog.DAMAGE_PHOTOS))
                else:
                    text = catalog.BUYER_MESSAGES[5] if damaged else rng.choice(catalog.BUYER_MESSAGES)
                    self.message(chat, "Customer", when, text)
            else:
                self.message(chat, "Seller", when, rng.choice(catalog.SELLER_REPLIES))
            when += timedelta(seconds=rng.uniform(60, 4 * 3600))
        # A seller answers within the day: only a buyer who wrote in the last 22 hours still waits.
        last = chat.messages[-1] if chat.messages else None
        if last is not None and last.user_type == "Customer" and now - last.created_at > timedelta(hours=22):
            answered = last.created_at + timedelta(seconds=rng.uniform(600, 6 * 3600))
            self.message(chat, "Seller", answered, rng.choice(catalog.SELLER_REPLIES))
        # Older customer messages have been read by the seller; the newest may still be unread.
        cutoff = now - timedelta(hours=rng.uniform(2, 30))
        for msg in chat.messages:
            if msg.user_type != "Seller" and msg.created_at < cutoff:
                msg.is_read = True

    def urgent_waits(self, now: datetime) -> None:
        """Two buyers who wrote almost a day ago and wait still: the demo's reply clock shows orange
        (under 4 h left) and red (under 1 h), not only the calm hours of the day's other questions."""
        calm = [
            c
            for c in self.store.chats.values()
            if c.chat_type == "BUYER_SELLER" and c.messages and c.messages[-1].user_type == "Seller"
        ]
        calm = [c for c in calm if c.messages[-1].created_at < now - timedelta(hours=24)]
        for chat, hours in zip(calm, (21.0, 23.4), strict=False):
            self.message(chat, "Customer", now - timedelta(hours=hours), self.rng.choice(catalog.BUYER_MESSAGES))

    def support_chat(self, now: datetime) -> None:
        chat = Chat(chat_id=self.ids.uuid(), chat_type="SELLER_SUPPORT", created_at=now - DAY * 20, wide_ids=True)
        self.store.chats[chat.chat_id] = chat
        when = chat.created_at
        for i, text in enumerate(catalog.SUPPORT_MESSAGES):
            self.message(chat, "Support", when, text.format(n=self.ids.digits(5)))
            if i == 0:
                self.message(
                    chat,
                    "Seller",
                    when + HOUR,
                    "Здравствуйте! Отправление не принято на складе, хотя сдавали вовремя. Проверьте, пожалуйста.",
                )
            when += DAY * 6
        for msg in chat.messages[:-1]:
            msg.is_read = True

    # -- returns ----------------------------------------------------------------------------------

    def fbs_return(self, p: Posting | None, now: datetime) -> FbsReturn:
        """A return for /v1/returns/list; ``p`` None makes an FBO return of an order we never saw."""
        rng, ids, store = self.rng, self.ids, self.store
        if p is not None:
            line = rng.choice(p.lines)
            product, quantity, price = line.product, 1, line.price
            number, order_id, order_number = p.number, p.order_id, p.order_number
            schema = "Fbs"
            rtype = {"delivered": "ClientReturn", "cancelled": "Cancellation"}.get(p.status, "FullReturn")
            warehouse_id = p.method.warehouse.id
        else:
            product = rng.choice(list(store.products.values()))
            quantity, price = 1, product.price
            order_number = ids.order_number()
            number, order_id, schema = f"{order_number}-1", ids.order_id(), "Fbo"
            rtype = rng.choice(("ClientReturn", "FullReturn"))
            warehouse_id = ids.next("fbo_warehouse", 15_431_806_189_000, 1_000_000)
        status_id, sys_name, display = (
            RETURN_STATUSES[1] if p is not None and p.status != "delivered" else rng.choice(RETURN_STATUSES)
        )
        changed = now - timedelta(seconds=rng.uniform(0, 10 * 86400)) if p is None or p.status == "delivered" else now
        reason = rng.choice(catalog.FBS_RETURN_REASONS)
        city = rng.choice(catalog.CITIES)[0]
        return FbsReturn(
            id=ids.next("fbs_return", 1_000_015_552, 40_000),
            schema=schema,
            type=rtype,
            posting_number=number,
            order_id=order_id,
            order_number=order_number,
            sku=product.sku,
            offer_id=product.offer_id,
            name=product.name,
            quantity=quantity,
            price=price,
            commission_percent=rng.choice((1.2, 5.0, 12.0)),
            reason=reason,
            status_id=status_id,
            status_sys_name=sys_name,
            status_name=display,
            changed_at=changed,
            return_date=changed - timedelta(hours=rng.uniform(1, 48)),
            barcode="ii" + ids.digits(10),
            warehouse_id=warehouse_id,
            place_id=ids.next("place", 23_869_688_194_000, 1_000_000),
            place_name=f"СЦ_{city}_Возвраты",
            place_address=f"г. {city}, {rng.choice(catalog.STREETS)}, д. {rng.randrange(1, 99)}",
            is_opened=rng.random() < 0.5,
            exemplar_id=int("10195629" + ids.digits(8)),
        )

    def rfbs_return(self, p: Posting, now: datetime, state: str = "ON_APPROVAL") -> RfbsReturn:
        rng, ids = self.rng, self.ids
        line = rng.choice(p.lines)
        reason_id, reason_name, is_defect = rng.choice(catalog.RETURN_REASONS)
        method_id, method_name = rng.choice(((1, "Почтой России"), (2, "Курьером продавца"), (3, "В пункт выдачи")))
        base = p.delivered_at or now
        share = rng.uniform(0.1, 0.9)
        created = now if state == "ON_APPROVAL" and base >= now else base + (now - base) * share
        if state == "ON_APPROVAL":
            # Ozon decides a request nobody answers after 3 days: one still on approval is younger.
            created = max(created, now - RFBS_DECISION_TIME * share)
        rid = ids.next("rfbs_return", 8_000_123_456, 5_000)
        ret = RfbsReturn(
            return_id=rid,
            return_number=f"RET-{created.year}-{rid % 100_000:05d}",
            posting_number=p.number,
            order_number=p.order_number,
            client_name=p.customer.name,
            created_at=created,
            sku=line.product.sku,
            offer_id=line.product.offer_id,
            name=line.product.name,
            price=line.price,
            reason_id=reason_id,
            reason_name=reason_name,
            is_defect=is_defect,
            comment=rng.choice(catalog.RETURN_COMMENTS),
            photos=[f"https://cdn1.ozone.ru/s3/rfbs-returns/{ids.uuid()}.jpg" for _ in range(rng.randrange(0, 3))],
            return_method_id=method_id,
            return_method_name=method_name,
            warehouse_id=p.method.warehouse.id,
            state=state,
            changed_at=created,
        )
        if state == "AWAITING_RETURN" and method_id == 1:
            ret.ru_post_tracking_number = "8" + ids.digits(13)
        if state == "REJECTED":
            ret.rejection_reason_id, ret.rejection_comment = 1, "На товаре следы использования"
        return ret

    # -- reviews and questions --------------------------------------------------------------------

    def review(self, now: datetime, recent: bool = False) -> Review:
        rng, ids = self.rng, self.ids
        product = rng.choice(list(self.store.products.values()))
        rating = rng.choices((5, 4, 3, 2, 1), (50, 20, 10, 8, 12))[0]
        age = timedelta(seconds=rng.uniform(0, 3600 if recent else 40 * 86400))
        published = now - age
        if age > 7 * DAY:
            status = rng.choices(("PROCESSED", "VIEWED", "NEW"), (70, 20, 10))[0]
        else:
            status = rng.choices(("NEW", "VIEWED", "PROCESSED"), (60, 25, 15))[0]
        photos = [
            f"https://cdn1.ozone.ru/s3/rp-photo-{rng.randrange(1, 4)}/wc1000/{ids.uuid()}.jpeg"
            for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))
        ]
        review = Review(
            id=ids.uuid(),
            sku=product.sku,
            text=rng.choice(catalog.REVIEWS[rating]),
            rating=rating,
            published_at=published,
            status=status,
            order_status="DELIVERED" if rng.random() < 0.95 else "CANCELLED",
            photos=photos,
            likes=rng.randrange(0, 12),
            dislikes=rng.randrange(0, 3),
        )
        if status == "PROCESSED" and rng.random() < 0.7:
            review.comments.append(
                ReviewComment(
                    ids.uuid(),
                    "Спасибо за отзыв! Рады, что товар понравился."
                    if rating >= 4
                    else "Приносим извинения, напишите нам в чат заказа.",
                    published + timedelta(hours=rng.uniform(1, 48)),
                )
            )
        return review

    def question(self, now: datetime, recent: bool = False) -> Question:
        rng, ids = self.rng, self.ids
        product = rng.choice(list(self.store.products.values()))
        published = now - timedelta(seconds=rng.uniform(0, 3600 if recent else 30 * 86400))
        status = rng.choices(("NEW", "VIEWED", "PROCESSED"), (45, 20, 35))[0]
        first = rng.choice(catalog.FEMALE_FIRST + catalog.MALE_FIRST)
        q = Question(
            id=ids.uuid(),
            sku=product.sku,
            text=rng.choice(catalog.QUESTIONS),
            author_name=first,
            published_at=published,
            status=status,
        )
        if status == "PROCESSED":
            q.answers.append(
                Answer(
                    ids.uuid(),
                    q.id,
                    product.sku,
                    "Здравствуйте! Да, подойдёт. Спасибо за вопрос!",
                    "Продавец",
                    published + timedelta(hours=rng.uniform(1, 24)),
                )
            )
        return q
