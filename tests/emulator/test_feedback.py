"""Reviews and questions."""

from __future__ import annotations

from typing import Any

from sync.emulator import Emulator

from .conftest import Api


def all_reviews(api: Api, **filters: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    last_id = ""
    while True:
        page = api.ok("/v2/review/list", {"filters": filters, "limit": 20, "last_id": last_id})
        out += page["reviews"]
        if not page["has_next"]:
            return out
        last_id = page["last_id"]


def test_reviews_list_info_count_and_status(api: Api, emu: Emulator) -> None:
    reviews = all_reviews(api)
    count = api.ok("/v2/review/count")
    assert len(reviews) == count["total"] == len({r["id"] for r in reviews}) > 20
    assert {r["rating"] for r in reviews} == {1, 2, 3, 4, 5}
    published = [r["published_at"] for r in reviews]
    assert published == sorted(published, reverse=True)
    new = all_reviews(api, status="NEW")
    assert len(new) == count["new"] and {r["status"] for r in new} == {"NEW"}
    with_photos = next(r for r in reviews if r["photos_amount"])
    info = api.ok("/v2/review/info", {"review_id": with_photos["id"]})
    assert len(info["photos"]) == with_photos["photos_amount"] and "likes_amount" in info
    ids = [r["id"] for r in new[:2]]
    assert api.ok("/v2/review/change-status", {"review_ids": ids, "status": "VIEWED"}) == {}
    assert api.ok("/v2/review/count")["new"] == count["new"] - 2
    assert [e["review_id"] for e in emu.log] == ids
    assert api.error("/v2/review/change-status", {"review_ids": ["nope"], "status": "VIEWED"}, 404)["code"] == 5
    assert api.error("/v2/review/change-status", {"review_ids": ids, "status": "DONE"}, 400)["code"] == 3


def test_review_comments(api: Api, emu: Emulator) -> None:
    review = all_reviews(api, status="NEW")[0]
    created = api.ok(
        "/v1/review/comment/create",
        {"review_id": review["id"], "text": "Спасибо за отзыв!", "mark_review_as_processed": True},
    )
    comments = api.ok("/v1/review/comment/list", {"review_id": review["id"], "limit": 20, "offset": 0})
    assert comments["comments"][-1]["id"] == created["comment_id"] and comments["comments"][-1]["is_owner"]
    assert api.ok("/v2/review/info", {"review_id": review["id"]})["status"] == "PROCESSED"
    assert emu.log[-1]["review_id"] == review["id"]


def test_questions_and_answers(api: Api, emu: Emulator) -> None:
    questions: list[dict[str, Any]] = []
    last_id = ""
    while True:
        page = api.ok("/v1/question/list", {"filter": {"status": "ALL"}, "last_id": last_id, "limit": 10})
        questions += page["questions"]
        if not page["has_next"]:
            break
        last_id = page["last_id"]
    count = api.ok("/v1/question/count")
    assert len(questions) == count["all"] == len({q["id"] for q in questions})
    new = next(q for q in questions if q["status"] == "NEW")
    assert api.ok("/v1/question/info", {"question_id": new["id"]})["text"] == new["text"]
    assert (
        "text"
        in api.error("/v1/question/answer/create", {"question_id": new["id"], "sku": new["sku"], "text": "Д"}, 400)[
            "message"
        ]
    )
    assert (
        api.error("/v1/question/answer/create", {"question_id": new["id"], "sku": 1, "text": "Да, подойдёт"}, 400)[
            "code"
        ]
        == 3
    )
    answer = api.ok("/v1/question/answer/create", {"question_id": new["id"], "sku": new["sku"], "text": "Да, подойдёт"})
    answers = api.ok("/v1/question/answer/list", {"question_id": new["id"], "sku": new["sku"]})
    assert answers["answers"][-1]["id"] == answer["answer_id"] and answers["last_id"] == answer["answer_id"]
    after = api.ok("/v1/question/answer/list", {"question_id": new["id"], "last_id": answers["answers"][0]["id"]})
    assert [a["id"] for a in after["answers"]] == [a["id"] for a in answers["answers"][1:]]
    info = api.ok("/v1/question/info", {"question_id": new["id"]})
    assert info["status"] == "PROCESSED" and info["answers_count"] == len(answers["answers"])
    viewed = next(q for q in questions if q["status"] == "NEW" and q["id"] != new["id"])
    api.ok("/v1/question/change-status", {"question_ids": [viewed["id"]], "status": "VIEWED"})
    assert [e["question_id"] for e in emu.log] == [new["id"], viewed["id"]]
    assert api.error("/v1/question/info", {"question_id": "nope"}, 404)["code"] == 5
