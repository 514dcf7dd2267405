"""The buyer-intent classifier scored over a corpus of real-style buyer messages (`intent_corpus.json`)."""

from __future__ import annotations

import json

import pytest

from app.chat.intents import INTENTS
from tests.app.intent_scoring import CORPUS, Example, IntentScore, load_corpus, score

MIN_MESSAGES = 150
MIN_POSITIVES = 10
MIN_PRECISION = 0.85
MIN_RECALL = 0.85
MIN_MICRO_F1 = 0.9

EXAMPLES = load_corpus()
REPORT = score(EXAMPLES)


def test_the_corpus_is_well_formed() -> None:
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    assert isinstance(data["_comment"], str) and data["_comment"]
    assert all(set(m) == {"text", "intents"} for m in data["messages"])
    assert len(EXAMPLES) >= MIN_MESSAGES
    texts = [e.text for e in EXAMPLES]
    assert len(set(texts)) == len(texts), "a message is in the corpus twice"
    for example in EXAMPLES:
        assert example.text.strip(), example
        unknown = set(example.intents) - set(INTENTS)
        assert not unknown, f"{example.text!r}: unknown intents {sorted(unknown)}"
        assert len(set(example.intents)) == len(example.intents), example
    assert any(not e.intents for e in EXAMPLES), "no message without an intent"
    assert any(len(e.intents) > 1 for e in EXAMPLES), "no message with several intents"


@pytest.mark.parametrize("name", INTENTS)
def test_every_intent_has_enough_positives(name: str) -> None:
    positives = sum(name in e.intents for e in EXAMPLES)
    assert positives >= MIN_POSITIVES, f"{name}: {positives} messages expect it"


def _misclassified(name: str, s: IntentScore) -> str:
    lines = [f"{name}: precision {s.precision:.3f}, recall {s.recall:.3f}"]
    lines += [f"  given but not expected: {t!r}" for t in s.false_positives]
    lines += [f"  expected but missed: {t!r}" for t in s.false_negatives]
    return "\n".join(lines)


@pytest.mark.parametrize("name", INTENTS)
def test_every_intent_is_precise_and_found(name: str) -> None:
    s = REPORT.per_intent[name]
    assert s.precision >= MIN_PRECISION and s.recall >= MIN_RECALL, _misclassified(name, s)


def test_micro_f1() -> None:
    wrong = "\n".join(_misclassified(n, s) for n, s in REPORT.per_intent.items() if s.fp or s.fn)
    assert REPORT.micro.f1 >= MIN_MICRO_F1, f"micro F1 {REPORT.micro.f1:.3f}\n{wrong}"


def test_the_scoring_counts_true_and_false_positives_and_misses() -> None:
    examples = [Example("a", ("thanks",)), Example("b", ("cancel",)), Example("c", ())]
    answers = {"a": ["thanks"], "b": ["thanks"], "c": ["cancel"]}
    report = score(examples, lambda text: answers[text])
    thanks, cancel = report.per_intent["thanks"], report.per_intent["cancel"]
    assert (thanks.tp, thanks.fp, thanks.fn) == (1, 1, 0)
    assert (cancel.tp, cancel.fp, cancel.fn) == (0, 1, 1)
    assert thanks.false_positives == ["b"] and cancel.false_negatives == ["b"] and cancel.false_positives == ["c"]
    assert thanks.precision == 0.5 and thanks.recall == 1.0 and cancel.precision == 0.0
    assert (report.micro.tp, report.micro.fp, report.micro.fn) == (1, 2, 1)
    assert report.per_intent["tracking"].precision == 1.0  # nothing given, nothing expected
