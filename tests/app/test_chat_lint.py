"""The check before a message goes to a buyer: what Ozon forbids is stopped, a seller's ordinary
answer (dates, times, prices, the order's own numbers) is not."""

from __future__ import annotations

import pytest

from app.chat.lint import MAX_CHARS, LintError, check


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Позвоните мне: +7 916 123-45-67", "chat_phone"),
        ("мой номер 89161234567", "chat_phone"),
        ("8 (916) 123-45-67 звоните", "chat_phone"),
        ("номер 916-123-45-67", "chat_phone"),
        ("WeChat: +86 138 0013 8000", "chat_phone"),
        ("Напишите на shop.seller@mail.ru", "chat_email"),
        ("Подробнее на https://example.com/x", "chat_link"),
        ("Смотрите www.shop-site.ru", "chat_link"),
        ("наш магазин: myshop.ru", "chat_link"),
        ("Пишите в t.me/shop", "chat_link"),
        ("Напишите нам в WhatsApp", "chat_messenger"),
        ("скиньте в телегу", "chat_messenger"),
        ("добавьте в вотсап", "chat_messenger"),
        ("加我微信", "chat_messenger"),
        ("пишите в тг", "chat_messenger"),
        ("ТГ: shop_seller", "chat_messenger"),
        ("телега: shop", "chat_messenger"),
        ("мой ник @shop_seller", "chat_messenger"),
        ("т е л е г р а м", "chat_messenger"),
        ("w h a t s a p p", "chat_messenger"),
        ("w.h.a.t.s.a.p.p", "chat_messenger"),
        ("ＷｈａｔｓＡｐｐ", "chat_messenger"),
        ("ivan․ru", "chat_link"),  # a one-dot leader for the dot
        ("ivan。ru", "chat_link"),
        ("exаmple.соm", "chat_link"),  # Cyrillic а, с, о
        ("ozon.ru.evil.com/x", "chat_link"),
        ("Здравствуйте, {buyer_name}!", "chat_unfilled_variable"),
        ("Трек: {}", "chat_unfilled_variable"),
        ("Пожалуйста, отмените заказ, товара нет", "chat_asks_to_cancel"),
        ("   ", "chat_empty"),
        ("я" * (MAX_CHARS + 1), "chat_too_long"),
    ],
)
def test_forbidden_content_is_stopped_with_its_reason(text: str, code: str) -> None:
    with pytest.raises(LintError) as refused:
        check(text)
    assert refused.value.code == code
    assert str(refused.value)  # a sentence the seller can read


@pytest.mark.parametrize(
    "text",
    [
        "Здравствуйте! Отправим 02.12.2026 до 18:00, отправление 87654321-0001-1.",
        "Заказ 12345678-0001 уже передан в доставку.",
        "Стоимость 1 290 ₽, размер 42-44, рост 170-176 см.",
        "Спасибо за заказ! Хорошего дня :)",
        "Не отменяйте, пожалуйста: посылка уже в пути.",
        "Штрихкод 4601234567890 на коробке совпадает.",
        "Посмотрите статус на ozon.ru в разделе «Мои заказы».",
        "Ссылка на товар: https://www.ozon.ru/product/123/ и Ozon.ru",
        "Размеры S M L XL, т.е. любой; см. фото, и т.д.",
    ],
)
def test_an_ordinary_answer_passes(text: str) -> None:
    assert check(text) == text


def test_the_orders_own_numbers_are_allowed_and_the_text_is_trimmed() -> None:
    tracking = "79161234567"  # a courier's tracking number that looks like a phone
    with pytest.raises(LintError):
        check(f"Трек-номер: {tracking}")
    assert check(f"  Трек-номер: {tracking}\n", allowed=[tracking, ""]) == f"Трек-номер: {tracking}"
    with pytest.raises(LintError) as refused:  # allowing the tracking number allows nothing else
        check(f"Трек {tracking}, звоните 89161234567", allowed=[tracking])
    assert refused.value.found == "89161234567"
