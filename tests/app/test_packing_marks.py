"""The pack station with Ozon's requirements: a Честный ЗНАК code per unit, a customs declaration
number (ГТД) per SKU, boxes of a multi-box posting, data Packdesk cannot send; on a real store."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app import outbox
from app.context import AppContext, open_context
from app.db.tables import MarkingCodeRow
from app.domain.postings import PostingStatus, Requirement, Requirements
from app.domain.products import Product
from app.errors import InvalidAction
from app.marking import GS
from app.outbox import ActionKind, OutboxState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.workflows import shipping
from app.workflows.packing.outcomes import Kind, Prompt, Tone
from app.workflows.packing.station import PackStation
from tests.app.factories import NOW, posting
from tests.app.marks import mark

SHOES, SHIRT, CABLE = 3001, 3002, 3003
SHOES_EAN, SHIRT_EAN, CABLE_EAN = "4607123456781", "4601234567893", "6901234567892"
MARKED = "70000001-0001-1"  # 2 pairs of shoes (mark) and a shirt (mark + ГТД)
MARKED2 = "70000002-0001-1"  # another order with the shoes
CUSTOMS = "70000003-0001-1"  # cables: ГТД only, 3 units
IMEI = "70000004-0001-1"  # needs an IMEI: not for Packdesk
BOXES = "70000005-0001-1"  # one cat house in three boxes
NEW_LABEL = "70000006-0001-1"  # Ozon's new label: only `scanit`
GTD = "10702070/110326/3041525"


@dataclass
class Clock:
    moment: Any = NOW

    def now(self) -> Any:
        return self.moment


def needs(**kinds: tuple[int, ...]) -> Requirements:
    return Requirements({Requirement(k): frozenset(v) for k, v in kinds.items()})


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"), clock=Clock())
    with context.db.write() as s:
        posting_repo.save(
            s,
            [
                posting(
                    MARKED,
                    items=((SHOES, 2), (SHIRT, 1)),
                    requirements=needs(mandatory_mark=(SHOES, SHIRT), gtd=(SHIRT,)),
                ),
                posting(MARKED2, items=((SHOES, 1),), requirements=needs(mandatory_mark=(SHOES,))),
                posting(CUSTOMS, items=((CABLE, 3),), requirements=needs(gtd=(CABLE,))),
                posting(IMEI, items=((CABLE, 1),), requirements=needs(imei=(CABLE,))),
                posting(BOXES, items=((CABLE, 1),), is_multibox=True),
                posting(NEW_LABEL, items=((CABLE, 1),), scanit="ii3052511747", lower_barcode="", upper_barcode=""),
            ],
            NOW,
        )
        product_repo.save(
            s,
            [
                Product(SHOES, 1, "SH-42", "Кроссовки мужские беговые, 42", (SHOES_EAN,)),
                Product(SHIRT, 2, "TS-M", "Футболка хлопковая оверсайз, M", (SHIRT_EAN,)),
                Product(CABLE, 3, "CB-1", "Кабель USB-C, 1 м", (CABLE_EAN,)),
            ],
            NOW,
        )
    yield context
    context.close()


def station(ctx: AppContext, **kw: Any) -> PackStation:
    return PackStation(ctx.db, ctx.clock, user="packer-1", bus=ctx.bus, **kw)


def ship_payload(ctx: AppContext, number: str) -> dict[str, Any]:
    with ctx.db.read() as s:
        (ship,) = [
            e for e in outbox.entries(s, (OutboxState.PENDING,), target_id=number) if e.action is ActionKind.SHIP
        ]
    return ship.payload


def codes_in(ctx: AppContext, number: str) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(MarkingCodeRow.ident).where(MarkingCodeRow.posting_number == number)))


def test_each_marked_unit_needs_its_code_after_or_instead_of_its_ean(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(MARKED)
    first = desk.scan(SHOES_EAN)  # counted by its EAN: now its code
    assert first.kind is Kind.ITEM_OK and first.prompt is Prompt.MARK
    pair1 = mark(SHOES_EAN, seed=1)
    code = desk.scan(pair1)
    assert code.kind is Kind.MARK_OK and code.tone is Tone.GOOD and code.prompt is Prompt.NONE
    pair2 = mark(SHOES_EAN, seed=2)
    instead = desk.scan(pair2)  # the code alone counts the second pair
    assert instead.kind is Kind.ITEM_OK and instead.prompt is Prompt.NONE
    line = instead.view.line(SHOES) if instead.view else None
    assert line is not None and (line.scanned, line.marked, line.marks_missing) == (2, 2, 0)
    # The shirt: customs number first (once per SKU), then its code.
    shirt = desk.scan(SHIRT_EAN)
    assert shirt.prompt is Prompt.CUSTOMS
    assert desk.complete().kind is Kind.CUSTOMS_MISSING
    given = desk.set_customs(SHIRT, " 10702070/110326/3041525 ")
    assert given.kind is Kind.CUSTOMS_SET and given.prompt is Prompt.MARK
    missing = desk.complete()
    assert missing.kind is Kind.MARKS_MISSING and missing.sku == SHIRT and missing.detail == "1"
    desk.scan(mark(SHIRT_EAN, seed=3, short=True))
    done = desk.complete()
    assert done.kind is Kind.COMPLETED
    units = ship_payload(ctx, MARKED)["exemplars"]
    assert [u["mark"] for u in units[str(SHOES)]] == [pair1, pair2]  # scan order, GS kept
    assert units[str(SHIRT)] == [{"mark": mark(SHIRT_EAN, seed=3, short=True), "gtd": GTD, "gtd_absent": False}]
    assert all(u["gtd"] == "" and not u["gtd_absent"] for u in units[str(SHOES)])


def test_wrong_reused_duplicate_and_malformed_codes_are_refused_in_words(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(MARKED)
    pair = mark(SHOES_EAN, seed=7)
    assert desk.scan(pair).kind is Kind.ITEM_OK
    again = desk.scan(pair)
    assert again.kind is Kind.MARK_ALREADY_SCANNED and again.tone is Tone.BAD
    wrong = desk.scan(mark(CABLE_EAN, seed=1))  # a cable's code: not a product of this posting
    assert wrong.kind is Kind.MARK_WRONG_PRODUCT and wrong.sku == CABLE and wrong.name.startswith("Кабель")
    stranger = desk.scan(mark("4600000000015"))  # no product of the shop has this GTIN
    assert stranger.kind is Kind.MARK_WRONG_PRODUCT and stranger.sku == 0
    ident = pair.split(GS)[0]
    cut = desk.scan(ident)  # the tail cut off by the scanner
    assert cut.kind is Kind.MARK_INVALID and cut.detail == "mark_no_tail"
    odd = desk.scan(f"{ident}{GS}91AB1{GS}92{'x' * 44}")  # a key of 3: not as Честный ЗНАК makes them
    assert odd.kind is Kind.MARK_INVALID and odd.detail == "mark_malformed"
    assert odd.code == ident  # the outcome and the history keep the identification part only
    desk.scan(mark(SHOES_EAN, seed=8))
    desk.set_customs(SHIRT, None)
    desk.scan(mark(SHIRT_EAN, seed=9))
    assert desk.complete().kind is Kind.COMPLETED
    # The same physical pair cannot go into a second posting.
    desk.scan(MARKED2)
    reused = desk.scan(pair)
    assert reused.kind is Kind.MARK_REUSED and reused.detail == MARKED
    assert codes_in(ctx, MARKED2) == []


def test_put_aside_or_stopped_postings_release_their_codes(ctx: AppContext) -> None:
    desk = station(ctx)
    pair = mark(SHOES_EAN, seed=4)
    desk.scan(MARKED2)
    desk.scan(pair)
    assert desk.abort().kind is Kind.ABORTED
    assert codes_in(ctx, MARKED2) == []
    desk.scan(MARKED)
    assert desk.scan(pair).kind is Kind.ITEM_OK  # free again: the pair was put back on the shelf
    # The buyer cancels MARKED while it is on the desk: STOP, then the goods go back.
    with ctx.db.write() as s:
        (cached,) = posting_repo.get_many(s, [MARKED])
        posting_repo.save(s, [dataclasses.replace(cached.posting, status=PostingStatus.CANCELLED)], NOW)
    assert desk.check_cached().kind is Kind.STOP
    assert codes_in(ctx, MARKED) != []  # still tied to it until someone confirms the goods are back
    assert desk.acknowledge_stop().kind is Kind.STOP_ACKNOWLEDGED
    assert codes_in(ctx, MARKED) == []


def test_a_restart_keeps_codes_and_customs_numbers(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(MARKED)
    desk.scan(SHIRT_EAN)
    desk.set_customs(SHIRT, GTD)
    desk.scan(mark(SHOES_EAN, seed=5))
    after = station(ctx).resume()
    assert after.kind is Kind.RESUMED and after.view is not None
    shoes, shirt = after.view.line(SHOES), after.view.line(SHIRT)
    assert shoes is not None and (shoes.scanned, shoes.marked) == (1, 1)
    assert shirt is not None and (shirt.scanned, shirt.marked, shirt.gtd) == (1, 0, GTD)


def test_customs_numbers_are_asked_once_per_sku_and_remembered(ctx: AppContext) -> None:
    desk = station(ctx)
    assert desk.suggested_customs(CABLE) is None
    desk.scan(CUSTOMS)
    assert desk.scan(CABLE_EAN).prompt is Prompt.CUSTOMS
    with pytest.raises(InvalidAction) as bad:
        desk.set_customs(CABLE, "10702070/110326")
    assert bad.value.code == "gtd_malformed"
    with pytest.raises(InvalidAction):
        desk.set_customs(SHOES, GTD)  # not in this posting's requirements
    desk.set_customs(CABLE, GTD)
    assert desk.scan(CABLE_EAN).prompt is Prompt.NONE  # asked once for the SKU, not per unit
    desk.scan(CABLE_EAN)
    assert desk.complete().kind is Kind.COMPLETED
    assert ship_payload(ctx, CUSTOMS)["exemplars"] == {str(CABLE): [{"mark": "", "gtd": GTD, "gtd_absent": False}] * 3}
    assert desk.suggested_customs(CABLE) == (GTD, False)


def test_override_cannot_skip_what_ozon_requires(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(MARKED)
    desk.set_customs(SHIRT, GTD)
    refused = desk.complete_with_override("barcode unreadable")
    assert refused.kind is Kind.MARKS_MISSING and refused.detail == "3"


def test_data_packdesk_cannot_send_stops_the_posting_at_the_desk(ctx: AppContext) -> None:
    refused = station(ctx).scan(IMEI)
    assert refused.kind is Kind.NEEDS_CABINET and refused.detail == "imei" and refused.tone is Tone.BAD
    with pytest.raises(InvalidAction) as err:  # and the command line cannot ship it either
        shipping.queue_ship(ctx.db, ctx.clock, IMEI)
    assert err.value.code == "needs_cabinet"
    with pytest.raises(InvalidAction) as marks:
        shipping.queue_ship(ctx.db, ctx.clock, MARKED2)
    assert marks.value.code == "marks_needed"


def test_a_multibox_posting_counts_boxes_and_ships_as_one_package(ctx: AppContext) -> None:
    desk = station(ctx)
    opened = desk.scan(BOXES)
    assert opened.view is not None and opened.view.is_multibox
    desk.scan(CABLE_EAN)
    assert desk.new_package().kind is Kind.NEW_PACKAGE  # nothing left to scan: still a new box
    assert desk.new_package().kind is Kind.NEW_PACKAGE  # an empty box is fine: the item spans it
    done = desk.complete()
    assert done.kind is Kind.COMPLETED and done.packed is not None and done.packed.package_count == 3
    payload = ship_payload(ctx, BOXES)
    assert payload["packages"] == [[[CABLE, 1]]] and payload["multi_box_qty"] == 3
    with ctx.db.read() as s:
        split = [e for e in outbox.entries(s) if e.action is ActionKind.LABEL_SPLIT_PARTS]
    assert split == []  # not a split: Ozon keeps one posting


def test_ozons_new_label_is_found_by_scanit_and_zero_never_matches(ctx: AppContext) -> None:
    desk = station(ctx)
    assert desk.scan("ii3052511747").posting_number == NEW_LABEL
    desk.abort()
    assert desk.scan("0").kind is Kind.UNKNOWN_CODE  # never a posting, never asked of Ozon
    idle = desk.scan(mark(SHOES_EAN, seed=40))  # a unit's code with nothing on the desk
    assert idle.kind is Kind.NO_POSTING_OPEN and GS not in idle.code and len(idle.code) == 31
    with ctx.db.read() as s:
        assert [c.posting.posting_number for c in posting_repo.find_by_code(s, "ii3052511747")] == [NEW_LABEL]
        assert posting_repo.find_by_code(s, "") == [] and posting_repo.find_by_code(s, "0") == []
        # Caps Lock on: the scanner's `ii` arrives as `II`
        assert [c.posting.posting_number for c in posting_repo.find_by_code(s, "II3052511747")] == [NEW_LABEL]
        assert posting_repo.find_by_code(s, "iI3052511747") == []


def test_a_product_barcode_scanned_with_caps_lock_on_is_found(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        product_repo.save(s, [Product(77, 77, "X", "Кабель", ("OZN1234567890",))], NOW)
    with ctx.db.read() as s:
        assert product_repo.skus_for_barcode(s, "ozn1234567890") == [77]
        assert product_repo.skus_for_barcode(s, "Ozn1234567890") == []


def test_a_placeholder_for_gs_set_at_the_desk_is_understood(ctx: AppContext) -> None:
    desk = station(ctx, gs_substitute="^")
    desk.scan(MARKED2)
    code = mark(SHOES_EAN, seed=11)
    assert desk.scan(code.replace(GS, "^")).kind is Kind.ITEM_OK
    desk.complete()
    assert ship_payload(ctx, MARKED2)["exemplars"][str(SHOES)][0]["mark"] == code


def test_a_code_of_a_cancelled_posting_is_free_for_the_unit_that_came_back(ctx: AppContext) -> None:
    desk = station(ctx)
    pair = mark(SHOES_EAN, seed=21)
    desk.scan(MARKED2)
    desk.scan(pair)
    assert desk.complete().kind is Kind.COMPLETED  # shipped (or about to be) with this pair's code
    desk.scan(MARKED)
    assert desk.scan(pair).kind is Kind.MARK_REUSED  # that pair is in MARKED2's box
    with ctx.db.write() as s:  # the buyer cancels MARKED2 after the ship: the pair comes back
        (cached,) = posting_repo.get_many(s, [MARKED2])
        posting_repo.save(s, [dataclasses.replace(cached.posting, status=PostingStatus.CANCELLED)], NOW)
    assert desk.scan(pair).kind is Kind.ITEM_OK
    assert codes_in(ctx, MARKED2) == [] and len(codes_in(ctx, MARKED)) == 1


def test_the_ean_after_a_units_code_is_the_same_unit(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(MARKED2)
    assert desk.scan(mark(SHOES_EAN, seed=22)).kind is Kind.ITEM_OK  # the code counted the unit
    same = desk.scan(SHOES_EAN)
    assert same.kind is Kind.SAME_UNIT and same.tone is Tone.INFO  # not an extra unit: no alarm
    assert desk.scan(SHOES_EAN).kind is Kind.EXTRA_UNIT  # a second EAN is one


def test_the_ean_of_the_next_postings_first_unit_is_counted(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(MARKED2)
    desk.scan(mark(SHOES_EAN, seed=24))
    assert desk.complete().kind is Kind.COMPLETED
    desk.scan(MARKED)  # the same product in the next parcel: its EAN is a new unit, not the last one
    assert desk.scan(SHOES_EAN).kind is Kind.ITEM_OK


def test_a_posting_ozon_took_off_the_desk_releases_its_codes(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(MARKED2)
    desk.scan(mark(SHOES_EAN, seed=23))
    with ctx.db.read() as s:
        (cached,) = posting_repo.get_many(s, [MARKED2])
    packed_elsewhere = dataclasses.replace(cached.posting, status=PostingStatus.AWAITING_DELIVER)
    assert desk.recheck(MARKED2, packed_elsewhere).kind is Kind.NOT_PACKABLE  # packed in the cabinet
    assert codes_in(ctx, MARKED2) == []


def test_a_multibox_posting_from_the_command_line_is_one_package_of_its_boxes(ctx: AppContext) -> None:
    two = posting("70000009-0001-1", items=((CABLE, 2),), is_multibox=True)
    with ctx.db.write() as s:
        posting_repo.save(s, [two], NOW)
    entry = shipping.queue_ship(ctx.db, ctx.clock, two.posting_number, [[(CABLE, 1)], [(CABLE, 1)]])  # a box each
    assert entry.payload["packages"] == [[[CABLE, 2]]] and entry.payload["multi_box_qty"] == 2


def test_codes_and_customs_go_with_a_posting_taken_over_and_the_first_desk_changes_none(ctx: AppContext) -> None:
    """Desk 1 scanned a pair with its code and gave the shirt's customs number, then went quiet: Desk 2
    takes it over with both; Desk 1's packer, back, gives a customs number again: told, nothing changed."""
    from datetime import timedelta

    from app.workflows.packing import claims

    first = station(ctx, desk="Desk 1")
    second = PackStation(ctx.db, ctx.clock, user="Ли Вэй", bus=ctx.bus, desk="Desk 2")
    pair1 = mark(SHOES_EAN, seed=1)
    first.scan(MARKED)
    assert first.scan(pair1).kind is Kind.ITEM_OK
    first.scan(SHIRT_EAN)
    assert first.set_customs(SHIRT, GTD).kind is Kind.CUSTOMS_SET
    ctx.clock.moment += claims.STALE_AFTER + timedelta(seconds=1)  # type: ignore[attr-defined]
    assert second.scan(MARKED).kind is Kind.CLAIM_STALE
    taken = second.take_over(MARKED)
    assert taken.kind is Kind.POSTING_OPENED and taken.view is not None
    shoes, shirt = taken.view.line(SHOES), taken.view.line(SHIRT)
    assert shoes is not None and (shoes.scanned, shoes.marked) == (1, 1)
    assert shirt is not None and shirt.scanned == 1 and not taken.view.customs_missing
    lost = first.set_customs(SHIRT, None)  # "no ГТД" from the desk that lost it
    assert lost.kind is Kind.TAKEN_OVER
    assert len(codes_in(ctx, MARKED)) == 1  # the pair's code is still the posting's
    second.scan(mark(SHOES_EAN, seed=2))
    second.scan(mark(SHIRT_EAN, seed=3, short=True))
    assert second.complete().kind is Kind.COMPLETED
    units = ship_payload(ctx, MARKED)["exemplars"]
    assert units[str(SHIRT)][0]["gtd"] == GTD and not units[str(SHIRT)][0]["gtd_absent"]
    assert [u["mark"] for u in units[str(SHOES)]] == [pair1, mark(SHOES_EAN, seed=2)]
