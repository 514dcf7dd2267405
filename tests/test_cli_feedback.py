"""`main.py reviews`, `review-reply`, `questions`, `question-answer` on a cached shop: the lists, a
reply or answer queued (offline is fine), and every refusal one line and exit 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import main
from app import outbox
from app.context import open_context
from app.db.tables import ChatTemplateRow
from app.domain.feedback import Question, Review
from app.domain.products import Product
from app.outbox import ActionKind
from app.repos import feedback as feedback_repo
from app.repos import products as product_repo
from tests.test_cli import one_line, run

AT = datetime.now(UTC) - timedelta(days=2)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    where = tmp_path / "data"
    ctx = open_context(str(where))
    with ctx.db.write() as s:
        product_repo.save(s, [Product(111, 1, "CUP-RED", "Кружка красная")], AT)
        feedback_repo.save_reviews(
            s,
            [
                Review("r-1", 111, "Отличная кружка!", 5, AT, "NEW", photos_amount=2),
                Review("r-2", 111, "Пришла с трещиной", 2, AT - timedelta(hours=1), "NEW"),
                Review("r-3", 222, "Нормально", 4, AT - timedelta(hours=2), "PROCESSED", comments_amount=1),
                Review("r-4", 111, "Хорошая", 5, AT - timedelta(hours=3), "VIEWED"),
            ],
        )
        feedback_repo.save_questions(s, [Question("q-1", 111, "Можно в посудомойку?", "Анна", AT, "NEW")])
        s.add(ChatTemplateRow(key="thanks", text_ru="Спасибо за отзыв о товаре «{product_name}»!", updated_at=AT))
    ctx.close()
    return where


def _entries(shop: Path) -> list[outbox.OutboxEntry]:
    ctx = open_context(str(shop))
    try:
        with ctx.db.read() as s:
            return outbox.entries(s)
    finally:
        ctx.close()


def test_reviews_and_questions_json(shop: Path) -> None:
    done = run("--data-dir", str(shop), "reviews", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["id"] for r in rows] == ["r-1", "r-2", "r-3", "r-4"]
    first = rows[0]
    assert {k: first[k] for k in ("id", "sku", "rating", "text", "status", "replied")} == {
        "id": "r-1",
        "sku": 111,
        "rating": 5,
        "text": "Отличная кружка!",
        "status": "NEW",
        "replied": False,
    }
    assert first["product"] == "Кружка красная" and rows[2]["replied"] is True and rows[2]["product"] is None
    done = run("--data-dir", str(shop), "questions", "--json")
    assert done.returncode == 0, done.stderr
    (q,) = json.loads(done.stdout)
    assert {k: q[k] for k in ("id", "sku", "text", "status", "answered")} == {
        "id": "q-1",
        "sku": 111,
        "text": "Можно в посудомойку?",
        "status": "NEW",
        "answered": False,
    }
    plain = run("--data-dir", str(shop), "reviews")
    assert plain.returncode == 0 and "4 review(s)" in plain.stdout


def test_review_reply_queues_and_refuses_in_one_line(shop: Path) -> None:
    done = run("--data-dir", str(shop), "review-reply", "r-1", "--text", "Спасибо! Рады, что понравилась.")
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    # The same words for another review: refused without --force, queued with it.
    again = ("--text", "спасибо, рады что понравилась")
    one_line(run("--data-dir", str(shop), "review-reply", "r-2", *again), main.EXIT_USAGE, "--force")
    forced = run("--data-dir", str(shop), "review-reply", "r-2", *again, "--force")
    assert forced.returncode == 0, forced.stderr
    one_line(run("--data-dir", str(shop), "review-reply", "r-3", "--text", "Звоните +7 916 123-45-67"), 2, "phone")
    one_line(run("--data-dir", str(shop), "review-reply", "nope", "--text", "Спасибо!"), main.EXIT_USAGE, "nope")
    one_line(run("--data-dir", str(shop), "review-reply", "r-3", "--template", "nope"), main.EXIT_USAGE, "nope")
    one_line(
        run("--data-dir", str(shop), "review-reply", "r-3", "--template", "where_is_order"),
        main.EXIT_USAGE,
        "{order_number}",
    )
    # r-3's product is not in the cache: its name is not known either.
    one_line(run("--data-dir", str(shop), "review-reply", "r-3", "--template", "thanks"), 2, "{product_name}")
    templated = run("--data-dir", str(shop), "review-reply", "r-4", "--template", "thanks")
    assert templated.returncode == 0, templated.stderr
    entries = _entries(shop)
    assert entries[0].key == key
    assert [(e.action, e.target_id) for e in entries] == [(ActionKind.REVIEW_REPLY, r) for r in ("r-1", "r-2", "r-4")]
    assert entries[2].payload == {"text": "Спасибо за отзыв о товаре «Кружка красная»!"}
    shown = {r["id"]: r for r in json.loads(run("--data-dir", str(shop), "reviews", "--json").stdout)}
    assert shown["r-1"]["status"] == "PROCESSED" and shown["r-1"]["replied"] is True


def test_question_answer_is_checked_here(shop: Path) -> None:
    one_line(run("--data-dir", str(shop), "question-answer", "q-1", "--text", "Д"), main.EXIT_USAGE, "at least 2")
    one_line(run("--data-dir", str(shop), "question-answer", "q-1", "--text", "Д" * 3001), main.EXIT_USAGE, "3000")
    one_line(run("--data-dir", str(shop), "question-answer", "q-9", "--text", "Да"), main.EXIT_USAGE, "q-9")
    done = run("--data-dir", str(shop), "question-answer", "q-1", "--text", "Да, можно.")
    assert done.returncode == 0, done.stderr
    (entry,) = _entries(shop)
    assert entry.key == done.stdout.strip() and entry.payload == {"text": "Да, можно.", "sku": 111}
    (q,) = json.loads(run("--data-dir", str(shop), "questions", "--json").stdout)
    assert q["answered"] is True and q["status"] == "PROCESSED"


def test_the_lists_say_when_the_plan_leaves_reviews_out(shop: Path) -> None:
    from app.repos import sync_state
    from app.sync_status import plan_limited_key

    ctx = open_context(str(shop))
    with ctx.db.write() as s:
        sync_state.put(s, plan_limited_key("reviews"), AT.isoformat(), AT)
    ctx.close()
    for command in ("reviews", "questions"):
        done = run("--data-dir", str(shop), command, "--json")
        assert done.returncode == 0 and "plan does not include reviews" in done.stderr
    assert len(json.loads(run("--data-dir", str(shop), "reviews", "--json").stdout)) == 4
