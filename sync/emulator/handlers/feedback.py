"""Reviews (v2 list/info/count/change-status, v1 comments) and questions with answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from ..clock import MILLIS, iso
from ..errors import invalid, not_found
from ..fields import Fields
from ..model import Answer, Question, Review, ReviewComment
from .base import Ctx, route

T = TypeVar("T", Review, Question)
A = TypeVar("A", Review, Question, Answer)
SET_STATUSES = ("NEW", "VIEWED", "PROCESSED")


def _status_match(wanted: str, status: str) -> bool:
    if wanted == "ALL":
        return True
    if wanted == "UNPROCESSED":  # v1 spelling: anything not yet processed
        return status != "PROCESSED"
    return status == wanted


def _after(items: Sequence[A], last_id: str) -> Sequence[A]:
    """The items following the one with id ``last_id`` (last_id pagination over a sorted sequence)."""
    if not last_id:
        return items
    for i, item in enumerate(items):
        if item.id == last_id:
            return items[i + 1 :]
    raise invalid("last_id", "unknown last_id")


def _sorted(items: Sequence[T], desc: bool) -> list[T]:
    return sorted(items, key=lambda x: (x.published_at, x.id), reverse=desc)


def _page(
    items: Sequence[T], f: Fields, default_dir: str, view: Callable[[T], dict[str, Any]], limit: int
) -> tuple[list[dict[str, Any]], bool, str]:
    desc = f.choice("sort_dir", ("ASC", "DESC"), default_dir) == "DESC"
    rest = _after(_sorted(items, desc), f.text("last_id"))
    page = rest[:limit]
    return [view(x) for x in page], len(rest) > limit, page[-1].id if page else ""


def _in_period(when: datetime, lo: datetime | None, hi: datetime | None) -> bool:
    return (lo is None or when >= lo) and (hi is None or when <= hi)


# -- reviews ---------------------------------------------------------------------------------------------


def _review(r: Review) -> dict[str, Any]:
    return {
        "id": r.id,
        "sku": r.sku,
        "text": r.text,
        "rating": r.rating,
        "published_at": iso(r.published_at, MILLIS),
        "status": r.status,
        "order_status": r.order_status,
        "comments_amount": len(r.comments),
        "photos_amount": len(r.photos),
        "videos_amount": 0,
        "is_rating_participant": True,
    }


def _get_review(ctx: Ctx, review_id: str) -> Review:
    review = ctx.store.reviews.get(review_id)
    if review is None:
        raise not_found("REVIEW_NOT_FOUND")
    return review


@route("/v2/review/list", premium=True)
def review_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    flt = f.obj("filters") if "filters" in f.data else f.obj("filter")
    status = flt.choice("status", ("ALL", "NEW", "VIEWED", "PROCESSED", "UNPROCESSED"), "ALL")
    order_status = flt.choice("order_status", ("ALL", "DELIVERED", "CANCELLED"), "ALL")
    skus = set(flt.ids("skus"))
    lo, hi = flt.time("published_from"), flt.time("published_to")
    limit = f.limit(default=50, hi=100)
    selected = [
        r
        for r in ctx.store.reviews.values()
        if _status_match(status, r.status)
        and order_status in ("ALL", r.order_status)
        and (not skus or r.sku in skus)
        and _in_period(r.published_at, lo, hi)
    ]
    reviews, has_next, last_id = _page(selected, f, "DESC", _review, limit)
    return {"reviews": reviews, "has_next": has_next, "last_id": last_id}


@route("/v2/review/info", premium=True)
def review_info(ctx: Ctx, f: Fields) -> dict[str, Any]:
    r = _get_review(ctx, f.text("review_id", required=True))
    out = _review(r)
    out.update(
        {
            "likes_amount": r.likes,
            "dislikes_amount": r.dislikes,
            "videos": [],
            "photos": [{"url": url, "width": 1000, "height": 1333} for url in r.photos],
        }
    )
    return out


@route("/v2/review/count", premium=True)
def review_count(ctx: Ctx, f: Fields) -> dict[str, int]:
    statuses = [r.status for r in ctx.store.reviews.values()]
    return {
        "total": len(statuses),
        "new": statuses.count("NEW"),
        "viewed": statuses.count("VIEWED"),
        "processed": statuses.count("PROCESSED"),
    }


@route("/v2/review/change-status", premium=True)
def review_change_status(ctx: Ctx, f: Fields) -> dict[str, Any]:
    ids = f.texts("review_ids", max_items=100, required=True)
    status = f.choice("status", SET_STATUSES, "")
    reviews = [_get_review(ctx, rid) for rid in ids]
    for r in reviews:
        r.status = status
        ctx.log(review_id=r.id)
    return {}


@route("/v1/review/comment/create", premium=True)
def comment_create(ctx: Ctx, f: Fields) -> dict[str, Any]:
    r = _get_review(ctx, f.text("review_id", required=True))
    text = f.text("text", required=True, min_len=1, max_len=3000)
    parent = f.text("parent_comment_id")
    if parent and all(c.id != parent for c in r.comments):
        raise invalid("parent_comment_id", "no such comment on this review")
    comment = ReviewComment(ctx.store.ids.uuid(), text, ctx.now, parent_comment_id=parent)
    r.comments.append(comment)
    if f.flag("mark_review_as_processed"):
        r.status = "PROCESSED"
    ctx.log(review_id=r.id)
    return {"comment_id": comment.id}


@route("/v1/review/comment/list", premium=True)
def comment_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    r = _get_review(ctx, f.text("review_id", required=True))
    limit = f.limit(default=100, lo=20, hi=100)
    offset = f.number("offset", default=0, lo=0) or 0
    desc = f.choice("sort_dir", ("ASC", "DESC"), "ASC") == "DESC"
    comments = sorted(r.comments, key=lambda c: (c.published_at, c.id), reverse=desc)[offset : offset + limit]
    return {
        "comments": [
            {
                "id": c.id,
                "text": c.text,
                "parent_comment_id": c.parent_comment_id,
                "published_at": iso(c.published_at, MILLIS),
                "is_owner": c.is_owner,
                "is_official": c.is_official,
                "is_published": True,
                "is_rejected": False,
                "deviation_reason": "",
                "likes_amount": 0,
                "dislikes_amount": 0,
            }
            for c in comments
        ],
        "offset": offset + len(comments),
    }


# -- questions -------------------------------------------------------------------------------------------


def _question(q: Question) -> dict[str, Any]:
    return {
        "id": q.id,
        "sku": q.sku,
        "text": q.text,
        "author_name": q.author_name,
        "published_at": iso(q.published_at, MILLIS),
        "status": q.status,
        "answers_count": len(q.answers),
        "product_url": f"https://www.ozon.ru/product/{q.sku}/",
        "question_link": f"https://www.ozon.ru/product/{q.sku}/questions/?qid={q.id}",
    }


def _get_question(ctx: Ctx, question_id: str) -> Question:
    q = ctx.store.questions.get(question_id)
    if q is None:
        raise not_found("QUESTION_NOT_FOUND")
    return q


@route("/v1/question/list", premium=True)
def question_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    flt = f.obj("filter")
    status = flt.choice("status", ("ALL", "NEW", "VIEWED", "PROCESSED", "UNPROCESSED"), "ALL")
    lo, hi = flt.time("date_from"), flt.time("date_to")
    limit = f.limit(default=100, hi=100)
    selected = [
        q
        for q in ctx.store.questions.values()
        if _status_match(status, q.status) and _in_period(q.published_at, lo, hi)
    ]
    questions, has_next, last_id = _page(selected, f, "DESC", _question, limit)
    return {"questions": questions, "last_id": last_id, "has_next": has_next}


@route("/v1/question/info", premium=True)
def question_info(ctx: Ctx, f: Fields) -> dict[str, Any]:
    return _question(_get_question(ctx, f.text("question_id", required=True)))


@route("/v1/question/count", premium=True)
def question_count(ctx: Ctx, f: Fields) -> dict[str, int]:
    statuses = [q.status for q in ctx.store.questions.values()]
    processed = statuses.count("PROCESSED")
    return {
        "all": len(statuses),
        "new": statuses.count("NEW"),
        "viewed": statuses.count("VIEWED"),
        "processed": processed,
        "unprocessed": len(statuses) - processed,
    }


@route("/v1/question/change-status", premium=True)
def question_change_status(ctx: Ctx, f: Fields) -> dict[str, Any]:
    ids = f.texts("question_ids", max_items=100, required=True)
    status = f.choice("status", SET_STATUSES, "")
    questions = [_get_question(ctx, qid) for qid in ids]
    for q in questions:
        q.status = status
        ctx.log(question_id=q.id)
    return {}


@route("/v1/question/answer/create", premium=True)
def answer_create(ctx: Ctx, f: Fields) -> dict[str, Any]:
    q = _get_question(ctx, f.text("question_id", required=True))
    sku = f.number("sku", required=True)
    text = f.text("text", required=True, min_len=2, max_len=3000)
    if sku != q.sku:
        raise invalid("sku", "does not match the question's product")
    answer = Answer(ctx.store.ids.uuid(), q.id, q.sku, text, "Продавец", ctx.now)
    q.answers.append(answer)
    q.status = "PROCESSED"
    ctx.log(question_id=q.id)
    return {"answer_id": answer.id}


@route("/v1/question/answer/list", premium=True)
def answer_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    q = _get_question(ctx, f.text("question_id", required=True))
    sku = f.number("sku")
    if sku is not None and sku != q.sku:
        raise invalid("sku", "does not match the question's product")
    limit = f.limit(default=100, hi=100)
    answers = _after(q.answers, f.text("last_id"))
    page = answers[:limit]
    return {
        "answers": [
            {
                "id": a.id,
                "question_id": a.question_id,
                "sku": a.sku,
                "text": a.text,
                "author_name": a.author_name,
                "published_at": iso(a.published_at, MILLIS),
            }
            for a in page
        ],
        "last_id": page[-1].id if page else "",
    }
