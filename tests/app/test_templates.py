"""Reply templates: the defaults, filling them from the chat's order, the lint, import and export."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app.chat import intents, lint, templates
from app.chat.lint import LintError
from app.chat.templates import Template, TemplateError
from app.context import AppContext
from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from app.errors import NotFound
from app.repos import chats as chat_repo
from app.repos import postings as posting_repo
from tests.app.factories import NOW, posting

NUMBER = "87654321-0007-1"
REQUIRED = {
    "where_is_order",
    "when_ship",
    "tracking",
    "delivery_time",
    "return",
    "exchange",
    "damaged",
    "wrong_item",
    "size_color",
    "thanks",
}


def _chat(ctx: AppContext, chat_id: str = "c1", **changes: object) -> None:
    """A buyer chat about a realistic posting (a tracking number, shipped by 01:00 Moscow time, two items)."""
    realistic: dict[str, object] = {"tracking_number": "RU123456789CN", "shipment_date": NOW.replace(hour=22)}
    p = replace(posting(NUMBER, items=((1001, 1), (1002, 2))), **{**realistic, **changes})  # type: ignore[arg-type]
    with ctx.db.write() as s:
        posting_repo.save(s, [p], NOW)
        chat_repo.save_chats(s, [Chat(chat_id, ChatType.BUYER_SELLER, True, NOW, 1, "100")], NOW)
        msg = ChatMessage("100", chat_id, AuthorType.CUSTOMER, NOW, "где заказ?", order_number="87654321-0007")
        chat_repo.save_messages(s, [msg])


def test_the_defaults_cover_the_common_questions_in_both_languages() -> None:
    found = templates.defaults()
    assert len(found) >= 10
    assert {i for t in found for i in t.intents} >= REQUIRED
    assert len({t.key for t in found}) == len(found)
    for t in found:
        assert t.name_zh and t.name_en and t.text_ru and len(t.text_ru) <= lint.MAX_CHARS
        assert set(t.intents) <= set(intents.INTENTS)
        assert "buyer_name" not in templates.variables_in(t.text_ru)  # it may be purged


def test_every_default_fills_lint_clean_from_a_realistic_posting(ctx: AppContext) -> None:
    _chat(ctx)
    with ctx.db.read() as s:
        values = templates.values(s, "c1")
        filled = {t.key: templates.fill(s, t.key, "c1", NOW) for t in templates.all_templates(s)}
    assert values["ship_by"] == "24.11.2026" and values["order_number"] == "87654321-0007"
    assert values["items"] == "Товар 1001 × 1, Товар 1002 × 2"
    for key, f in filled.items():
        assert "{" not in f.text and "}" not in f.text, key
        assert lint.check(f.text, f.allowed) == f.text.strip(), key
    assert "RU123456789CN" in filled["tracking_number"].text


def test_the_defaults_answer_what_the_buyer_asks_for_first() -> None:
    where = intents.classify("Здравствуйте, где мой заказ?")
    assert templates.ranked(list(templates.defaults()), where)[0].key == "where_is_order"
    ranked = templates.ranked(list(templates.defaults()), ["damaged", "thanks"])
    assert [t.key for t in ranked[:2]] == ["damaged_photo", "thanks"]


def test_a_ship_by_date_gone_by_is_never_promised(ctx: AppContext) -> None:
    """A posting late for its ship-by: «we hand it over no later than 29.11» on 2 December would be a
    promise already broken (the demo shop's late postings got it, also from an auto-reply)."""
    _chat(ctx, shipment_date=NOW - timedelta(days=3))
    with ctx.db.read() as s:
        with pytest.raises(LintError) as err:
            templates.fill(s, "when_ship", "c1", NOW)
        assert err.value.code == "chat_ship_by_passed" and err.value.found == "20.11.2026"
        assert "20.11.2026" in str(err.value) and "passed" in str(err.value)
        assert "{" not in templates.fill(s, "tracking_number", "c1", NOW).text  # no {ship_by}: still fine
        assert "20.11.2026" in templates.fill(s, "when_ship", "c1", NOW - timedelta(days=4)).text


def test_an_empty_or_unknown_variable_is_refused_by_name(ctx: AppContext) -> None:
    _chat(ctx, customer_name="", tracking_number="")
    with ctx.db.write() as s:
        templates.save(s, Template("hello", "你好", "Hello", "Здравствуйте, {buyer_name}!"), NOW)
        with pytest.raises(LintError) as err:
            templates.fill(s, "tracking_number", "c1", NOW)
        assert err.value.code == "chat_unfilled_variable" and err.value.found == "{tracking_number}"
        with pytest.raises(LintError, match="buyer_name"):
            templates.fill(s, "hello", "c1", NOW)
        with pytest.raises(NotFound) as unknown:
            templates.fill(s, "nope", "c1", NOW)
        assert unknown.value.code == "template_unknown"
        with pytest.raises(TemplateError, match=r"unknown variable \{buyer\}"):
            templates.save(s, Template("bad", "坏", "Bad", "Здравствуйте, {buyer}!"), NOW)


def test_a_template_that_breaks_ozons_rules_is_not_kept(ctx: AppContext) -> None:
    with ctx.db.write() as s, pytest.raises(TemplateError, match="phone"):
        templates.save(s, Template("call", "电话", "Call", "Позвоните: +7 916 123-45-67"), NOW)
    with ctx.db.write() as s, pytest.raises(TemplateError, match="key"):
        templates.save(s, Template("Bad Key", "坏", "Bad", "Спасибо!"), NOW)


def test_a_deleted_default_stays_deleted_and_a_saved_one_is_kept(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        assert templates.delete(s, "thanks", NOW)
        templates.save(s, Template("mine", "我的", "Mine", "Спасибо за заказ {order_number}!", ("thanks",)), NOW)
    with ctx.db.write() as s:
        keys = [t.key for t in templates.all_templates(s)]
        templates.save(s, Template("other", "其他", "Other", "Спасибо!"), NOW + timedelta(hours=1))
    assert "thanks" not in keys and keys[-1] == "mine" and len(keys) == len(templates.defaults())
    with ctx.db.read() as s:
        assert templates.get(s, "thanks") is None
        assert [t.key for t in templates.all_templates(s)][-2:] == ["mine", "other"]


def test_export_and_import_round_trip(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        exported = templates.export_json(s)
        templates.delete(s, "where_is_order", NOW)
        exported[1]["text_ru"] = "Отправим не позднее {ship_by}. Спасибо!"
        assert templates.import_json(s, exported, NOW) == len(exported)
    with ctx.db.read() as s:
        again = templates.export_json(s)
        when = templates.get(s, "when_ship")
    assert exported[1]["key"] == "when_ship" and when is not None
    assert when.text_ru == "Отправим не позднее {ship_by}. Спасибо!"
    assert sorted(again, key=lambda t: t["key"]) == sorted(exported, key=lambda t: t["key"])
    assert set(again[0]) == {"key", "name_zh", "name_en", "text_ru", "intents"}


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"key": "x"}, "template #2 (x): name_zh"),
        ({"key": "x", "name_zh": "x", "name_en": "x", "text_ru": "Пишите в WhatsApp"}, "template #2 (x)"),
        ({"key": "x", "name_zh": "x", "name_en": "x", "text_ru": "Ваш {трек}"}, "unknown variable"),
        ({"key": "x", "name_zh": "x", "name_en": "x", "text_ru": "Да", "intents": ["nope"]}, "unknown intent"),
        ({"key": "x", "name_zh": "x", "name_en": "x", "text_ru": "Да", "colour": 1}, "unknown field"),
        ("text", "template #2: expected an object"),
    ],
)
def test_a_bad_import_names_the_item_and_changes_nothing(ctx: AppContext, bad: object, named: str) -> None:
    good = {"key": "new_one", "name_zh": "新", "name_en": "New", "text_ru": "Спасибо!", "intents": []}
    with ctx.db.read() as s:
        before = templates.export_json(s)
    with pytest.raises(TemplateError, match=named.replace("(", r"\(").replace(")", r"\)")), ctx.db.write() as s:
        templates.import_json(s, [good, bad], NOW)
    with ctx.db.read() as s:
        assert templates.export_json(s) == before
