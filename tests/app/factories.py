"""Small builders of domain objects for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.domain.postings import Posting, PostingItem, PostingStatus

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def posting(
    number: str = "12345678-0001-1",
    status: PostingStatus = PostingStatus.AWAITING_PACKAGING,
    items: tuple[tuple[int, int], ...] = ((1001, 1), (1002, 2)),
    ship_in_hours: float = 30,
    rfbs: bool = False,
    **extra: object,
) -> Posting:
    return Posting(
        posting_number=number,
        order_number=number.rsplit("-", 1)[0],
        order_id=int(number.split("-")[0]),
        status=status,
        substatus="posting_created",
        shipment_date=NOW + timedelta(hours=ship_in_hours),
        in_process_at=NOW - timedelta(hours=2),
        delivery_method_id=77,
        delivery_method_name="Собственная доставка" if rfbs else "Ozon, Софьино",
        warehouse_id=5,
        warehouse_name="Склад Москва",
        tpl_provider="Seller" if rfbs else "Доставка Ozon",
        tpl_integration_type="non_integrated" if rfbs else "ozon",
        customer_name="Иван Петров",
        city="Казань",
        products=tuple(PostingItem(sku, f"PD-{sku}", f"Товар {sku}", qty, Decimal("499.00")) for sku, qty in items),
        **extra,  # type: ignore[arg-type]
    )
