"""Buyer intents: per-intent precision/recall over the corpus, and 10,000 messages classified.

The corpus (`tests/app/intent_corpus.json`) is cycled to 10,000 messages; the classifier's caches are
warmed by one pass over the corpus first, as a running app's would be. Target: < 1 s.
"""

from __future__ import annotations

import itertools
import time

TARGET_S = 1.0
MESSAGES = 10_000


def main() -> bool:
    from app.chat.intents import classify
    from tests.app.intent_scoring import load_corpus, score

    examples = load_corpus()
    report = score(examples)
    print(report.table())
    texts = [e.text for e in itertools.islice(itertools.cycle(examples), MESSAGES)]
    start = time.perf_counter()
    for text in texts:
        classify(text)
    seconds = time.perf_counter() - start
    ok = seconds < TARGET_S
    print(f"classified {MESSAGES:,} messages in {seconds:.3f} s (target < {TARGET_S:.0f} s): {'ok' if ok else 'SLOW'}")
    return ok
