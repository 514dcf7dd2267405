"""Live updates between desks: a desk's committed change reaches another desk's event bus through
LISTEN/NOTIFY within a second; a desk does not hear itself twice; long lists fit NOTIFY's limit."""

from __future__ import annotations

import threading
import time

import pytest

from app import events
from app.context import AppContext, open_context
from app.db.notify import _MAX_PAYLOAD, decode, encode
from app.repos import postings as posting_repo
from tests.app.factories import NOW, posting


def test_an_event_goes_out_and_comes_back_the_same() -> None:
    sent = events.PostingsChanged(frozenset({"1-1-1", "2-1-1"}), new=frozenset({"2-1-1"}))
    assert [decode(p) for p in encode(sent)] == [sent]
    assert decode(encode(events.OutboxChanged(3, 1))[0]) == events.OutboxChanged(3, 1)
    assert decode('{"type": "SomethingNew", "x": 1}') is None and decode("not json") is None


def test_a_long_list_of_postings_is_split_to_fit_notify() -> None:
    numbers = frozenset(f"{n:08d}-0001-1" for n in range(3000))
    payloads = encode(events.PostingsChanged(numbers))
    assert len(payloads) > 1 and all(len(p.encode()) <= _MAX_PAYLOAD for p in payloads)
    back = [decode(p) for p in payloads]
    assert all(isinstance(e, events.PostingsChanged) for e in back)
    assert frozenset().union(*(e.posting_numbers for e in back if isinstance(e, events.PostingsChanged))) == numbers


@pytest.mark.server_only
def test_a_change_at_one_desk_reaches_the_other_within_a_second(ctx: AppContext, tmp_path: object) -> None:
    other = open_context(str(ctx.paths.data.parent / "desk2"))
    heard: list[tuple[float, events.PostingsChanged]] = []
    got = threading.Event()

    def on_change(event: events.PostingsChanged) -> None:
        heard.append((time.monotonic(), event))
        got.set()

    mine: list[events.PostingsChanged] = []
    try:
        assert ctx.desk_events is not None and other.desk_events is not None
        assert ctx.desk_events.listening.wait(5) and other.desk_events.listening.wait(5)
        other.bus.subscribe(events.PostingsChanged, on_change)
        ctx.bus.subscribe(events.PostingsChanged, mine.append)
        with ctx.db.write() as s:
            posting_repo.save(s, [posting("7-1-1")], NOW)
        sent = time.monotonic()
        ctx.bus.publish(events.PostingsChanged(frozenset({"7-1-1"})))
        assert got.wait(5)
        at, event = heard[0]
        assert event.posting_numbers == {"7-1-1"} and at - sent < 1.0
        with other.db.read() as s:  # committed before it was announced: the other desk reads it
            assert posting_repo.get(s, "7-1-1") is not None
        time.sleep(0.3)
        assert len(mine) == 1 and len(heard) == 1  # nobody hears an event twice
    finally:
        other.close()


@pytest.mark.server_only
def test_a_label_the_leader_downloads_prints_at_another_desk(ctx: AppContext) -> None:
    from app import label_files

    other = open_context(str(ctx.paths.data.parent / "desk2"))
    try:
        pdf = b"%PDF-1.4 the label of 7-1-1"
        label_files.store(ctx.paths.labels, "7-1-1", pdf)
        label_files.store_act(ctx.paths.labels, "job-1", b"%PDF-1.4 an act")
        assert not label_files.label_path(other.paths.labels, "7-1-1").exists()
        assert label_files.has(other.paths.labels, "7-1-1") and label_files.load(other.paths.labels, "7-1-1") == pdf
        assert label_files.label_path(other.paths.labels, "7-1-1").read_bytes() == pdf  # kept for offline reprints
        assert label_files.load_act(other.paths.labels, "job-1") == b"%PDF-1.4 an act"
        with pytest.raises(label_files.LabelNotCached):
            label_files.load(other.paths.labels, "8-1-1")
    finally:
        other.close()


@pytest.mark.server_only
def test_a_label_the_leader_downloads_wakes_the_printer_of_the_desk_that_packed(ctx: AppContext) -> None:
    """The leader fetches Ozon's label and frees the waiting print job; the desk that packed the
    posting must hear it at once (its page kicks its printer), not at the next change of postings."""
    other = open_context(str(ctx.paths.data.parent / "desk2"))
    heard = threading.Event()
    try:
        assert ctx.desk_events is not None and other.desk_events is not None
        assert ctx.desk_events.listening.wait(5) and other.desk_events.listening.wait(5)
        other.bus.subscribe(events.LabelReady, lambda event: heard.set() if event.posting_number == "7-1-1" else None)
        ctx.bus.publish(events.LabelReady("7-1-1", "/leader/labels/7-1-1.pdf"))
        assert heard.wait(2)
    finally:
        other.close()
