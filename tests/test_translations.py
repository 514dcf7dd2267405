"""Translations: complete, placeholders kept, .qm files compiled from the current .ts, and used at run time."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import resources

FOLDER = resources.path("translations")
TS_FILES = sorted(FOLDER.glob("packdesk_*.ts"))
LANGUAGES = {"packdesk_zh_CN.ts": 1, "packdesk_ru_RU.ts": 3}  # plural forms per language
# Qt's %1…%99, %L1, %n, %Ln, and Python's {name} fields.
PLACEHOLDER = re.compile(r"%L?\d{1,2}|%L?n|\{[A-Za-z_][A-Za-z0-9_]*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def messages(path: Path) -> list[tuple[str, ET.Element]]:
    root = ET.parse(path).getroot()  # noqa: S314  (our own files)
    return [(ctx.findtext("name") or "", message) for ctx in root.iter("context") for message in ctx.iter("message")]


def lrelease() -> str | None:
    found = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    return found if Path(found).exists() else None


def test_the_languages_are_there() -> None:
    assert [p.name for p in TS_FILES] == sorted(LANGUAGES)
    for path in TS_FILES:
        assert len(messages(path)) > 300, path.name


@pytest.mark.parametrize("path", TS_FILES, ids=lambda p: p.name)
def test_no_unfinished_or_empty_entries(path: Path) -> None:
    bad = []
    for context, message in messages(path):
        translation = message.find("translation")
        assert translation is not None
        source = message.findtext("source") or ""
        if translation.get("type") in ("unfinished", "vanished", "obsolete"):
            bad.append((context, source, translation.get("type")))
            continue
        forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
        if any(not form.strip() for form in forms):
            bad.append((context, source, "empty"))
    assert bad == []


@pytest.mark.parametrize("path", TS_FILES, ids=lambda p: p.name)
def test_every_translation_keeps_its_placeholders(path: Path) -> None:
    wanted_forms = LANGUAGES[path.name]
    bad = []
    for context, message in messages(path):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        if message.get("numerus") == "yes":
            forms = [f.text or "" for f in translation.iter("numerusform")]
            if len(forms) != wanted_forms:
                bad.append((context, source, f"{len(forms)} plural forms"))
        else:
            forms = [translation.text or ""]
        for form in forms:
            if placeholders(form) != placeholders(source):
                bad.append((context, source, form))
    assert bad == []


@pytest.mark.parametrize("path", TS_FILES, ids=lambda p: p.name)
def test_qm_is_compiled_from_the_current_ts(path: Path, tmp_path: Path) -> None:
    compiled = path.with_suffix(".qm")
    assert compiled.is_file(), f"{compiled.name} is missing: run pyside6-lrelease"
    tool = lrelease()
    if tool is None:
        pytest.skip("pyside6-lrelease is not installed")
    fresh = tmp_path / compiled.name
    subprocess.run([tool, str(path), "-qm", str(fresh)], check=True, capture_output=True)
    assert fresh.read_bytes() == compiled.read_bytes(), f"{compiled.name} is stale: run pyside6-lrelease"


@pytest.mark.parametrize(
    ("language", "tab", "status", "qt_button"),
    [
        ("zh_CN", "待打包", "等待打包", "关闭"),
        ("ru_RU", "Собрать", "Ожидает сборки", "Закрыть"),
        ("en", "To pack", "Awaiting packaging", "Close"),
    ],
)
def test_translators_at_run_time(language: str, tab: str, status: str, qt_button: str) -> None:
    """Ours and Qt's own (a standard button) in each language; English is the source text."""
    script = f"""
import sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from ui import i18n, wording
app = QApplication([])
installed = i18n.install_translators(app, {language!r})
box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
print(QCoreApplication.translate("OrdersPage", "To pack"))
print(wording.posting_status("awaiting_packaging"))
print(box.button(QDialogButtonBox.StandardButton.Close).text().replace("&", ""))
print(QCoreApplication.translate("SyncStatusBar", "Pending actions: %n", "", 5))
"""
    root = Path(__file__).resolve().parents[1]
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == [tab, status, qt_button]
    assert lines[3] == {"zh_CN": "待发送操作：5", "ru_RU": "Ждут отправки: 5", "en": "Pending actions: 5"}[language]


def test_translations_ship_with_the_package() -> None:
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"*.qm"' in pyproject and '"*.ts"' in pyproject
    assert (FOLDER / "__init__.py").is_file()  # a package of its own: the "*.qm" glob applies to it


@pytest.mark.parametrize("path", TS_FILES, ids=lambda p: p.name)
def test_every_ui_string_is_in_the_translation_files(path: Path, tmp_path: Path) -> None:
    """A string added to ui/ without a translation pass shows as "new" to lupdate."""
    lupdate = shutil.which("pyside6-lupdate") or str(Path(sys.executable).with_name("pyside6-lupdate"))
    assert Path(lupdate).exists(), "pyside6-lupdate comes with PySide6"
    root = Path(__file__).resolve().parents[1]
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    sources = sorted(str(p) for p in (root / "ui").rglob("*.py"))
    result = subprocess.run([lupdate, *sources, "-ts", str(copy)], capture_output=True, text=True, check=True)
    found = re.search(r"\((\d+) new and (\d+) already existing\)", result.stdout + result.stderr)
    assert found is not None, result.stdout + result.stderr
    assert found.group(1) == "0", f"{found.group(1)} UI strings are not in {path.name}: run lupdate and translate"
