"""Ozon's return statuses → the Returns page's stages, and the decision deadline (app.domain.returns)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.returns import ReturnKind, Stage, countdown, deadline, stage

DOCUMENTED = [
    "DisputeOpened",
    "OnSellerApproval",
    "ArrivedAtReturnPlace",
    "OnSellerClarification",
    "OnSellerClarificationAfterPartialCompensation",
    "OfferedPartialCompensation",
    "ReturnMoneyApproved",
    "PartialCompensationReturned",
    "CancelledDisputeNotOpen",
    "Rejected",
    "CrmRejected",
    "Cancelled",
    "Approved",
    "ApprovedByOzon",
    "ReceivedBySeller",
    "MovingToSeller",
    "ReturnCompensated",
    "ReturningToSellerByCourier",
    "Utilizing",
    "Utilized",
    "MoneyReturned",
    "PartialCompensationInProcess",
    "DisputeYouOpened",
    "CompensationRejected",
    "DisputeOpening",
    "CompensationOffered",
    "WaitingCompensation",
    "SendingError",
    "CompensationRejectedBySla",
    "CompensationRejectedBySeller",
    "MovingToOzon",
    "ReturnedToOzon",
    "MoneyReturnedBySystem",
    "WaitingShipment",
]
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_every_documented_status_has_a_stage_and_an_unknown_one_stays_open() -> None:
    stages = {name: stage(ReturnKind.FBS, name) for name in DOCUMENTED}
    assert stages["OnSellerApproval"] is Stage.NEEDS_DECISION
    assert stages["ArrivedAtReturnPlace"] is Stage.ARRIVED
    assert stages["MovingToSeller"] is Stage.ON_THE_WAY
    assert stages["ReceivedBySeller"] is Stage.CLOSED and stages["Utilized"] is Stage.CLOSED
    assert set(stages.values()) == set(Stage)
    assert stage(ReturnKind.FBO, "SomethingNew2027") is Stage.ON_THE_WAY


def test_rfbs_stages_follow_the_group_state() -> None:
    assert stage(ReturnKind.RFBS, "ON_APPROVAL", "New") is Stage.NEEDS_DECISION
    assert stage(ReturnKind.RFBS, "X", "Delivering") is Stage.ON_THE_WAY
    assert stage(ReturnKind.RFBS, "X", "Checkout") is Stage.ARRIVED
    assert stage(ReturnKind.RFBS, "X", "Rejected") is Stage.CLOSED
    assert stage(ReturnKind.RFBS, "ON_APPROVAL") is Stage.NEEDS_DECISION  # group not read yet


def test_ozon_approves_fbs_after_24_hours_and_rfbs_after_3_days() -> None:
    assert deadline(ReturnKind.FBS, "OnSellerApproval", "", None, T0) == T0 + timedelta(hours=24)
    assert deadline(ReturnKind.FBS, "MovingToSeller", "", None, T0) is None
    assert deadline(ReturnKind.RFBS, "ON_APPROVAL", "New", T0, None) == T0 + timedelta(days=3)
    assert deadline(ReturnKind.RFBS, "AWAITING_RETURN", "Delivering", T0, None) is None
    clock = countdown(T0 + timedelta(days=3), T0 + timedelta(days=2))
    assert clock is not None and not clock.overdue
    assert clock.sentence() == "Ozon approves automatically on 2026-12-04 09:00 UTC"
    late = countdown(T0, T0 + timedelta(seconds=1))
    assert late is not None and late.overdue and late.sentence().startswith("overdue")
