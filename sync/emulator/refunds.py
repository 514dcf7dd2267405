"""rFBS return requests: states and seller actions (our own consistent model; Ozon publishes only ON_APPROVAL).

    ON_APPROVAL --7001 approve, ask for the item--> AWAITING_RETURN --7003 item received--> RECEIVED
    ON_APPROVAL | AWAITING_RETURN --7002 refund without the item--> MONEY_RETURNED
    RECEIVED --7004 refund--> MONEY_RETURNED
    ON_APPROVAL | RECEIVED --1020 offer partial compensation--> COMPENSATION_OFFERED
                                      (the buyer answers; in live mode they accept --> COMPENSATED)
    ON_APPROVAL --(-1) reject--> REJECTED ;  RECEIVED --(-10) reject after inspection--> REJECTED
    REJECTED --buyer opens a dispute (live mode)--> ARBITRATION

Only -1, -10 and 1020 are Ozon's documented ids: -1 and -10 need ``comment`` and ``rejection_reason_id``,
1020 needs ``compensation_amount``. The 7000s are EMULATOR-ONLY ids, named as Ozon's seller cabinet names
the buttons; Packdesk only ever sends an id it read from the return's ``available_actions``, so the
real ids (unpublished) may differ. ``/v2/returns/rfbs/get`` lists the actions in the 2026 official
example's shape, ``[{"action": {"id", "name"}}]``. The single-purpose methods (verify, reject, compensate,
receive-return, return-money) were switched off on 2026-08-11.
"""

from __future__ import annotations

APPROVE, REFUND_WITHOUT_ITEM, ITEM_RECEIVED, REFUND = 7001, 7002, 7003, 7004  # emulator-only ids
COMPENSATION = 1020
REJECT, REJECT_AFTER_INSPECTION = -1, -10
REJECTIONS = frozenset({REJECT, REJECT_AFTER_INSPECTION})

# state -> (state_name, group_state, action ids the seller may take)
STATES: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "ON_APPROVAL": ("На проверке", "New", (APPROVE, REFUND_WITHOUT_ITEM, COMPENSATION, REJECT)),
    "AWAITING_RETURN": ("Ожидает возврата товара", "Delivering", (ITEM_RECEIVED, REFUND_WITHOUT_ITEM)),
    "RECEIVED": ("Товар получен продавцом", "Checkout", (REFUND, COMPENSATION, REJECT_AFTER_INSPECTION)),
    "COMPENSATION_OFFERED": ("Предложена частичная компенсация", "Checkout", ()),
    "COMPENSATED": ("Частичная компенсация выплачена", "Approved", ()),
    "MONEY_RETURNED": ("Деньги возвращены покупателю", "Approved", ()),
    "REJECTED": ("Отклонено продавцом", "Rejected", ()),
    "ARBITRATION": ("Открыт спор", "Arbitration", ()),
}
GROUPS = ("All", "New", "Delivering", "Checkout", "Arbitration", "Approved", "Rejected")

# action id -> (name, next state)
ACTIONS: dict[int, tuple[str, str]] = {
    APPROVE: ("Одобрить и запросить товар у покупателя", "AWAITING_RETURN"),
    REFUND_WITHOUT_ITEM: ("Вернуть деньги без возврата товара", "MONEY_RETURNED"),
    ITEM_RECEIVED: ("Подтвердить получение товара", "RECEIVED"),
    REFUND: ("Вернуть деньги покупателю", "MONEY_RETURNED"),
    COMPENSATION: ("Предложить частичную компенсацию", "COMPENSATION_OFFERED"),
    REJECT: ("Отклонить заявку", "REJECTED"),
    REJECT_AFTER_INSPECTION: ("Отклонить после проверки товара", "REJECTED"),
}

MONEY_STATE_NAMES = {"MONEY_RETURNED": "Деньги возвращены", "COMPENSATED": "Компенсация выплачена"}

REJECTION_REASONS: tuple[tuple[int, str, str], ...] = (
    (1, "Товар был в использовании", "Опишите следы использования"),
    (2, "Нарушена комплектность", "Укажите, чего не хватает"),
    (3, "Срок возврата истёк", "Укажите дату получения заказа"),
    (4, "Другое", "Опишите причину"),
)
