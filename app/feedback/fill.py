"""A reply template filled for a review: the variables a review can fill are its product's name,
SKU and article and its rating. A template that uses any other one ({buyer_name}, {order_number}…:
Ozon does not tell a seller who wrote a review nor for which order) is refused with a clear message,
never sent with a `{brace}` in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.chat.lint import LintError
from app.db.tables import ChatTemplateRow, ProductRow, ReviewRow
from app.errors import NotFound

_VARIABLE = re.compile(r"\{([^{}\n]{0,40})\}")


@dataclass(frozen=True, slots=True)
class Filled:
    text: str
    allowed: tuple[str, ...]  # values filled in: the lint takes them as they are (an SKU is no phone)


def review_values(session: Session, review_id: str) -> dict[str, str]:
    """What a review can fill (an unknown product leaves its name, article empty: not fillable)."""
    review = session.get(ReviewRow, review_id)
    if review is None:
        raise NotFound("review_unknown", f"review {review_id} is not in the local copy", review_id=review_id)
    product = session.get(ProductRow, review.sku)
    values = {
        "product_name": product.name if product else "",
        "offer_id": product.offer_id if product else "",
        "sku": str(review.sku) if review.sku else "",
        "rating": str(review.rating) if review.rating else "",
    }
    return {k: v for k, v in values.items() if v}


def template_text(session: Session, key: str) -> str:
    """The Russian text of a reply template (NotFound for an unknown key).

    A seam: reads the templates table until app.chat.templates (with its built-in templates) lands."""
    row = session.get(ChatTemplateRow, key)
    if row is None:
        raise NotFound("template_unknown", f"no reply template {key!r}", key=key)
    return row.text_ru


def fill_for_review(session: Session, key: str, review_id: str) -> Filled:
    """Template `key` filled for a review; LintError naming the variables a review cannot fill."""
    text = template_text(session, key)
    values = review_values(session, review_id)
    used = [name.strip() for name in _VARIABLE.findall(text)]
    unfillable = sorted({name for name in used if name not in values})
    if unfillable:
        names = ", ".join("{" + name + "}" for name in unfillable)
        raise LintError(
            "template_unfillable", f"Not sent: template {key!r} uses {names}, which a review cannot fill", names
        )
    filled = _VARIABLE.sub(lambda m: values[m.group(1).strip()], text)
    return Filled(filled, tuple(values[name] for name in dict.fromkeys(used)))
