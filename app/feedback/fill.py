"""A reply template (app.chat.templates) filled for a review or a question. A review can fill its
product's name, SKU and article and its rating (a question the same but the rating); the chat
variables ({buyer_name}, {order_number}, {ship_by}…) it cannot (Ozon does not tell a seller who wrote a
review nor for which order), so a template using one is refused with a message naming it, never sent
with a `{brace}` in it. Templates without variables (the default «thanks») serve reviews as they are.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.chat import templates
from app.chat.lint import LintError
from app.chat.templates import Filled
from app.db.tables import ProductRow, QuestionRow, ReviewRow
from app.errors import NotFound


def _product_values(session: Session, sku: int | None) -> dict[str, str]:
    """What a review or question can fill of its product (an unknown product leaves its name and
    article empty: not fillable)."""
    product = session.get(ProductRow, sku) if sku else None
    values = {
        "product_name": product.name if product else "",
        "offer_id": product.offer_id if product else "",
        "sku": str(sku) if sku else "",
    }
    return {k: v for k, v in values.items() if v}


def review_values(session: Session, review_id: str) -> dict[str, str]:
    """What a review can fill: its product's name, article and SKU, and its rating."""
    review = session.get(ReviewRow, review_id)
    if review is None:
        raise NotFound("review_unknown", f"review {review_id} is not in the local copy", review_id=review_id)
    values = _product_values(session, review.sku)
    if review.rating:
        values["rating"] = str(review.rating)
    return values


def question_values(session: Session, question_id: str) -> dict[str, str]:
    """What a question can fill: its product's name, article and SKU."""
    question = session.get(QuestionRow, question_id)
    if question is None:
        raise NotFound("question_unknown", f"question {question_id} is not in the local copy", question_id=question_id)
    return _product_values(session, question.sku)


def fill_for_review(session: Session, key: str, review_id: str) -> Filled:
    """Template `key` filled for a review; LintError naming the variables a review cannot fill."""
    return _fill(session, key, review_values(session, review_id), "a review")


def fill_for_question(session: Session, key: str, question_id: str) -> Filled:
    """Template `key` filled for a question; LintError naming the variables a question cannot fill."""
    return _fill(session, key, question_values(session, question_id), "a question")


def _fill(session: Session, key: str, values: dict[str, str], what: str) -> Filled:
    template = templates.get(session, key)
    if template is None:
        raise NotFound("template_unknown", f"there is no template {key!r}", key=key)
    text = template.text_ru
    used = list(dict.fromkeys(templates.variables_in(text)))
    unfillable = sorted({name for name in used if name.strip() not in values})
    if unfillable:
        names = ", ".join("{" + name + "}" for name in unfillable)
        raise LintError(
            "template_unfillable", f"Not sent: template {key!r} uses {names}, which {what} cannot fill", names
        )
    filled = text
    for name in used:
        filled = filled.replace("{" + name + "}", values[name.strip()])
    return Filled(filled, tuple(dict.fromkeys(values[name.strip()] for name in used)))
