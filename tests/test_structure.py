"""The shape of the tree stays easy to see: small modules, an engine that only coordinates, and code
comments that point at documents inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 500
MAX_ENGINE_LINES = 250  # sync/engine.py coordinates; the work is in sync/pull, sync/push, sync/actions


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_core_module_is_over_500_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): n
        for package in ("app", "sync", "printing")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and (n := _lines(path)) > MAX_LINES
    }
    assert too_long == {}


def test_the_sync_engine_is_a_coordinator() -> None:
    assert _lines(ROOT / "sync" / "engine.py") <= MAX_ENGINE_LINES


def test_documents_the_code_points_at_are_in_the_repository() -> None:
    sources = [p for d in ("app", "sync", "printing", "ui", "tests") for p in (ROOT / d).rglob("*.py")]
    sources += [ROOT / "main.py", *(ROOT / "sync").rglob("*.md")]
    pointed: dict[str, str] = {}
    for path in sources:
        for doc in re.findall(
            r"[\w/.-]*\b(?:ozon-api|ozon-contract|reliability|architecture)\.md", path.read_text("utf-8")
        ):
            pointed[doc] = str(path.relative_to(ROOT))
    assert pointed, "no code comment points at docs/ (the pattern above is out of date)"
    assert {doc: where for doc, where in pointed.items() if not (ROOT / doc).is_file()} == {}
