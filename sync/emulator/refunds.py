"""rFBS return requests: states and seller actions (our own consistent model; Ozon publishes only ON_APPROVAL).

    ON_APPROVAL --1 approve--> AWAITING_RETURN --2 receive--> RECEIVED --3 refund--> MONEY_RETURNED
    ON_APPROVAL --3 refund without taking the item back--> MONEY_RETURNED
    ON_APPROVAL | RECEIVED --1020 offer partial compensation--> COMPENSATION_OFFERED
                                      (the buyer answers; in live mode they accept --> COMPENSATED)
    ON_APPROVAL --(-1) reject--> REJECTED ;  RECEIVED --(-10) reject after inspection--> REJECTED
    REJECTED --buyer opens a dispute (live mode)--> ARBITRATION

Actions -1 and -10 need ``comment`` and ``rejection_reason_id``; 1020 needs ``compensation_amount``.
The legacy single-purpose methods map onto the same actions: verify=1, reject=-1/-10, compensate=1020,
receive-return=2, return-money=3.
"""

from __future__ import annotations

# state -> (state_name, group_state, action ids the seller may take)
STATES: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "ON_APPROVAL": ("На проверке", "New", (1, 1020, 3, -1)),
    "AWAITING_RETURN": ("Ожидает возврата товара", "Delivering", (2,)),
    "RECEIVED": ("Товар получен продавцом", "Checkout", (3, 1020, -10)),
    "COMPENSATION_OFFERED": ("Предложена частичная компенсация", "Checkout", ()),
    "COMPENSATED": ("Частичная компенсация выплачена", "Approved", ()),
    "MONEY_RETURNED": ("Деньги возвращены покупателю", "Approved", ()),
    "REJECTED": ("Отклонено продавцом", "Rejected", ()),
    "ARBITRATION": ("Открыт спор", "Arbitration", ()),
}
GROUPS = ("All", "New", "Delivering", "Checkout", "Arbitration", "Approved", "Rejected")

# action id -> (name, next state)
ACTIONS: dict[int, tuple[str, str]] = {
    1: ("Одобрить и запросить товар", "AWAITING_RETURN"),
    2: ("Товар получен", "RECEIVED"),
    3: ("Вернуть деньги", "MONEY_RETURNED"),
    1020: ("Предложить частичную компенсацию", "COMPENSATION_OFFERED"),
    -1: ("Отклонить", "REJECTED"),
    -10: ("Отклонить после проверки", "REJECTED"),
}
REJECTIONS = frozenset({-1, -10})
COMPENSATION = 1020

MONEY_STATE_NAMES = {"MONEY_RETURNED": "Деньги возвращены", "COMPENSATED": "Компенсация выплачена"}

REJECTION_REASONS: tuple[tuple[int, str, str], ...] = (
    (1, "Товар был в использовании", "Опишите следы использования"),
    (2, "Нарушена комплектность", "Укажите, чего не хватает"),
    (3, "Срок возврата истёк", "Укажите дату получения заказа"),
    (4, "Другое", "Опишите причину"),
)
