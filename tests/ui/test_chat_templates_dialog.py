"""The Chats page's Templates… and Auto-replies… dialogs: edit, refuse, delete, import (all or
nothing), switch a rule off or to dry run, and read the log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from app.chat import autoreply, templates
from app.chat import screen as chat_screen
from app.context import AppContext
from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from app.repos import chats as chat_repo
from tests.ui.factories import NOW
from ui.bridge import EventBridge
from ui.chats.manage import AutoRepliesDialog, TemplatesDialog, variables_help
from ui.chats.page import ChatsPage
from ui.tasks import TaskManager

H = timedelta(hours=1)


@pytest.fixture
def page(ctx: AppContext, qtbot: QtBot) -> Iterator[tuple[ChatsPage, TaskManager]]:
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    shown = ChatsPage(ctx, tasks, bridge)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    qtbot.waitUntil(lambda: not tasks.busy())
    yield shown, tasks
    bridge.close()
    tasks.shutdown()


def open_templates(qtbot: QtBot, page: tuple[ChatsPage, TaskManager]) -> TemplatesDialog:
    shown, tasks = page
    shown.manage_templates_button.click()
    dialog = shown.templates_dialog
    qtbot.waitUntil(lambda: dialog.list.count() > 0 and not tasks.busy())
    return dialog


def template(ctx: AppContext, key: str) -> templates.Template | None:
    with ctx.db.read() as s:
        return templates.get(s, key)


def test_an_edited_text_is_saved_and_the_picker_shows_it(
    qtbot: QtBot, ctx: AppContext, page: tuple[ChatsPage, TaskManager]
) -> None:
    dialog = open_templates(qtbot, page)
    assert "{tracking_number} — tracking number" in dialog.help.text()
    dialog.select("thanks")
    assert dialog.key.text() == "thanks" and dialog.key.isReadOnly()
    dialog.text_ru.setPlainText("Спасибо, что выбрали нас!")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved"))
    found = template(ctx, "thanks")
    assert found is not None and found.text_ru == "Спасибо, что выбрали нас!"
    choices = {c.key: c.text_ru for c in chat_screen.templates(ctx.db)}
    assert choices["thanks"] == "Спасибо, что выбрали нас!"


def test_a_phone_number_is_refused_with_the_sentence_and_the_edit_is_kept(
    qtbot: QtBot, ctx: AppContext, page: tuple[ChatsPage, TaskManager]
) -> None:
    dialog = open_templates(qtbot, page)
    dialog.select("thanks")
    before = template(ctx, "thanks")
    phoned = "Позвоните нам: +7 912 345-67-89"
    dialog.text_ru.setPlainText(phoned)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "would not be sent" in dialog.status.text())
    assert dialog.text_ru.toPlainText() == phoned
    assert template(ctx, "thanks") == before


def test_a_new_template_is_added_and_a_default_deleted(
    qtbot: QtBot, ctx: AppContext, page: tuple[ChatsPage, TaskManager], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_templates(qtbot, page)
    dialog.new_button.click()
    assert not dialog.key.isReadOnly() and dialog.key.text() == ""
    dialog.key.setText("gift")
    dialog.name_zh.setText("赠品")
    dialog.name_en.setText("Gift")
    dialog.intents.setText("thanks")
    dialog.text_ru.setPlainText("В заказе {order_number} вас ждёт подарок!")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "gift" in dialog.template_keys())
    found = template(ctx, "gift")
    assert found is not None and found.intents == ("thanks",)

    asked: list[str] = []

    def confirm(text: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(dialog, "_confirm", confirm)
    dialog.select("where_is_order")
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: "where_is_order" not in dialog.template_keys())
    assert asked and template(ctx, "where_is_order") is None


def test_a_bad_import_changes_nothing_and_says_why(
    qtbot: QtBot, ctx: AppContext, page: tuple[ChatsPage, TaskManager], tmp_path: Path
) -> None:
    dialog = open_templates(qtbot, page)
    good = {"key": "gift", "name_zh": "赠品", "name_en": "Gift", "text_ru": "Подарок!", "intents": []}
    bad = {**good, "key": "bad", "text_ru": "Пишите в WhatsApp +7 912 345-67-89"}
    path = tmp_path / "templates.json"
    path.write_text(json.dumps([good, bad], ensure_ascii=False), encoding="utf-8")
    before = chat_screen.templates(ctx.db)
    dialog.import_file(path)
    qtbot.waitUntil(lambda: "template #2 (bad)" in dialog.status.text())
    assert chat_screen.templates(ctx.db) == before
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    dialog.import_file(broken)
    qtbot.waitUntil(lambda: "cannot be read as JSON" in dialog.status.text())
    assert chat_screen.templates(ctx.db) == before

    path.write_text(json.dumps([good], ensure_ascii=False), encoding="utf-8")
    dialog.import_file(path)
    qtbot.waitUntil(lambda: "gift" in dialog.template_keys())
    out = tmp_path / "out.json"
    dialog.export_file(out)
    qtbot.waitUntil(out.exists)
    assert "gift" in {t["key"] for t in json.loads(out.read_text(encoding="utf-8"))["templates"]}


def test_rules_switch_off_and_to_dry_run_and_the_log_shows_a_firing(
    qtbot: QtBot, ctx: AppContext, page: tuple[ChatsPage, TaskManager], tmp_path: Path
) -> None:
    with ctx.db.write() as s:
        autoreply.import_rules(
            s, [{"name": "where", "template_key": "where_is_order"}, {"name": "thanks", "template_key": "thanks"}], NOW
        )
        chat_repo.save_chats(s, [Chat("c1", ChatType.BUYER_SELLER, True, NOW - 48 * H, 1, "1")], NOW)
        message = ChatMessage("1", "c1", AuthorType.CUSTOMER, NOW + H, "Спасибо большое!")
        chat_repo.save_messages(s, [message])
        chat_repo.refresh(s, ["c1"])
    with ctx.db.write() as s:
        fired = autoreply.answer_new(s, [message], NOW + H, "")
    assert fired, "the rule set answers the message"

    shown, _tasks = page
    shown.auto_replies_button.click()
    dialog: AutoRepliesDialog = shown.auto_replies_dialog
    qtbot.waitUntil(lambda: dialog.log_table.rowCount() == 1 and len(dialog.on_boxes) == 2)
    cells = [item.text() if (item := dialog.log_table.item(0, c)) else "" for c in range(5)]
    assert cells[1] == "where" and cells[2] == "c1"  # a rule with no intent or keyword matches all
    assert cells[3] == fired[0].outcome and cells[4] == fired[0].text

    first, second = (r.id for r in dialog.rules)
    dialog.on_boxes[first].setChecked(False)
    qtbot.waitUntil(lambda: dialog.status.text() == "Saved: where")
    dialog.dry_boxes[second].setChecked(True)
    qtbot.waitUntil(lambda: dialog.status.text() == "Saved: thanks")
    with ctx.db.read() as s:
        off, dry = autoreply.rules(s)
    assert (off.enabled, off.dry_run, dry.enabled, dry.dry_run) == (False, False, True, True)

    out = tmp_path / "rules.json"
    dialog.export_file(out)
    qtbot.waitUntil(out.exists)
    assert [r["dry_run"] for r in json.loads(out.read_text(encoding="utf-8"))["rules"]] == [False, True]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"name": "x", "template_key": "nope"}]), encoding="utf-8")
    dialog.import_file(bad)
    qtbot.waitUntil(lambda: "is not a template" in dialog.status.text())
    with ctx.db.read() as s:
        assert len(autoreply.rules(s)) == 2


def test_the_variables_are_glossed_in_the_sellers_language() -> None:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    try:
        assert "{tracking_number} — 物流单号" in variables_help()
    finally:
        QLocale.setDefault(before)
    assert "{tracking_number} — tracking number" in variables_help()
