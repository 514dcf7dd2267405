"""The buyer-intent classifier: messages as buyers write them, in any case, with ё or е and typos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.chat import intents
from app.chat.intents import INTENTS, classify, load_rules, normalise
from app.errors import UserError

# Two or more realistic messages a intent, each with exactly the intents it expects.
MESSAGES: list[tuple[str, list[str]]] = [
    ("где мой заказ??", ["where_is_order"]),
    ("Здравствуйте, где моя посылка? Уже неделя прошла", ["where_is_order"]),
    ("заказ так и не пришёл", ["where_is_order"]),
    ("Здравствуйте, когда отправите заказ?", ["when_ship"]),
    ("Заказ до сих пор не отправлен", ["when_ship"]),
    ("Добрый день! Когда будет отгрузка?", ["when_ship"]),
    ("какой трек номер", ["tracking"]),
    ("Пришлите, пожалуйста, трек-номер для отслеживания", ["tracking"]),
    ("сколько идёт доставка до Казани", ["delivery_time"]),
    ("Через сколько дней придёт?", ["delivery_time"]),
    ("Когда доставят в Новосибирск?", ["delivery_time"]),
    ("отмените заказ пожалуйста", ["cancel"]),
    ("Хочу отказаться от заказа, передумала", ["cancel"]),
    ("хочу вернуть", ["return"]),
    ("Как оформить возврат?", ["return"]),
    ("Когда вернёте деньги?", ["return"]),
    ("можно обменять на другой цвет?", ["exchange", "size_color"]),
    ("Можно заменить на другую модель?", ["exchange"]),
    ("коробка помята, товар разбит", ["damaged"]),
    ("Пришла сломанная игрушка", ["damaged"]),
    ("Товар бракованный, не включается", ["damaged"]),
    ("Пришёл не тот размер", ["wrong_item", "size_color"]),
    ("Вы перепутали заказ, это не моё", ["wrong_item"]),
    ("Прислали другой товар вместо заказанного", ["wrong_item"]),
    ("в посылке не хватает одной вещи", ["missing_item"]),
    ("Посылка пришла пустая!", ["missing_item"]),
    ("Заказ пришёл без одной вещи", ["missing_item"]),
    ("Подскажите, маломерит или нет?", ["size_color", "product_question"]),
    ("Какой цвет у этой куртки в жизни?", ["size_color"]),
    ("это оригинал?", ["product_question"]),
    ("Есть ли гарантия на этот товар?", ["product_question"]),
    ("спасибо большое!", ["thanks"]),
    ("Получила, всё отлично, благодарю", ["thanks"]),
    ("ужасный сервис, буду жаловаться", ["complaint"]),
    ("Это безобразие, вы мошенники", ["complaint"]),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES)
def test_a_buyer_message_gets_its_intents(text: str, expected: list[str]) -> None:
    assert classify(text) == expected


def test_every_intent_is_covered_by_two_messages_at_least() -> None:
    for name in INTENTS:
        assert sum(name in expected for _, expected in MESSAGES) >= 2, name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ГДЕ МОЙ ЗАКАЗ", ["where_is_order"]),
        ("где мой заказзз???", ["where_is_order"]),  # repeated letters
        ("Заказ так и не пришел", ["where_is_order"]),  # е for ё
        ("ПРИШЁЛ НЕ ТОТ РАЗМЕР", ["wrong_item", "size_color"]),
        ("атмените заказ", ["cancel"]),  # а for о, listed in the rules
        ("когда атправите заказ?", ["when_ship"]),  # the same а for о in «отправ»
        ("заказ еще не атправлен", ["when_ship"]),
        ("атправьте поскорее пожалуйста", ["when_ship"]),
        ("не атправляйте пока", ["cancel"]),
        ("спосибо", ["thanks"]),
        ("благадарю!", ["thanks"]),  # one letter substituted in a long stem
        ("хочу оформить возрат", ["return"]),  # one letter missing
        ("это оригенал?", ["product_question"]),
        ("тоавр поврежден", ["damaged"]),  # a typo in another word does not matter
    ],
)
def test_case_yo_and_common_typos_do_not_matter(text: str, expected: list[str]) -> None:
    assert classify(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "Добрый день", "ок", "Здравствуйте!", "123", "???", "разберитесь", "Ростов-на-Дону", "пальто"],
)
def test_a_message_without_an_intent_gets_none(text: str) -> None:
    assert classify(text) == []


def test_a_message_with_two_intents_gets_both_in_the_fixed_order() -> None:
    text = "Спасибо, но коробка пришла помятая и внутри всё разбито, хочу вернуть деньги"
    assert classify(text) == ["return", "damaged", "thanks"]
    assert classify("где заказ? отмените его") == ["where_is_order", "cancel"]


def test_short_stems_match_whole_words_only() -> None:
    assert classify("пришло не то") == ["wrong_item"]
    assert classify("пришло нетронутым, спасибо") == ["thanks"]  # «не то» is not «нетронутым»


def test_normalise() -> None:
    assert normalise("Ёлки-палки!!! ЗАКАЗЗЗ, ёжик…") == ["елки", "палки", "заказ", "ежик"]


def test_the_bundled_rules_name_every_intent_once() -> None:
    raw = json.loads(intents.rules_file().read_text(encoding="utf-8"))["intents"]
    assert list(raw) == list(INTENTS)
    for name, phrases in raw.items():
        assert phrases and all(p == p.lower() and "ё" not in p for p in phrases), name
    assert intents.rules() is intents.rules()  # read once


def _write(tmp_path: Path, content: str) -> Path:
    target = tmp_path / "ru.json"
    target.write_text(content, encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "missing"),
        ("{not json", "cannot read"),
        ("[]", '"intents"'),
        (json.dumps({"intents": {"thanks": ["спасиб"]}}), "missing intents"),
        (json.dumps({"intents": {**{n: ["а б"] for n in INTENTS}, "spam": ["x"]}}), "unknown intents ['spam']"),
        (json.dumps({"intents": {**{n: ["слово"] for n in INTENTS}, "thanks": []}}), "thanks"),
        (json.dumps({"intents": {**{n: ["слово"] for n in INTENTS}, "cancel": ["!!!"]}}), "cancel"),
        (json.dumps({"intents": {**{n: ["слово"] for n in INTENTS}, "cancel": [5]}}), "cancel"),
    ],
)
def test_a_missing_or_malformed_rule_file_is_a_clear_error(tmp_path: Path, content: str | None, why: str) -> None:
    source = tmp_path / "ru.json" if content is None else _write(tmp_path, content)
    with pytest.raises(UserError) as raised:
        load_rules(source)
    assert raised.value.code == "intents_broken"
    assert why in str(raised.value) and str(source) in str(raised.value)


def test_a_rule_set_of_its_own_is_used_as_given(tmp_path: Path) -> None:
    own = load_rules(_write(tmp_path, json.dumps({"intents": {n: [n.replace("_", " ")] for n in INTENTS}})))
    assert classify("THANKS for the delivery, what time?", own) == ["delivery_time", "thanks"]
