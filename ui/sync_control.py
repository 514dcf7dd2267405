"""What the window needs from the sync scheduler (implemented by sync.scheduler.SyncScheduler)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol


class SyncControl(Protocol):
    """Start, stop and nudge background sync. It reports progress only through events on ctx.bus.

    `start()` and `sync_now()` are called on the GUI thread and must return at once (they only
    start or wake the sync worker). `stop()` is called once, after the window has closed; it may
    wait for the worker to finish its current step. `retry_paused` is the seller's own Sync now: the
    areas paused because the Ozon plan left them out (chats, reviews) are asked for again at once.
    """

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def sync_now(self, retry_paused: bool = False) -> None: ...


if TYPE_CHECKING:
    from sync.scheduler import SyncScheduler

    def _scheduler_is_a_sync_control(scheduler: SyncScheduler) -> SyncControl:
        return scheduler  # mypy checks the real scheduler against the protocol
