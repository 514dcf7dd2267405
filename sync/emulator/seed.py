"""Demo data, deterministic from the seed: the catalog, warehouses, postings in every status, chats,
returns, reviews and questions. The same factory makes the records that arrive later (live mode and the
control API)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from . import catalog, exemplars, operations, refunds
from .aftersales import AfterSalesFactory
from .clock import MICROS, MILLIS, NANOS, PLAIN
from .machine import CANCEL_REASONS, DEFAULT_SUBSTATUS
from .model import (
    Cancellation,
    Customer,
    DeliveryMethod,
    Line,
    Posting,
    Product,
    Warehouse,
)
from .requirements import KINDS, needs, regulated

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

FBS_STATUS_WEIGHTS = (
    ("awaiting_packaging", 38),
    ("awaiting_deliver", 25),
    ("delivering", 12),
    ("delivered", 15),
    ("cancelled", 7),
    ("arbitration", 2),
    ("client_arbitration", 1),
)
RFBS_STATUS_WEIGHTS = (
    ("awaiting_approve", 10),
    ("awaiting_packaging", 33),
    ("awaiting_deliver", 20),
    ("delivering", 15),
    ("delivered", 15),
    ("cancelled", 7),
)
NEW_LABELS_ONLY_SHARE = 0.5  # postings with no upper/lower barcode ("0"): scanit is their only label code
MIN_OPEN_PER_KIND = 3  # seeded open postings with marked, imported and multi-box goods, at least
SEEDED_APPROVAL_MINUTES = (2.0, 30.0)  # seeded awaiting_approve postings leave it this many minutes from start
STYLES = (PLAIN,) * 10 + (MILLIS,) * 6 + (MICROS,) * 3 + (NANOS,)


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


class Factory(AfterSalesFactory):
    """The catalog, warehouses and postings; the after-sales records come from `AfterSalesFactory`."""

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

    def _product(
        self, offer_id: str, family: str, name: str, rub: int, color: str, weight: float, barcodes: list[str]
    ) -> Product:
        rng, ids = self.rng, self.ids
        pid = ids.next("product", 1_100_000_000, 90_000)
        images = [
            f"https://cdn1.ozone.ru/s3/multimedia-{rng.randrange(1, 9)}/{ids.digits(10)}.jpg"
            for _ in range(rng.randrange(1, 4))
        ]
        product = Product(
            product_id=pid,
            sku=ids.next("sku", 1_500_000_000, 3_000_000),
            offer_id=offer_id,
            name=name,
            category=family,
            price=rub * 100,
            old_price=round(rub * rng.uniform(1.2, 1.8)) * 100,
            color=color,
            weight=weight,
            dims=(rng.randrange(50, 300), rng.randrange(40, 200), rng.randrange(10, 120)),
            barcodes=barcodes,
            images=images,
            created_at=self.store.now() - DAY * rng.randrange(30, 400),
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
            customer_id=ids.next("customer", 140_000_000, 5_000),
            name=self.person(),
            phone="+79" + ids.digits(9),
            email="" if rng.random() < 0.8 else f"buyer{ids.digits(6)}@mail.ru",
            region=region,
            district=district,
            city=city,
            zip_code=(zip_prefix + ids.digits(6))[:6],
            address_tail=f"г. {city}, {tail}",
            comment=rng.choice(catalog.ADDRESS_COMMENTS) if delivery_type == "Courier" else "",
            latitude=round(lat + rng.uniform(-0.1, 0.1), 6),
            longitude=round(lon + rng.uniform(-0.1, 0.1), 6),
            pvz_code=rng.randrange(10_000, 99_999) if delivery_type == "PVZ" else 0,
            delivery_type=delivery_type,
            cluster=cluster,
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

    def posting(
        self,
        status: str,
        rfbs: bool,
        now: datetime,
        fresh: bool = False,
        products: Sequence[tuple[Product, int]] | None = None,
        regulated: bool = True,
    ) -> Posting:
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
            hour=rng.choice((7, 9, 11, 13)), minute=0, second=0, microsecond=0
        )
        if shipment < in_process + timedelta(hours=18):
            shipment += timedelta(days=1)  # Ozon gives at least most of a day to pack
        p = Posting(
            number=f"{order_number}-1",
            order_id=ids.order_id(),
            order_number=order_number,
            method=method,
            lines=self.lines(products, regulated),
            customer=self.customer(method),
            in_process_at=in_process,
            shipment_date=shipment,
            status_changed_at=in_process,
            status=status,
            substatus=DEFAULT_SUBSTATUS.get(status, ""),
            upper_barcode=upper,
            lower_barcode=lower,
            scanit=scanit,
            style=rng.choice(STYLES),
            payment=rng.choice(catalog.PAYMENTS),
            is_premium=rng.random() < 0.1,
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
            p.cancellation = Cancellation(
                reason_id,
                title,
                "seller" if by_seller else "client",
                "Продавец" if by_seller else "Покупатель",
                False,
                by_seller,
            )
            p.status_changed_at = now if fresh else p.in_process_at + (now - p.in_process_at) * rng.random()
            return
        p.label_ready = True

        def soon(after: datetime, hours: tuple[float, float]) -> datetime:
            """A moment a few hours after ``after``, but never in the future."""
            return min(after + timedelta(hours=rng.uniform(*hours)), after + (now - after) * 0.9)

        shipped = (
            now if fresh else p.in_process_at + (min(now, p.shipment_date) - p.in_process_at) * rng.uniform(0.2, 0.95)
        )
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
                p.substatus = rng.choice(
                    ("posting_on_way_to_city", "posting_in_pickup_point", "posting_on_way_to_pickup_point")
                )
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
        self.urgent_waits(now)
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
