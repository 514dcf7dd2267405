"""Translators: Packdesk's own (resources/translations/packdesk_<lang>.qm) and Qt's (qtbase_<lang>).

Missing files are fine: the source strings (English) are shown. All UI strings go through
`self.tr()` or `QCoreApplication.translate()` so `pyside6-lupdate` can collect them.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)


def translations_dir() -> Path | None:
    try:
        folder = resources.files("resources") / "translations"
    except ModuleNotFoundError:
        return None
    path = Path(str(folder))
    return path if path.is_dir() else None


def install_translators(app: QCoreApplication, language: str = "") -> list[QTranslator]:
    """Install translators for `language` ("" = the system's); returns them (keep them alive)."""
    locale = QLocale(language) if language else QLocale.system()
    installed: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ours = translations_dir()
    candidates = [("qtbase", qt_dir)]
    if ours is not None:
        candidates.append(("packdesk", str(ours)))
    for name, folder in candidates:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder) and app.installTranslator(translator):
            installed.append(translator)
            log.info("translation %s loaded for %s", name, locale.name())
        else:
            translator.deleteLater()
    return installed
