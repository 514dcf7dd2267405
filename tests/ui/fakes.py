"""Stand-ins the UI tests share: a sync control, scan sounds and a print control that record calls."""

from __future__ import annotations


class FakeSync:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.retried_paused = 0  # Sync now from the seller: the plan pauses end

    def start(self) -> None:
        self.calls.append("start")

    def stop(self) -> None:
        self.calls.append("stop")

    def sync_now(self, retry_paused: bool = False) -> None:
        self.calls.append("sync_now")
        self.retried_paused += retry_paused


class FakeSounds:
    def __init__(self) -> None:
        self.played: list[str] = []

    def good(self) -> None:
        self.played.append("good")

    def bad(self) -> None:
        self.played.append("bad")

    def stop(self) -> None:
        self.played.append("stop")


class FakePrinter:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def kick(self) -> None:
        self.calls.append("kick")

    def print_all(self) -> None:
        self.calls.append("print_all")
