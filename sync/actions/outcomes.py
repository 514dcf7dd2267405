"""What an action handler raises when the action did not take effect yet, or never will."""

from __future__ import annotations

from app.outbox import Refusal

NOT_READY_S = 20.0


class Conflict(Exception):
    """Ozon (or events) refused the action for good: the seller decides. `refusal` says what kind."""

    def __init__(self, message: str, refusal: Refusal = Refusal.REFUSED) -> None:
        super().__init__(message)
        self.refusal = refusal


class NotReady(Exception):
    """Something Ozon prepares (a label, an act, its check of marking codes), or an earlier action
    this one depends on, is not there yet: look again in `delay` seconds."""

    def __init__(self, message: str, delay: float = NOT_READY_S) -> None:
        super().__init__(message)
        self.delay = delay
