"""What a buyer's message asks for: intents from a rule set of Russian word stems.

The rules live in `resources/intents/ru.json`: for each intent a list of phrases, each one or more
word stems (lower case, `е` for `ё`). A message is normalised first — casefolded, `ё` → `е`, every
character that is not a letter or digit turned into a space, and a run of one repeated letter
collapsed to one (`гдеее` → `где`; the stems are normalised the same way, so `касса` still matches).

A stem matches a word that starts with it (`отмен` matches `отмените`); a stem of one or two letters
(`не`, `то`) matches only the whole word. A stem of seven letters or more also matches with one common
typo after its first letter and before its last two: one letter substituted, missing, extra, or two
neighbours swapped (`благадарю`, `возрат`, `оригенал`); shorter stems would catch other words that
way (`размер` — «разберитесь», `состав` — «доставка»), and the end of a stem is where another form of
the word differs (`отправляйте` is not a typo of `отправляете`).
A phrase matches when its stems match words in order, with at most two other words between two of
them (`где заказ` matches «где же мой заказ»). Common misspellings of shorter stems are listed in
the rules themselves (`атмен`).

A phrase written with a leading `!` is an exception: wherever its stems match words next to each
other, those words are hidden from that intent's other phrases («не хочу отменять» is not `cancel`,
«трек не работает» is not `damaged`), while the rest of the message still counts.

`classify` returns the intents in the fixed order of `INTENTS`; the rule set is read once. A missing
or malformed rule file raises `UserError` with the code `intents_broken`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from app.errors import UserError

INTENTS = (
    "where_is_order",
    "when_ship",
    "tracking",
    "delivery_time",
    "cancel",
    "return",
    "exchange",
    "damaged",
    "wrong_item",
    "missing_item",
    "size_color",
    "product_question",
    "thanks",
    "complaint",
)

WHOLE_WORD_MAX = 2  # stems this short match whole words only
TYPO_MIN = 7  # stems this long tolerate one typo (after their first letter)
GAP = 2  # words allowed between two stems of a phrase
SEEN_MAX = 100_000  # words remembered with the stems they match

_NOT_WORD = re.compile(r"[\W_]+")
_REPEATS = re.compile(r"(\w)\1+")

EXCEPT = "!"  # leads an exception phrase (normalised stems never hold it)

Phrase = tuple[str, ...]


def normalise(text: str) -> list[str]:
    """The words of `text` as the rules see them (casefolded, ё→е, no punctuation, no repeated letters)."""
    text = text.casefold().replace("ё", "е")
    text = _NOT_WORD.sub(" ", text)
    text = _REPEATS.sub(r"\1", text)
    return text.split()


def _one_typo(stem: str, word: str) -> bool:
    """`word` starts with `stem` written with one letter after the first substituted, missing, extra or
    swapped with its neighbour."""
    n = len(stem)
    last = n - 2  # a typo sits at positions 1 .. n-3: the last two letters are the word's form
    if not word or word[0] != stem[0]:
        return False
    head = word[:n]
    if len(head) == n:
        diff = [i for i in range(n) if head[i] != stem[i]]
        if len(diff) == 1 and diff[0] < last:  # substituted
            return True
        if (
            len(diff) == 2
            and diff[1] == diff[0] + 1 < last
            and head[diff[0]] == stem[diff[1]]
            and head[diff[1]] == stem[diff[0]]
        ):
            return True  # two neighbours swapped
    short = word[: n - 1]  # a letter of the stem missing from the word
    if len(short) == n - 1 and any(stem[:i] + stem[i + 1 :] == short for i in range(1, last)):
        return True
    long = word[: n + 1]  # an extra letter in the word
    return len(long) == n + 1 and any(long[:i] + long[i + 1 :] == stem for i in range(1, last + 1))


def _matches(stem: str, word: str) -> bool:
    if len(stem) <= WHOLE_WORD_MAX:
        return word == stem
    if word.startswith(stem):
        return True
    return len(stem) >= TYPO_MIN and _one_typo(stem, word)


Starts = dict[str, list[tuple[str, Phrase]]]  # a phrase's first stem → (intent, the stems after it)


class _Compiled:
    """A rule set indexed for speed: the stems by first letter (a typo never touches it), the phrases by
    first stem, and each word seen with the stems it matches."""

    def __init__(self, rule_set: Mapping[str, list[Phrase]]) -> None:
        self.by_letter: dict[str, list[str]] = {}
        self.starts: Starts = {}
        self.exceptions: Starts = {}
        for name, phrases in rule_set.items():
            for phrase in phrases:
                starts, stems = (self.exceptions, phrase[1:]) if phrase[0] == EXCEPT else (self.starts, phrase)
                starts.setdefault(stems[0], []).append((name, stems[1:]))
                for stem in stems:
                    if stem not in self.by_letter.setdefault(stem[0], []):
                        self.by_letter[stem[0]].append(stem)
        self.seen: dict[str, frozenset[str]] = {}

    def stems(self, word: str) -> frozenset[str]:
        """The stems `word` matches."""
        found = self.seen.get(word)
        if found is None:
            if len(self.seen) > SEEN_MAX:
                self.seen.clear()
            found = self.seen[word] = frozenset(s for s in self.by_letter.get(word[0], ()) if _matches(s, word))
        return found


def _rest(stems: Phrase, words: list[frozenset[str]], start: int, hidden: set[int], gap: int) -> bool:
    """`stems` match words from `start` on, each within `gap` words of the one before, none hidden."""
    if not stems:
        return True
    for i in range(start, min(len(words), start + gap + 1)):
        if stems[0] in words[i] and i not in hidden and _rest(stems[1:], words, i + 1, hidden, gap):
            return True
    return False


_COMPILED: dict[int, tuple[Mapping[str, list[Phrase]], _Compiled]] = {}


def _compiled(rule_set: Mapping[str, list[Phrase]]) -> _Compiled:
    kept = _COMPILED.get(id(rule_set))
    if kept is None or kept[0] is not rule_set:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        kept = _COMPILED[id(rule_set)] = (rule_set, _Compiled(rule_set))
    return kept[1]


def _broken(source: object, why: str) -> UserError:
    return UserError("intents_broken", f"the buyer-intent rules {source} are broken: {why}", path=str(source), why=why)


def load_rules(source: Traversable | Path) -> dict[str, list[Phrase]]:
    """The rule set in `source`: each intent's phrases as tuples of normalised stems."""
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _broken(source, "the file is missing") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _broken(source, f"cannot read it ({exc})") from exc
    intents = data.get("intents") if isinstance(data, dict) else None
    if not isinstance(intents, Mapping):
        raise _broken(source, 'no "intents" object')
    unknown = sorted(set(intents) - set(INTENTS))
    missing = [name for name in INTENTS if name not in intents]
    if unknown or missing:
        raise _broken(source, f"unknown intents {unknown}, missing intents {missing}")
    rules: dict[str, list[Phrase]] = {}
    for name in INTENTS:
        phrases = intents[name]
        if not isinstance(phrases, list) or not phrases:
            raise _broken(source, f"{name}: expected a non-empty list of phrases")
        rules[name] = []
        for phrase in phrases:
            exception = isinstance(phrase, str) and phrase.startswith(EXCEPT)
            stems = tuple(normalise(phrase)) if isinstance(phrase, str) else ()
            if not stems:
                raise _broken(source, f"{name}: {phrase!r} is not a phrase of words")
            rules[name].append((EXCEPT, *stems) if exception else stems)
    return rules


def rules_file(language: str = "ru") -> Traversable:
    return resources.files("resources").joinpath("intents", f"{language}.json")


@functools.cache
def rules() -> dict[str, list[Phrase]]:
    """The bundled Russian rule set, read once."""
    return load_rules(rules_file())


def classify(text: str, rule_set: Mapping[str, list[Phrase]] | None = None) -> list[str]:
    """The intents of a buyer's message, in the order of `INTENTS` (empty when none fits); `rule_set`
    defaults to the bundled one (`rules()`)."""
    words = normalise(text)
    if not words:
        return []
    compiled = _compiled(rules() if rule_set is None else rule_set)
    matched = [compiled.stems(word) for word in words]
    hidden: dict[str, set[int]] = {}  # each intent's words its exception phrases matched
    for i, stems in enumerate(matched):
        for stem in stems:
            for name, rest in compiled.exceptions.get(stem, ()):
                if _rest(rest, matched, i + 1, set(), 0):
                    hidden.setdefault(name, set()).update(range(i, i + len(rest) + 1))
    found: set[str] = set()
    for i, stems in enumerate(matched):
        for stem in stems:
            for name, rest in compiled.starts.get(stem, ()):
                if name in found:
                    continue
                shown = hidden.get(name, set())
                if i not in shown and _rest(rest, matched, i + 1, shown, GAP):
                    found.add(name)
    return [name for name in INTENTS if name in found]
