"""One sync cycle's outcome (`CycleResult`), the exception that ends a cycle early (`Offline`), and
the time spans every pull and handler shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from app.logs import redact

HISTORY_DAYS = 30  # how far back the first sync reaches
OVERLAP = timedelta(minutes=2)  # re-read a little of the previous window: clocks and commits race
MAX_PAGES = 1000  # a runaway cursor must not loop forever


class Offline(Exception):
    """Raised inside a cycle to stop it: the network or Ozon is unreachable right now."""


@dataclass
class CycleResult:
    postings: int = 0
    new: set[str] = field(default_factory=set)
    cancelled: set[str] = field(default_factory=set)
    chats: int = 0
    messages: int = 0
    returns: int = 0
    reviews: int = 0
    questions: int = 0
    products: int = 0
    sent: int = 0
    conflicts: int = 0
    waiting: int = 0
    online: bool = True
    error: str = ""
    # "auth", "offline", "server" (Ozon's 5xx: try later), "protocol" (an answer Packdesk cannot
    # read) — for the CLI's exit code and wording
    error_kind: str = ""
    more_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error

    def fail(self, error: str, kind: str) -> None:
        """Record a failure; the first one names the cycle's outcome (and the CLI's exit code). Its text
        is shown (status bar, CLI): an Api-Key an error repeats never gets there."""
        error = redact(error)
        if not self.error:
            self.error, self.error_kind = error, kind
        else:
            self.more_errors.append(error)

    def summary(self) -> str:
        pulled = (
            f"{self.postings} postings ({len(self.new)} new, {len(self.cancelled)} cancelled), "
            f"{self.products} products, {self.chats} chats/{self.messages} messages, "
            f"{self.returns} returns, {self.reviews} reviews, {self.questions} questions"
        )
        pushed = f"outbox: {self.sent} sent, {self.conflicts} conflicts, {self.waiting} waiting"
        head = "synced" if self.ok else f"sync failed ({self.error})"
        return f"{head}: {pulled}; {pushed}"
