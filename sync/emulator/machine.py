"""Posting statuses, substatuses, available actions and cancel reasons (the FBS/rFBS state machine).

FBS:  awaiting_packaging --ship--> awaiting_deliver (posting_transferring_to_delivery; posting_in_carriage once its
      carriage is approved) --handover (live mode)--> delivering --> delivered.
rFBS: [awaiting_approve --Ozon approves on its side-->] awaiting_packaging --ship--> awaiting_deliver
      --/delivering--> delivering --/last-mile--> delivering (posting_in_courier_service) --/delivered--> delivered.
      There is no seller method for the approval: a created posting leaves awaiting_approve
      ``operations.APPROVE_DELAY`` (10 min of emulator time) later, a seeded one 2-30 min after the start,
      unless it was cancelled meanwhile. The change is not logged (it is not a seller call).
Cancel (seller): from awaiting_approve, awaiting_packaging, awaiting_deliver.
"""

from __future__ import annotations

from .model import Posting
from .requirements import needs_exemplars

STATUSES = frozenset(
    {
        "awaiting_registration",
        "acceptance_in_progress",
        "awaiting_approve",
        "awaiting_packaging",
        "awaiting_deliver",
        "arbitration",
        "client_arbitration",
        "delivering",
        "driver_pickup",
        "delivered",
        "cancelled",
        "not_accepted",
        "sent_by_seller",
        "awaiting_verification",
        "cancelled_from_split_pending",
    }
)
UNFULFILLED = STATUSES - {"delivered", "cancelled", "cancelled_from_split_pending"}
CANCELLABLE = frozenset({"awaiting_approve", "awaiting_packaging", "awaiting_deliver"})
SHIPPED = frozenset(
    {
        "awaiting_deliver",
        "delivering",
        "driver_pickup",
        "delivered",
        "arbitration",
        "client_arbitration",
        "not_accepted",
        "sent_by_seller",
    }
)

DEFAULT_SUBSTATUS = {
    "awaiting_approve": "posting_created",
    "awaiting_packaging": "posting_created",
    "awaiting_deliver": "posting_transferring_to_delivery",
    "delivering": "posting_on_way_to_city",
    "delivered": "posting_delivered",
    "cancelled": "posting_canceled",
    "arbitration": "posting_in_arbitration",
    "client_arbitration": "posting_in_client_arbitration",
    "driver_pickup": "posting_driver_pick_up",
    "not_accepted": "posting_not_in_sort_center",
    "acceptance_in_progress": "posting_acceptance_in_progress",
    "awaiting_registration": "posting_awaiting_registration",
    "sent_by_seller": "sent_by_seller",
}

# id -> (title, type_id, is_available_for_cancellation)
CANCEL_REASONS: dict[int, tuple[str, str, bool]] = {
    352: ("Товар закончился на складе продавца", "seller", True),
    400: ("Остался только бракованный товар", "seller", True),
    401: ("Продавец отклонил арбитраж", "seller", True),
    402: ("Другое (вина продавца)", "seller", True),
    665: ("Покупатель не забрал заказ", "buyer", True),
    666: ("Возврат из службы доставки: нет доставки в указанный регион", "seller", True),
    667: ("Заказ утерян службой доставки", "seller", True),
    # Reasons that only Ozon or the buyer use; listed, but refused when the seller sends them.
    501: ("Покупатель отменил заказ", "buyer", False),
    506: ("Заказ не оплачен", "buyer", False),
}
MESSAGE_REQUIRED_REASONS = frozenset({402})


def available_actions(p: Posting) -> list[str]:
    status, rfbs = p.status, p.rfbs
    if status == "awaiting_approve":
        return ["cancel", "can_create_chat"]
    if status == "awaiting_packaging":
        actions = ["cancel", "product_cancel", "ship", "ship_async", "can_create_chat"]
        if needs_exemplars(p):  # marks or customs numbers go in before the ship
            actions[4:4] = ["ship_with_additional_info", "update_cis"]
        if rfbs:
            actions += ["set_track_number", "customer_phone_available"]
        return actions
    if status == "awaiting_deliver":
        actions = ["cancel", "can_create_chat"]
        if p.label_ready:
            actions += ["label_download", "label_download_big", "label_download_small"]
        if rfbs:
            actions += ["set_track_number", "non_int_delivering", "customer_phone_available"]
        return actions
    if status == "delivering":
        if not rfbs:
            return ["can_create_chat"]
        actions = ["set_track_number", "can_create_chat"]
        if p.substatus != "posting_in_courier_service":
            actions.append("non_int_last_mile")
        actions.append("non_int_delivered")
        return actions
    if status == "delivered":
        return ["can_create_chat"]
    return []
