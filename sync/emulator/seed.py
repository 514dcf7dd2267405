"""Demo data, deterministic from the seed: the catalog, warehouses, postings in every status, chats,
returns, reviews and questions. The same factory makes the records that arrive later (live mode and the
control API)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from . import catalog, exemplars, operations, refunds
from .clock import MICROS, MILLIS, NANOS, PLAIN
from .machine import CANCEL_REASONS, DEFAULT_SUBSTATUS
from .model import (
    Answer,
    Cancellation,
    Chat,
    Customer,
    DeliveryMethod,
    FbsReturn,
    Line,
    Message,
    Posting,
    Product,
    Question,
    Review,
    ReviewComment,
    RfbsReturn,
    Warehouse,
)
from .requirements import KINDS, needs, regulated
from .store import Store

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

FBS_STATUS_WEIGHTS = (("awaiting_packaging", 38), ("awaiting_deliver", 25), ("delivering", 12),
                      ("delivered", 15), ("cancelled", 7), ("arbitration", 2), ("client_arbitration", 1))
RFBS_STATUS_WEIGHTS = (("awaiting_approve", 10), ("awaiting_packaging", 33), ("awaiting_deliver", 20),
                       ("delivering", 15), ("delivered", 15), ("cancelled", 7))
NEW_LABELS_ONLY_SHARE = 0.5  # postings with no upper/lower barcode ("0"): scanit is their only label code
WIDE_MESSAGE_ID_SHARE = 0.3  # buyer chats whose message ids are 20 digits long (the support chat's always are)
MIN_OPEN_PER_KIND = 3  # seeded open postings with marked, imported and multi-box goods, at least
SEEDED_APPROVAL_MINUTES = (2.0, 30.0)  # seeded awaiting_approve postings leave it this many minutes from start
STYLES = (PLAIN,) * 10 + (MILLIS,) * 6 + (MICROS,) * 3 + (NANOS,)

# Visual statuses of FBS/FBO returns: (id, sys_name, display_name). Ozon confirms only id 3.
RETURN_STATUSES = ((3, "ArrivedAtReturnPlace", "В пункте выдачи"), (20, "MovingToSeller", "Едет к продавцу"),
                   (21, "ReturningToSellerByCourier", "Курьер везёт продавцу"),
                   (22, "ReceivedBySeller", "Получен продавцом"), (24, "WaitingShipment", "Ожидает отправки"),
                   (25, "MovingToOzon", "Едет на склад Ozon"), (30, "Utilizing", "Утилизируется"))


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


class Factory:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.rng = store.rng
        self.ids = store.ids

    # -- catalog ----------------------------------------------------------------------------------

    def build_catalog(self) -> None:
        rng, ids = self.rng, self.ids
        counts: dict[str, int] = {}

        def offer_id(family: str) -> str:
            counts[family] = counts.get(family, 0) + rng.randrange(1, 9)
            return f"PD-{family}-{counts[family]:03d}"

        for family, name, rub, colors, weight in catalog.PRODUCTS:
            offer = offer_id(family)
            barcodes = [ids.ean13() if rng.random() < 0.8 else ids.ozn()]
            if rng.random() < 0.3:
                barcodes.append(ids.ean13() if rng.random() < 0.5 else ids.ozn())
            self._product(offer, family, f"{name}, {colors[0]}", rub, colors[0], weight, barcodes)
        for family, name, rub, colors, weight, wanted, group, boxes in catalog.REGULATED_PRODUCTS:
            offer = offer_id(family)
            # A marking code holds the GTIN: these all have an EAN-13, first.
            barcodes = [ids.ean13()] + ([ids.ozn()] if rng.random() < 0.3 else [])
            product = self._product(offer, family, f"{name}, {colors[0]}", rub, colors[0], weight, barcodes)
            product.needs, product.mark_group, product.boxes = frozenset(wanted), group, boxes
        self._build_warehouses()

    def _product(self, offer_id: str, family: str, name: str, rub: int, color: str, weight: float,
                 barcodes: list[str]) -> Product:
        rng, ids = self.rng, self.ids
        pid = ids.next("product", 1_100_000_000, 90_000)
        images = [f"https://cdn1.ozone.ru/s3/multimedia-{rng.randrange(1, 9)}/{ids.digits(10)}.jpg"
                  for _ in range(rng.randrange(1, 4))]
        product = Product(
            product_id=pid, sku=ids.next("sku", 1_500_000_000, 3_000_000), offer_id=offer_id, name=name,
            category=family, price=rub * 100, old_price=round(rub * rng.uniform(1.2, 1.8)) * 100,
            color=color, weight=weight, dims=(rng.randrange(50, 300), rng.randrange(40, 200), rng.randrange(10, 120)),
            barcodes=barcodes, images=images, created_at=self.store.now() - DAY * rng.randrange(30, 400),
            stock=rng.randrange(0, 200),
        )
        self.store.products[product.sku] = product
        return product

    def _build_warehouses(self) -> None:
        ids, store = self.ids, self.store
        plan = (
            ("Склад Люблино", "Москва", ("Люблино",), True),
            ("Склад Шушары", "Санкт-Петербург", ("Шушары",), False),
            ("Склад Казань", "Казань", ("Казань",), True),
        )
        for name, city, (short,), with_rfbs in plan:
            wh = Warehouse(id=ids.next("warehouse", 1_020_000_875_431_000, 10_000_000_000), name=name, city=city)
            store.warehouses.append(wh)
            methods = [
                (f"Доставка Ozon самостоятельно, {short}", 24, "Доставка Ozon", "ozon", "dropoff"),
                (f"Ozon Логистика курьеру Ozon, {short}", 24, "Доставка Ozon", "ozon", "pickup"),
            ]
            if with_rfbs:
                methods += [
                    (f"Собственная доставка, {short}", 1001, "Собственная доставка", "non_integrated", "courier"),
                    (f"Почта России, {short}", 3, "Почта России", "non_integrated", "post"),
                ]
            if city == "Казань":
                methods = methods[2:]  # a small rFBS-only warehouse
            for mname, provider_id, provider, integration, kind in methods:
                mid = ids.next("method", 20_605_650_762_000, 1_000_000)
                store.methods[mid] = DeliveryMethod(mid, mname, wh, provider_id, provider, integration, kind)

    # -- people and places ------------------------------------------------------------------------

    def person(self) -> str:
        rng = self.rng
        surname = rng.choice(catalog.SURNAMES)
        if rng.random() < 0.55:
            return f"{rng.choice(catalog.FEMALE_FIRST)} {surname}а"  # every surname in the list takes -а
        return f"{rng.choice(catalog.MALE_FIRST)} {surname}"

    def customer(self, method: DeliveryMethod) -> Customer:
        rng, ids = self.rng, self.ids
        city, region, district, zip_prefix, lat, lon, cluster = rng.choice(catalog.CITIES)
        delivery_type = "PostOffice" if method.kind == "post" else "PVZ" if rng.random() < 0.7 else "Courier"
        house = f"д. {rng.randrange(1, 120)}"
        tail = f"{rng.choice(catalog.STREETS)}, {house}"
        if delivery_type == "Courier":
            tail += f", кв. {rng.randrange(1, 300)}"
        customer = Customer(
            customer_id=ids.next("customer", 140_000_000, 5_000), name=self.person(),
            phone="+79" + ids.digits(9), email="" if rng.random() < 0.8 else f"buyer{ids.digits(6)}@mail.ru",
            region=region, district=district, city=city,
            zip_code=(zip_prefix + ids.digits(6))[:6], address_tail=f"г. {city}, {tail}",
            comment=rng.choice(catalog.ADDRESS_COMMENTS) if delivery_type == "Courier" else "",
            latitude=round(lat + rng.uniform(-0.1, 0.1), 6), longitude=round(lon + rng.uniform(-0.1, 0.1), 6),
            pvz_code=rng.randrange(10_000, 99_999) if delivery_type == "PVZ" else 0,
            delivery_type=delivery_type, cluster=cluster,
        )
        if rng.random() < 0.04:
            customer.company, customer.inn, customer.kpp = rng.choice(catalog.COMPANIES)
        return customer

    # -- postings ---------------------------------------------------------------------------------

    def lines(self, products: Sequence[tuple[Product, int]] | None = None, regulated: bool = True) -> list[Line]:
        """The given goods, or random ones (``regulated`` False: only goods that need nothing before the ship)."""
        rng = self.rng
        if products is None:
            count = rng.choices((1, 2, 3, 4), (60, 25, 10, 5))[0]
            chosen = rng.sample([p for p in self.store.products.values() if regulated or not p.needs], count)
            products = [(p, rng.choices((1, 2, 3), (85, 12, 3))[0]) for p in chosen]
        out = []
        for product, quantity in products:
            price = product.price - rng.choice((0, 0, 0, 1000, 2000, 5000)) if product.price > 10_000 else product.price
            out.append(Line(product, quantity, price, product.old_price, rng.choice((8, 12, 15, 18, 20))))
        return out

    def method(self, rfbs: bool) -> DeliveryMethod:
        methods = [m for m in self.store.methods.values() if m.rfbs == rfbs]
        return self.rng.choice(methods)

    def posting(self, status: str, rfbs: bool, now: datetime, fresh: bool = False,
                products: Sequence[tuple[Product, int]] | None = None, regulated: bool = True) -> Posting:
        """A new posting in ``status``. ``fresh``: it was just paid (``in_process_at == now``)."""
        rng, ids = self.rng, self.ids
        method = self.method(rfbs)
        order_number = ids.order_number()
        upper, lower, scanit = ids.label_codes(new_only=rng.random() < NEW_LABELS_ONLY_SHARE)
        if fresh:
            in_process = now
        elif status in ("awaiting_approve", "awaiting_packaging"):
            # A real queue: most orders came in over the last day; a few are late (the red rows).
            late = rng.random() < 0.08
            in_process = now - timedelta(hours=rng.uniform(80, 100) if late else rng.uniform(0.5, 20))
        elif status == "awaiting_deliver":
            in_process = now - timedelta(seconds=rng.uniform(1800, 60 * 3600))
        elif status == "delivered":
            in_process = now - timedelta(seconds=rng.uniform(4 * 86400, 25 * 86400))
        else:
            in_process = now - timedelta(seconds=rng.uniform(2 * 86400, 12 * 86400))
        # Cut-off times fall on a few fixed hours (10:00-16:00 Moscow time).
        shipment = (in_process + timedelta(hours=rng.uniform(18, 72))).replace(
            hour=rng.choice((7, 9, 11, 13)), minute=0, second=0, microsecond=0)
        if shipment < in_process + timedelta(hours=18):
            shipment += timedelta(days=1)  # Ozon gives at least most of a day to pack
        p = Posting(
            number=f"{order_number}-1", order_id=ids.order_id(), order_number=order_number, method=method,
            lines=self.lines(products, regulated), customer=self.customer(method), in_process_at=in_process,
            shipment_date=shipment, status_changed_at=in_process, status=status,
            substatus=DEFAULT_SUBSTATUS.get(status, ""), upper_barcode=upper, lower_barcode=lower, scanit=scanit,
            style=rng.choice(STYLES), payment=rng.choice(catalog.PAYMENTS), is_premium=rng.random() < 0.1,
            is_express=not rfbs and rng.random() < 0.03,
        )
        self._backfill(p, now, fresh)
        return p

    def _backfill(self, p: Posting, now: datetime, fresh: bool) -> None:
        """Make the history of a posting that starts life past awaiting_packaging consistent."""
        rng = self.rng
        status = p.status
        if status in ("awaiting_packaging", "awaiting_approve"):
            return
        if status == "cancelled":
            reason_id = rng.choice((352, 501, 501, 665, 506))
            title = CANCEL_REASONS[reason_id][0]
            by_seller = reason_id == 352
            p.cancellation = Cancellation(reason_id, title, "seller" if by_seller else "client",
                                          "Продавец" if by_seller else "Покупатель", False, by_seller)
            p.status_changed_at = now if fresh else p.in_process_at + (now - p.in_process_at) * rng.random()
            return
        p.label_ready = True

        def soon(after: datetime, hours: tuple[float, float]) -> datetime:
            """A moment a few hours after ``after``, but never in the future."""
            return min(after + timedelta(hours=rng.uniform(*hours)), after + (now - after) * 0.9)

        shipped = now if fresh else p.in_process_at + (min(now, p.shipment_date) - p.in_process_at) * rng.uniform(
            0.2, 0.95)
        p.status_changed_at = shipped
        if regulated(p):
            exemplars.fill_valid(self.store, p, shipped)
        if status == "awaiting_deliver":
            p.previous_substatus = "posting_created"
            return
        p.delivering_date = shipped if fresh else soon(shipped, (2, 30))
        p.status_changed_at = p.delivering_date
        p.previous_substatus = "posting_transferring_to_delivery"
        if p.method.kind == "post":
            p.tracking_number = "8" + self.ids.digits(13)
        if status == "delivering":
            if p.rfbs:
                p.substatus = rng.choice(("posting_transferred_to_courier_service", "posting_in_courier_service"))
            else:
                p.substatus = rng.choice(("posting_on_way_to_city", "posting_in_pickup_point",
                                          "posting_on_way_to_pickup_point"))
        elif status == "delivered":
            p.delivered_at = now if fresh else soon(p.delivering_date, (24, 120))
            p.status_changed_at = p.delivered_at
            p.previous_substatus = "posting_in_pickup_point"
        elif status in ("arbitration", "client_arbitration"):
            p.previous_substatus = "posting_on_way_to_city"

    def _show_every_requirement(self, batch: list[Posting]) -> None:
        """Whatever the dice said, some open postings need marks, customs numbers and several boxes."""
        rng = self.rng
        waiting = [p for p in batch if p.status == "awaiting_packaging"]
        for kind in KINDS:
            missing = MIN_OPEN_PER_KIND - sum(needs(p, kind) for p in waiting)
            plain = [p for p in waiting if not regulated(p)]
            goods = [product for product in self.store.products.values() if kind in product.needs]
            for p in rng.sample(plain, min(len(plain), max(0, missing))):
                p.lines += self.lines([(rng.choice(goods), 1)])

    # -- chats ------------------------------------------------------------------------------------

    def chat_for(self, p: Posting, when: datetime) -> Chat:
        store = self.store
        chat_id = store.chat_by_posting.get(p.number)
        if chat_id is not None:
            return store.chats[chat_id]
        chat = Chat(chat_id=self.ids.uuid(), chat_type="BUYER_SELLER", created_at=when,
                    buyer_id=str(p.customer.customer_id), posting_number=p.number,
                    wide_ids=self.rng.random() < WIDE_MESSAGE_ID_SHARE)
        store.chats[chat.chat_id] = chat
        store.chat_by_posting[p.number] = chat.chat_id
        return chat

    def message(self, chat: Chat, user_type: str, when: datetime, text: str = "", image: str = "") -> Message:
        user_id = {"Customer": chat.buyer_id, "Seller": self.store.client_id, "Support": "0"}[user_type]
        order_number, sku = "", 0
        if chat.posting_number and user_type == "Customer":
            p = self.store.postings[chat.posting_number]
            order_number, sku = p.order_number, p.lines[0].product.sku
        data = [f"https://cdn1.ozone.ru/s3/chat-files/{self.ids.uuid()}/{image}"] if image else [text]
        msg = Message(id=self.ids.message_id(chat.wide_ids), user_id=user_id, user_type=user_type, created_at=when,
                      data=data, is_image=bool(image), is_read=user_type == "Seller", order_number=order_number,
                      sku=sku)
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
        # Older customer messages have been read by the seller; the newest may still be unread.
        cutoff = now - timedelta(hours=rng.uniform(2, 30))
        for msg in chat.messages:
            if msg.user_type != "Seller" and msg.created_at < cutoff:
                msg.is_read = True

    def support_chat(self, now: datetime) -> None:
        chat = Chat(chat_id=self.ids.uuid(), chat_type="SELLER_SUPPORT", created_at=now - DAY * 20, wide_ids=True)
        self.store.chats[chat.chat_id] = chat
        when = chat.created_at
        for i, text in enumerate(catalog.SUPPORT_MESSAGES):
            self.message(chat, "Support", when, text.format(n=self.ids.digits(5)))
            if i == 0:
                self.message(chat, "Seller", when + HOUR, "Здравствуйте! Отправление не принято на складе, "
                                                          "хотя сдавали вовремя. Проверьте, пожалуйста.")
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
        status_id, sys_name, display = (RETURN_STATUSES[1] if p is not None and p.status != "delivered"
                                        else rng.choice(RETURN_STATUSES))
        changed = now - timedelta(seconds=rng.uniform(0, 10 * 86400)) if p is None or p.status == "delivered" else now
        reason = rng.choice(catalog.FBS_RETURN_REASONS)
        city = rng.choice(catalog.CITIES)[0]
        return FbsReturn(
            id=ids.next("fbs_return", 1_000_015_552, 40_000), schema=schema, type=rtype, posting_number=number,
            order_id=order_id, order_number=order_number, sku=product.sku, offer_id=product.offer_id,
            name=product.name, quantity=quantity, price=price, commission_percent=rng.choice((1.2, 5.0, 12.0)),
            reason=reason, status_id=status_id, status_sys_name=sys_name, status_name=display, changed_at=changed,
            return_date=changed - timedelta(hours=rng.uniform(1, 48)), barcode="ii" + ids.digits(10),
            warehouse_id=warehouse_id, place_id=ids.next("place", 23_869_688_194_000, 1_000_000),
            place_name=f"СЦ_{city}_Возвраты", place_address=f"г. {city}, {rng.choice(catalog.STREETS)}, "
                                                             f"д. {rng.randrange(1, 99)}",
            is_opened=rng.random() < 0.5, exemplar_id=int("10195629" + ids.digits(8)),
        )

    def rfbs_return(self, p: Posting, now: datetime, state: str = "ON_APPROVAL") -> RfbsReturn:
        rng, ids = self.rng, self.ids
        line = rng.choice(p.lines)
        reason_id, reason_name, is_defect = rng.choice(catalog.RETURN_REASONS)
        method_id, method_name = rng.choice(((1, "Почтой России"), (2, "Курьером продавца"), (3, "В пункт выдачи")))
        base = p.delivered_at or now
        created = now if state == "ON_APPROVAL" and base >= now else base + (now - base) * rng.uniform(0.1, 0.9)
        rid = ids.next("rfbs_return", 8_000_123_456, 5_000)
        ret = RfbsReturn(
            return_id=rid, return_number=f"RET-{created.year}-{rid % 100_000:05d}", posting_number=p.number,
            order_number=p.order_number, client_name=p.customer.name, created_at=created, sku=line.product.sku,
            offer_id=line.product.offer_id, name=line.product.name, price=line.price, reason_id=reason_id,
            reason_name=reason_name, is_defect=is_defect, comment=rng.choice(catalog.RETURN_COMMENTS),
            photos=[f"https://cdn1.ozone.ru/s3/rfbs-returns/{ids.uuid()}.jpg" for _ in range(rng.randrange(0, 3))],
            return_method_id=method_id, return_method_name=method_name, warehouse_id=p.method.warehouse.id,
            state=state, changed_at=created,
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
        photos = [f"https://cdn1.ozone.ru/s3/rp-photo-{rng.randrange(1, 4)}/wc1000/{ids.uuid()}.jpeg"
                  for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))]
        review = Review(id=ids.uuid(), sku=product.sku, text=rng.choice(catalog.REVIEWS[rating]), rating=rating,
                        published_at=published, status=status,
                        order_status="DELIVERED" if rng.random() < 0.95 else "CANCELLED", photos=photos,
                        likes=rng.randrange(0, 12), dislikes=rng.randrange(0, 3))
        if status == "PROCESSED" and rng.random() < 0.7:
            review.comments.append(ReviewComment(ids.uuid(), "Спасибо за отзыв! Рады, что товар понравился."
                                                 if rating >= 4 else "Приносим извинения, напишите нам в чат заказа.",
                                                 published + timedelta(hours=rng.uniform(1, 48))))
        return review

    def question(self, now: datetime, recent: bool = False) -> Question:
        rng, ids = self.rng, self.ids
        product = rng.choice(list(self.store.products.values()))
        published = now - timedelta(seconds=rng.uniform(0, 3600 if recent else 30 * 86400))
        status = rng.choices(("NEW", "VIEWED", "PROCESSED"), (45, 20, 35))[0]
        first = rng.choice(catalog.FEMALE_FIRST + catalog.MALE_FIRST)
        q = Question(id=ids.uuid(), sku=product.sku, text=rng.choice(catalog.QUESTIONS), author_name=first,
                     published_at=published, status=status)
        if status == "PROCESSED":
            q.answers.append(Answer(ids.uuid(), q.id, product.sku, "Здравствуйте! Да, подойдёт. Спасибо за вопрос!",
                                    "Продавец", published + timedelta(hours=rng.uniform(1, 24))))
        return q

    # -- the whole world --------------------------------------------------------------------------

    def populate(self, postings: int) -> None:
        store, rng = self.store, self.rng
        now = store.now()
        self.build_catalog()
        batch = []
        for _ in range(postings):
            rfbs = rng.random() < 0.15
            status = _weighted(rng, RFBS_STATUS_WEIGHTS if rfbs else FBS_STATUS_WEIGHTS)
            batch.append(self.posting(status, rfbs, now))
        self._show_every_requirement(batch)
        store.add_postings(batch, bulk=True)
        for p in batch:
            if p.status == "awaiting_approve":  # Ozon approves the seeded ones soon, at random moments
                operations.approve_later(store, p, now + timedelta(minutes=rng.uniform(*SEEDED_APPROVAL_MINUTES)))

        def pick(statuses: tuple[str, ...], rfbs: bool | None = None) -> list[Posting]:
            return [p for p in batch if p.status in statuses and (rfbs is None or p.rfbs == rfbs)]

        active = pick(("awaiting_packaging", "awaiting_deliver", "delivering", "delivered"))
        for p in rng.sample(active, min(len(active), max(3, min(60, postings // 6)))):
            self.seed_chat(p, now)
        self.support_chat(now)
        returnable = pick(("delivered", "delivering"), rfbs=False)
        for p in rng.sample(returnable, min(len(returnable), max(2, min(30, postings // 15)))):
            ret = self.fbs_return(p, now)
            store.fbs_returns[ret.id] = ret
        for _ in range(max(2, min(15, postings // 25))):
            ret = self.fbs_return(None, now)
            store.fbs_returns[ret.id] = ret
        delivered_rfbs = pick(("delivered",), rfbs=True)
        states = list(refunds.STATES)
        for i, p in enumerate(rng.sample(delivered_rfbs, min(len(delivered_rfbs), max(2, min(15, postings // 40))))):
            rret = self.rfbs_return(p, now, "ON_APPROVAL" if i % 2 == 0 else states[i % len(states)])
            store.rfbs_returns[rret.return_id] = rret
        for _ in range(max(10, min(120, postings // 4))):
            review = self.review(now)
            store.reviews[review.id] = review
        for _ in range(max(5, min(40, postings // 10))):
            question = self.question(now)
            store.questions[question.id] = question
