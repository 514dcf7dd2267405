"""Run the benchmarks: `python -m tests.bench [name ...]` (not part of the default test run)."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from tests.bench import (
    analytics_bench,
    archive_bench,
    chat_bench,
    desks_bench,
    feedback_bench,
    intent_bench,
    label_bench,
    lossy_bench,
    print_bench,
    returns_bench,
    scan_bench,
    sync_bench,
    ui_bench,
)

BENCHES = {
    "sync": sync_bench.main,
    "labels": label_bench.main,
    "lossy": lossy_bench.main,
    "print": print_bench.main,
    "scan": scan_bench.main,
    "ui": ui_bench.main,
    "intents": intent_bench.main,
    "chats": chat_bench.main,
    "feedback": feedback_bench.main,
    "returns": returns_bench.main,
    "archive": archive_bench.main,
    "analytics": analytics_bench.main,
}
# Benchmarks that need something given: `python -m tests.bench desks [URL]` (a PostgreSQL database; in
# the default run only with PACKDESK_TEST_PG set).
GIVEN = {"desks": desks_bench.main}


def main(argv: list[str]) -> int:
    given = [a for a in argv if "://" in a]  # e.g. the desks bench's database URL
    names = [a for a in argv if a not in given] or [
        *BENCHES,
        *(GIVEN if os.environ.get("PACKDESK_TEST_PG") else ()),
    ]
    failed = 0
    for name in names:
        print(f"== {name}", flush=True)
        failed += 0 if (GIVEN[name](given) if name in GIVEN else BENCHES[name]()) else 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
