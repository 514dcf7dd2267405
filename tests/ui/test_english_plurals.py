"""Issue 9: English counts read "1 box", "3 boxes" (Qt's %n forms from plurals_en.qm), not "3 box(es)"."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

import resources
from ui import i18n, wording

FOLDER = resources.path("translations")
PLURALS_TS = FOLDER / "plurals_en.ts"


def numerus_sources(path: Path) -> set[str]:
    root = ET.parse(path).getroot()  # noqa: S314  (our own files)
    return {m.findtext("source") or "" for m in root.iter("message") if m.get("numerus") == "yes"}


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    previous = QLocale()
    translators = i18n.install_translators(qapp, "en_US")
    yield
    for translator in translators:
        QCoreApplication.removeTranslator(translator)
    QLocale.setDefault(previous)
    wording.forget_translations()


def test_every_plural_message_has_english_forms() -> None:
    assert numerus_sources(FOLDER / "packdesk_ru_RU.ts") <= numerus_sources(PLURALS_TS)
    root = ET.parse(PLURALS_TS).getroot()  # noqa: S314
    for message in root.iter("message"):
        translation = message.find("translation")
        assert translation is not None and translation.get("type") is None, message.findtext("source")
        forms = [f.text or "" for f in translation.iter("numerusform")]
        assert len(forms) == 2 and all(
            ("%n" in f or "%Ln" in f) and "(s)" not in f and "(es)" not in f for f in forms
        ), forms


def test_the_qm_is_compiled_from_the_current_ts(tmp_path: Path) -> None:
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    out = tmp_path / "plurals_en.qm"
    subprocess.run([lrelease, str(PLURALS_TS), "-qm", str(out)], capture_output=True, check=True)
    assert out.read_bytes() == (FOLDER / "plurals_en.qm").read_bytes()


def test_english_counts_say_box_and_boxes(english: None) -> None:
    tr = QCoreApplication.translate
    assert tr("PackingPage", "%n box(es)", "", 1) == "1 box"
    assert tr("PackingPage", "%n box(es)", "", 3) == "3 boxes"
    assert tr("Notifier", "Cancelled by the buyer: %n posting(s)", "", 1) == "Cancelled by the buyer: 1 posting"
    assert tr("PackingPage", "Nothing ready to print: %n label(s) still wait for Ozon", "", 1).endswith(
        "1 label still waits for Ozon"
    )


def test_russian_still_wins(qapp: QApplication) -> None:
    previous = QLocale()
    translators = i18n.install_translators(qapp, "ru_RU")
    try:
        assert QCoreApplication.translate("PackingPage", "%n box(es)", "", 3) == "3 коробки"
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        QLocale.setDefault(previous)
        wording.forget_translations()
