"""Reviews at scale: 100,000 reviews and 20,000 questions cached over 2,000 products.

Targets (issue 11): the Reviews page opens (the keys of every review, then the first screenful of
rows) under 300 ms; a filter (rating, status, product, replied, text search) under 100 ms (a search
for a letter every review holds lists them all: held to the page's 300 ms). Each figure is the
median of five runs.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.bench.timing import median_ms, report

REVIEWS = 100_000
QUESTIONS = 20_000
PRODUCTS = 2_000
SCREEN = 100  # rows the page shows at first
TEXTS = (
    "Отличный товар, всё пришло быстро",
    "Качество хорошее, рекомендую",
    "Пришла с трещиной, очень расстроена",
    "Размер не подошёл, маломерит",
    "Нормально за свои деньги",
    "Цвет не совпадает с фото",
    "Супер! Покупаю второй раз",
    "Упаковка мятая, но товар целый",
)
RARE = "Курьер опоздал на три дня"  # in about 0.5 % of the reviews


def _fill(ctx: Any) -> None:
    from app.domain.feedback import Question, Review
    from app.domain.products import Product
    from app.repos import feedback as feedback_repo
    from app.repos import products as product_repo

    rng = random.Random(11)
    now = datetime.now(UTC)
    kinds = ("Кружка керамическая", "Футболка хлопковая", "Чехол для телефона", "Лампа настольная", "Рюкзак")
    products = [Product(10_000 + n, n, f"ART-{n:05d}", f"{kinds[n % len(kinds)]} {n}") for n in range(PRODUCTS)]
    with ctx.db.write() as s:
        product_repo.save(s, products, now)
    for start in range(0, REVIEWS, 5_000):
        reviews = []
        for n in range(start, start + 5_000):
            status = rng.choices(("NEW", "VIEWED", "PROCESSED"), (15, 15, 70))[0]
            reviews.append(
                Review(
                    f"{n:08d}-review",
                    rng.choice(products).sku,
                    RARE if rng.random() < 0.005 else rng.choice(TEXTS),
                    rng.choices((5, 4, 3, 2, 1), (50, 20, 10, 8, 12))[0],
                    now - timedelta(minutes=rng.uniform(1, 60 * 24 * 365)),
                    status,
                    comments_amount=1 if status == "PROCESSED" and rng.random() < 0.8 else 0,
                    photos_amount=rng.choice((0, 0, 0, 1, 3)),
                )
            )
        with ctx.db.write() as s:
            feedback_repo.save_reviews(s, reviews)
    questions = [
        Question(
            f"{n:08d}-question",
            rng.choice(products).sku,
            rng.choice(TEXTS),
            "Анна",
            now - timedelta(minutes=rng.uniform(1, 60 * 24 * 365)),
            "NEW",
        )
        for n in range(QUESTIONS)
    ]
    with ctx.db.write() as s:
        feedback_repo.save_questions(s, questions)


def main() -> bool:
    from app.context import open_context
    from app.feedback import query
    from app.feedback.query import QuestionFilter, ReviewFilter

    with tempfile.TemporaryDirectory() as folder:
        ctx = open_context(folder)
        try:
            start = time.perf_counter()
            _fill(ctx)
            print(f"cached {REVIEWS:,} reviews, {QUESTIONS:,} questions in {time.perf_counter() - start:.0f} s")

            def opening() -> int:
                with ctx.db.read() as s:
                    ids = query.review_keys(s)
                    query.reviews_by_key(s, ids[:SCREEN])
                    query.plan_limited(s)
                return len(ids)

            def filtering(wanted: ReviewFilter) -> Callable[[], int]:
                def run() -> int:
                    with ctx.db.read() as s:
                        ids = query.review_keys(s, wanted)
                        query.reviews_by_key(s, ids[:SCREEN])
                    return len(ids)

                return run

            def questions() -> int:
                with ctx.db.read() as s:
                    ids = query.question_keys(s, QuestionFilter(answered=False))
                    query.questions_by_key(s, ids[:SCREEN])
                return len(ids)

            checks = [
                ("open the reviews page", opening, 300.0),
                ("1-2 stars", filtering(ReviewFilter(ratings=frozenset({1, 2}))), 100.0),
                ("new, not replied", filtering(ReviewFilter(status="NEW", replied=False)), 100.0),
                ("one product (article)", filtering(ReviewFilter(product="ART-00042")), 100.0),
                ("search a rare word", filtering(ReviewFilter(search="курьер")), 100.0),
                ("search a common word", filtering(ReviewFilter(search="товар")), 100.0),
                # The worst case: a word every review holds lists them all: held to the page's 300 ms.
                ("search a word in all", filtering(ReviewFilter(search="о")), 300.0),
                ("questions not answered", questions, 100.0),
            ]
            ok = True
            for name, fn, target in checks:
                ms, result = median_ms(fn)
                ok &= report(name, ms, target, result)
        finally:
            ctx.close()
    return ok
