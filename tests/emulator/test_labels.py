"""Labels through label tasks, the CDN file, and what the label PDF carries (scanit, the new labels)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sync.emulator import Emulator, EmulatorAdapter, Fault

from .conftest import BASE, CLIENT_ID, Api, decode_pdf, page_sizes_mm, session_for, ship_body

CREATE = "/v3/posting/fbs/package-label/create"
GET = "/v2/posting/fbs/package-label/get"


def shipped(api: Api, emu: Emulator, count: int) -> list[str]:
    numbers = emu.create_postings(count)
    for n in numbers:
        api.ok("/v4/posting/fbs/ship", ship_body(emu, n))
    return numbers


def one_of_each_label_kind(emu: Emulator) -> tuple[str, str]:
    """(a posting with lower_barcode, one on the new labels only), both with a ready label."""
    numbers = emu.create_postings(12, status="awaiting_deliver")
    kinds = {emu.posting(n)["barcodes"]["lower_barcode"] == "0": n for n in numbers}
    return kinds[False], kinds[True]


def test_a_task_is_pending_then_in_progress_then_decided_once(api: Api, emu: Emulator) -> None:
    first, second = shipped(api, emu, 2)
    (packing,) = emu.create_postings(1)
    emu.advance(60)
    (late,) = shipped(api, emu, 1)  # shipped now: its label is not ready 5 s later
    batch = [first, late, packing, "1-1-1", second, first]
    created = api.ok(CREATE, {"posting_numbers": batch})
    assert set(created) == {"tasks"}
    big, small = created["tasks"]
    assert (big["task_type"], small["task_type"]) == ("big_label", "small_label")
    assert isinstance(big["task_id"], int) and big["task_id"] != small["task_id"]
    entry = emu.log[-1]
    assert entry["method"] == CREATE and entry["task_ids"] == [big["task_id"], small["task_id"]]
    assert entry["posting_numbers"] == [first, late, packing, "1-1-1", second]

    def status(task: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = api.ok(GET, {"task_id": task["task_id"]})
        return answer

    pending = status(big)
    assert pending == {
        "status": {"code": "pending", "postings_count": 5, "printed_postings_count": 0, "unprinted_postings": []},
        "file_url": "",
        "error": {"code": "", "message": ""},
    }
    emu.advance(1)
    assert status(big)["status"]["code"] == "in_progress"
    emu.advance(3.9)
    assert status(small)["status"]["code"] == "in_progress"
    emu.advance(0.1)
    done = status(big)
    assert done["status"] == {
        "code": "completed",
        "postings_count": 5,
        "printed_postings_count": 2,
        "unprinted_postings": [
            {"posting_number": late, "message": "The next postings aren't ready"},
            {"posting_number": packing, "message": "HAS_INCORRECT_STATUS"},
            {"posting_number": "1-1-1", "message": "POSTING_NOT_FOUND"},
        ],
    }
    assert done["file_url"].startswith(f"{BASE}/s3/fbs-labels/{big['task_id']}-") and done["file_url"].endswith(".pdf")
    assert done["error"] == {"code": "", "message": ""}
    assert status(small)["status"] == done["status"] and status(small)["file_url"] != done["file_url"]
    emu.advance(120)  # the late label is ready now, but the task was decided and stays as it was
    assert status(big) == done
    assert api.error(GET, {"task_id": 1}, 404)["code"] == 5


def test_the_file_comes_from_the_cdn_path_without_ozon_headers(api: Api, emu: Emulator) -> None:
    first, second = shipped(api, emu, 2)
    emu.advance(60)
    big, small = api.ok(CREATE, {"posting_numbers": [second, first]})["tasks"]
    emu.advance(5)
    urls = [api.ok(GET, {"task_id": t["task_id"]})["file_url"] for t in (big, small)]
    cdn = requests.Session()  # what a client should use for the CDN: no Client-Id, no Api-Key
    cdn.mount(BASE + "/", EmulatorAdapter(emu))
    files = [cdn.get(url) for url in urls]
    for r in files:
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert page_sizes_mm(files[0].content) == [(75, 120)] * 2
    assert page_sizes_mm(files[1].content) == [(58, 40)] * 2
    # One page per printed posting, in the order requested.
    assert [second in codes for codes in decode_pdf(files[0].content)] == [True, False]
    assert [first in codes for codes in decode_pdf(files[1].content)] == [False, True]
    assert files[0].content == emu.label_pdf([second, first])
    api.session.get(urls[0])  # a careless client sends its Ozon headers to the CDN: recorded as such
    path = urls[0].removeprefix(BASE)
    assert emu.downloads == [
        {"path": path, "status": 200, "sent_api_key": False, "sent_client_id": False},
        {"path": urls[1].removeprefix(BASE), "status": 200, "sent_api_key": False, "sent_client_id": False},
        {"path": path, "status": 200, "sent_api_key": True, "sent_client_id": True},
    ]
    assert cdn.get(BASE + "/s3/fbs-labels/1-nothing.pdf").status_code == 404
    assert cdn.post(urls[0]).status_code == 405
    assert all(e["method"] != "GET" for e in emu.log)  # downloads are not Ozon calls


def test_the_file_url_points_at_the_host_of_the_request(emu: Emulator) -> None:
    api = Api(session_for(emu), BASE)
    (number,) = emu.create_postings(1, status="awaiting_deliver")
    task = api.ok(CREATE, {"posting_numbers": [number]})["tasks"][0]
    emu.advance(5)
    other = requests.Session()
    other.mount("http://labels.test:8080/", EmulatorAdapter(emu))
    other.headers.update({"Client-Id": CLIENT_ID, "Api-Key": emu.api_key})
    got = other.post("http://labels.test:8080" + GET, json={"task_id": task["task_id"]}).json()
    assert got["file_url"].startswith("http://labels.test:8080/s3/fbs-labels/")


def test_nothing_printable_is_an_error_without_a_file(api: Api, emu: Emulator) -> None:
    (packing,) = emu.create_postings(1)
    (cancelled,) = emu.create_postings(1, status="awaiting_deliver")
    emu.cancel_posting(cancelled)
    task = api.ok(CREATE, {"posting_numbers": [packing, cancelled]})["tasks"][0]
    emu.advance(5)
    answer = api.ok(GET, {"task_id": task["task_id"]})
    assert answer["status"]["code"] == "error" and answer["status"]["printed_postings_count"] == 0
    assert answer["error"]["code"] == "NO_POSTINGS_FOR_BATCH_DOWNLOAD" and answer["error"]["message"]
    assert answer["file_url"] == ""
    assert [u["message"] for u in answer["status"]["unprinted_postings"]] == ["HAS_INCORRECT_STATUS"] * 2


def test_create_validates_the_batch(api: Api) -> None:
    for numbers in ([], ["1-1-1"] * 1001):
        assert "posting_numbers" in api.error(CREATE, {"posting_numbers": numbers}, 400)["message"]
    assert "posting_numbers" in api.error(CREATE, {"posting_number": ["1-1-1"]}, 400)["message"]
    assert len(api.ok(CREATE, {"posting_numbers": ["1-1-1"] * 1000})["tasks"]) == 2


def test_labels_carry_scanit_and_decode_at_203_dpi(emu: Emulator) -> None:
    classic, new_only = one_of_each_label_kind(emu)
    c, n = emu.posting(classic), emu.posting(new_only)
    assert n["barcodes"] == {"upper_barcode": "0", "lower_barcode": "0"}
    big = decode_pdf(emu.label_pdf([classic, new_only]))
    assert big == [sorted([classic, c["scanit"], c["barcodes"]["lower_barcode"]]), sorted([new_only, n["scanit"]])]
    small = decode_pdf(emu.label_pdf([classic, new_only], small=True))
    assert small == [sorted([classic, c["barcodes"]["lower_barcode"]]), sorted([new_only, n["scanit"]])]


def test_label_pdf_refuses_what_a_task_would_not_print(emu: Emulator) -> None:
    (packing,) = emu.create_postings(1)
    with pytest.raises(ValueError, match="HAS_INCORRECT_STATUS"):
        emu.label_pdf([packing])


def test_faults_hit_file_paths_too(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="awaiting_deliver")
    task = api.ok(CREATE, {"posting_numbers": [number]})["tasks"][0]
    emu.advance(5)
    url = api.ok(GET, {"task_id": task["task_id"]})["file_url"]
    emu.add_fault(Fault("http_503", path="/s3/fbs-labels/*", retry_after=1))
    assert api.session.get(url).status_code == 503
    emu.add_fault(Fault("reset", path="/s3/*"))
    with pytest.raises(requests.exceptions.ConnectionError):
        api.session.get(url)
    assert api.session.get(url).content.startswith(b"%PDF")
    assert len(emu.downloads) == 1  # only the download that reached the CDN


@pytest.mark.http
def test_the_file_over_real_http(http_api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="awaiting_deliver")
    task = http_api.ok(CREATE, {"posting_numbers": [number]}, timeout=5)["tasks"][0]
    emu.advance(5)
    url = http_api.ok(GET, {"task_id": task["task_id"]}, timeout=5)["file_url"]
    assert url.startswith(http_api.base + "/s3/fbs-labels/")
    r = requests.get(url, timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert decode_pdf(r.content)[0].count(number) == 1
    assert emu.downloads[0]["sent_api_key"] is False and emu.downloads[0]["status"] == 200
