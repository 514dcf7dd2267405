"""Score the buyer-intent classifier over the labelled corpus (`tests/app/intent_corpus.json`).

Used by `tests/app/test_intent_corpus.py` (thresholds) and `python -m tests.bench intents` (the table).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.chat.intents import INTENTS, classify

CORPUS = Path(__file__).with_name("intent_corpus.json")


@dataclass(frozen=True)
class Example:
    text: str
    intents: tuple[str, ...]


@dataclass
class IntentScore:
    """One intent's counts, with the messages it got wrong."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    per_intent: dict[str, IntentScore]
    micro: IntentScore

    def table(self) -> str:
        """A plain-text table: one row an intent, then the micro totals."""
        rows = [f"{'intent':<18}{'tp':>5}{'fp':>5}{'fn':>5}{'prec':>8}{'recall':>8}{'f1':>8}"]
        for name, s in [*self.per_intent.items(), ("micro", self.micro)]:
            rows.append(f"{name:<18}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}")
        return "\n".join(rows)


def load_corpus(path: Path = CORPUS) -> list[Example]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Example(m["text"], tuple(m["intents"])) for m in data["messages"]]


def score(examples: Sequence[Example], classifier: Callable[[str], list[str]] = classify) -> Report:
    """Run `classifier` over `examples`: per-intent true/false positives and false negatives,
    precision and recall, and the micro totals over all intents."""
    per_intent = {name: IntentScore() for name in INTENTS}
    for example in examples:
        got = set(classifier(example.text))
        want = set(example.intents)
        for name in INTENTS:
            s = per_intent[name]
            if name in got and name in want:
                s.tp += 1
            elif name in got:
                s.fp += 1
                s.false_positives.append(example.text)
            elif name in want:
                s.fn += 1
                s.false_negatives.append(example.text)
    micro = IntentScore(
        tp=sum(s.tp for s in per_intent.values()),
        fp=sum(s.fp for s in per_intent.values()),
        fn=sum(s.fn for s in per_intent.values()),
    )
    return Report(per_intent, micro)
