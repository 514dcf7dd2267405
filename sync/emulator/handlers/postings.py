"""Reading postings: v4 cursor lists, one posting (v3 get), a posting by label barcode."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..clock import micros
from ..errors import invalid, not_found
from ..fields import Fields, decode_cursor, encode_cursor
from ..machine import STATUSES, UNFULFILLED
from ..model import Posting
from ..store import Store
from ..views import V4_BLOCKS, delivery_window, dumps, v4_json
from ..views_v3 import V3_BLOCKS, by_barcode, v3_get
from .base import Ctx, Raw, route, with_flags

Key = tuple[int, str]
SORT_FIELDS = {"by_shipment": "shipment_date", "by_process": "in_process_at"}
MAX_KEY_SUFFIX = "\U0010ffff"


@dataclass(slots=True)
class Query:
    """Which postings a list call selects, over one sort index (shipment_date or in_process_at)."""

    index_name: str  # "by_shipment" | "by_process"
    lo: int | None  # inclusive bounds on the sort key, epoch microseconds
    hi: int | None
    match: Callable[[Posting], bool]
    signature: str  # canonical filter text, for memoized counts
    changed: tuple[int | None, int | None] = (None, None)  # last_changed_status_date bounds, if any

    def _index(self, store: Store) -> list[Key]:
        """The sort index to walk. With a "changed since" filter, only the postings changed in that window
        (found through the status-change index), in sort order: a quiet incremental poll stays cheap."""
        if self.changed[0] is None:
            index: list[Key] = getattr(store, self.index_name)
            return index
        lo, hi = self.changed

        def candidates() -> list[Key]:
            changed = store.by_changed
            start = bisect.bisect_left(changed, (lo, ""))
            end = len(changed) if hi is None else bisect.bisect_right(changed, (hi, MAX_KEY_SUFFIX))
            field = SORT_FIELDS[self.index_name]
            postings = store.postings
            return sorted((micros(getattr(postings[n], field)), n) for _, n in changed[start:end])

        keys: list[Key] = store.memoized(("changed", self.index_name, self.signature), candidates)
        return keys

    def _bounds(self, index: list[Key]) -> tuple[int, int]:
        start = 0 if self.lo is None else bisect.bisect_left(index, (self.lo, ""))
        end = len(index) if self.hi is None else bisect.bisect_right(index, (self.hi, MAX_KEY_SUFFIX))
        return start, end

    def walk(self, store: Store, after: Key | None, desc: bool) -> Iterator[tuple[Key, Posting]]:
        """Matching postings strictly past the cursor key, in sort order."""
        index = self._index(store)
        start, end = self._bounds(index)
        postings = store.postings
        if not desc:
            if after is not None:
                start = max(start, bisect.bisect_right(index, after))
            positions: range = range(start, end)
        else:
            if after is not None:
                end = min(end, bisect.bisect_left(index, after))
            positions = range(end - 1, start - 1, -1)
        match = self.match
        for i in positions:
            key = index[i]
            p = postings[key[1]]
            if match(p):
                yield key, p

    def all(self, store: Store, desc: bool) -> list[Posting]:
        def collect() -> list[Posting]:
            index = self._index(store)
            start, end = self._bounds(index)
            postings, match = store.postings, self.match
            return [p for _, number in index[start:end] if match(p := postings[number])]

        selected: list[Posting] = store.memoized((self.index_name, self.signature), collect)
        return selected[::-1] if desc else selected


def _filter(
    flt: Fields, statuses_allowed: frozenset[str], extra: dict[str, Any]
) -> tuple[Callable[[Posting], bool], str, tuple[int | None, int | None]]:
    """The optional filters shared by the two v4 lists: a predicate, its signature (for memos) and the
    last_changed_status_date bounds in epoch microseconds."""
    statuses = set(flt.texts("statuses"))
    for s in statuses:
        if s not in statuses_allowed:
            raise invalid(flt.name("statuses"), f"unknown or not allowed status {s!r}")
    warehouses = set(flt.ids("warehouse_ids"))
    methods = set(flt.ids("delivery_method_ids"))
    providers = set(flt.ids("provider_ids"))
    orders = set(flt.texts("order_numbers", max_items=100))
    order_id = flt.number("order_id")
    flows = set(flt.texts("integration_type_flow"))
    changed_lo, changed_hi = flt.period("last_changed_status_date")
    dlo: datetime | None = extra.get("delivering_from")
    dhi: datetime | None = extra.get("delivering_to")

    allowed = frozenset(statuses) or statuses_allowed
    checks: list[Callable[[Posting], bool]] = [lambda p: p.status in allowed]
    if warehouses:
        checks.append(lambda p: p.method.warehouse.id in warehouses)
    if methods:
        checks.append(lambda p: p.method.id in methods)
    if providers:
        checks.append(lambda p: p.method.tpl_provider_id in providers)
    if orders:
        checks.append(lambda p: p.order_number in orders or p.number in orders)
    if order_id:
        checks.append(lambda p: p.order_id == order_id)
    if flows:
        checks.append(lambda p: p.method.integration in flows)
    if changed_lo is not None or changed_hi is not None:
        checks.append(lambda p: _within(p.status_changed_at, changed_lo, changed_hi))
    if dlo is not None or dhi is not None:
        # The delivering-date pair filters on the planned hand-over to the buyer (delivery_date_begin).
        checks.append(lambda p: _within(delivery_window(p)[0], dlo, dhi))
    match = checks[0] if len(checks) == 1 else (lambda p: all(check(p) for check in checks))

    signature = dumps(
        [
            sorted(statuses),
            sorted(warehouses),
            sorted(methods),
            sorted(providers),
            sorted(orders),
            order_id,
            sorted(flows),
            str(changed_lo),
            str(changed_hi),
            str(dlo),
            str(dhi),
            sorted(statuses_allowed),
        ]
    )
    changed = (None if changed_lo is None else micros(changed_lo), None if changed_hi is None else micros(changed_hi))
    return match, signature, changed


def _within(when: datetime, lo: datetime | None, hi: datetime | None) -> bool:
    return (lo is None or when >= lo) and (hi is None or when <= hi)


def _pair(flt: Fields, lo_key: str, hi_key: str) -> tuple[datetime | None, datetime | None]:
    lo, hi = flt.time(lo_key), flt.time(hi_key)
    if (lo is None) != (hi is None):
        raise invalid(flt.name(hi_key if hi is None else lo_key), "value is required")
    if lo is not None and hi is not None and lo > hi:
        raise invalid(flt.name(lo_key), f"must not be after {hi_key}")
    return lo, hi


def _unfulfilled_query(f: Fields) -> Query:
    flt = f.obj("filter", required=True)
    cutoff = _pair(flt, "cutoff_from", "cutoff_to")
    delivering = _pair(flt, "delivering_date_from", "delivering_date_to")
    if cutoff[0] and delivering[0]:
        raise invalid(flt.name("cutoff_from"), "use either the cutoff pair or the delivering_date pair, not both")
    if not cutoff[0] and not delivering[0]:
        raise invalid(flt.name("cutoff_from"), "value is required (or delivering_date_from and delivering_date_to)")
    match, signature, changed = _filter(
        flt, UNFULFILLED, {"delivering_from": delivering[0], "delivering_to": delivering[1]}
    )
    lo = micros(cutoff[0]) if cutoff[0] else None
    hi = micros(cutoff[1]) if cutoff[1] else None
    return Query("by_shipment", lo, hi, match, f"{lo}:{hi}:{signature}", changed)


def _list_query(f: Fields) -> Query:
    flt = f.obj("filter", required=True)
    since, to = flt.time("since", required=True), flt.time("to", required=True)
    assert since is not None and to is not None
    if since > to:
        raise invalid(flt.name("since"), "must not be after to")
    if to - since > timedelta(days=366):
        raise invalid(flt.name("to"), "the period must not exceed one year")
    match, signature, changed = _filter(flt, STATUSES, {})
    lo, hi = micros(since), micros(to)
    return Query("by_process", lo, hi, match, f"{lo}:{hi}:{signature}", changed)


def _cursor_page(ctx: Ctx, f: Fields, query: Query) -> tuple[list[Posting], bool, str]:
    limit = f.limit(hi=100)
    desc = f.choice("sort_dir", ("ASC", "DESC"), "ASC") == "DESC"
    cursor = f.text("cursor")
    after: Key | None = None
    if cursor:
        payload = decode_cursor(cursor)
        fields = payload.get("fields")
        if (
            payload.get("index") != query.index_name
            or not isinstance(fields, list)
            or len(fields) != 2
            or not isinstance(fields[0], int)
            or not isinstance(fields[1], str)
        ):
            raise invalid("cursor", "malformed cursor")
        after = (fields[0], fields[1])
    page: list[Posting] = []
    last = after
    has_next = False
    for key, p in query.walk(ctx.store, after, desc):
        if len(page) == limit:
            has_next = True
            break
        page.append(p)
        last = key
    next_cursor = encode_cursor({"index": query.index_name, "fields": list(last)}) if last else ""
    return page, has_next, next_cursor


def _page_body(head: str, page: list[Posting], with_blocks: frozenset[str]) -> Raw:
    """``{<head>"postings":[...]}`` from the postings' cached UTF-8 JSON, joined as bytes (hot path)."""
    return Raw(b"".join((f'{{{head}"postings":['.encode(), b",".join([v4_json(p, with_blocks) for p in page]), b"]}")))


@route("/v4/posting/fbs/unfulfilled/list")
def unfulfilled_v4(ctx: Ctx, f: Fields) -> Raw:
    query = _unfulfilled_query(f)
    with_blocks = with_flags(f, V4_BLOCKS)
    page, has_next, cursor = _cursor_page(ctx, f, query)
    count = len(query.all(ctx.store, False))
    return _page_body(f'"count":{count},"cursor":{dumps(cursor)},"has_next":{dumps(has_next)},', page, with_blocks)


@route("/v4/posting/fbs/list")
def list_v4(ctx: Ctx, f: Fields) -> Raw:
    query = _list_query(f)
    with_blocks = with_flags(f, V4_BLOCKS)
    page, has_next, cursor = _cursor_page(ctx, f, query)
    return _page_body(f'"cursor":{dumps(cursor)},"has_next":{dumps(has_next)},', page, with_blocks)


@route("/v3/posting/fbs/get")
def get_v3(ctx: Ctx, f: Fields) -> dict[str, Any]:
    p = ctx.posting(f.text("posting_number", required=True))
    with_blocks = with_flags(f, (*V3_BLOCKS, "related_postings", "translit"))
    result = v3_get(p, with_blocks)
    if "related_postings" in with_blocks:
        others = [n for n in ctx.store.order_postings.get(p.order_number, []) if n != p.number]
        result["related_postings"] = {"related_posting_numbers": others}
    return {"result": result}


@route("/v2/posting/fbs/get-by-barcode")
def get_by_barcode(ctx: Ctx, f: Fields) -> dict[str, Any]:
    p = ctx.store.by_barcode.get(f.text("barcode", required=True))
    if p is None:
        raise not_found("POSTING_NOT_FOUND")
    return {"result": by_barcode(p)}
