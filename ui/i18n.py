"""Translators: Packdesk's own (resources/translations/packdesk_<lang>.qm) and Qt's (qtbase_<lang>),
so Qt's standard dialogs and buttons speak the seller's language too.

Missing files are fine: the source strings (English) are shown. All UI strings go through
`self.tr()` or `QCoreApplication.translate()` so `pyside6-lupdate` can collect them:

    pyside6-lupdate $(find ui -name '*.py') -ts resources/translations/packdesk_zh_CN.ts \\
        resources/translations/packdesk_ru_RU.ts -no-obsolete -locations none
    (translate the new entries, e.g. in Qt Linguist: pyside6-linguist)
    pyside6-lrelease resources/translations/packdesk_zh_CN.ts resources/translations/packdesk_ru_RU.ts

English needs only its plural forms ("1 box", "3 boxes"), in plurals_en.ts (every language falls back
to it; tests/ui/test_english_plurals.py checks it has every `%n` message):

    pyside6-lupdate $(find ui -name '*.py') -ts resources/translations/plurals_en.ts -pluralonly \
        -no-obsolete -locations none -source-language en -target-language en
    (give each new entry its singular and plural), then pyside6-lrelease resources/translations/plurals_en.ts

pyside6-lupdate sees plural forms (`%n`) only in `self.tr(text, "", n)` calls of a QObject, not in
module-level `translate()` calls: there, use a `{n}` field and words that need no plural form. It
also skips a `translate()` call with an attribute among its arguments (`entry.attempts`): pass a name.

The language is chosen in Settings ("" = the system's) and applied at the next start.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

import resources
from ui import wording

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "ru_RU", "en")
PLURALS = "plurals_en"  # resources/translations/plurals_en.qm (pyside6-lupdate -pluralonly)


def translations_dir() -> Path | None:
    path = resources.path("translations")
    return path if path.is_dir() else None


def locale_for(language: str) -> QLocale:
    return QLocale(language) if language else QLocale.system()


def install_translators(app: QCoreApplication, language: str = "") -> list[QTranslator]:
    """Install translators for `language` ("" = the system's); returns them (keep them alive)."""
    locale = locale_for(language)
    QLocale.setDefault(locale)  # numbers and dates in the same language as the words
    installed: list[QTranslator] = []
    ours = translations_dir()
    if ours is not None:
        # English singular and plural of the %n messages ("1 box", "3 boxes"). Installed first, so it is
        # asked last: a translation of the UI's language wins, any other language falls back to it.
        plurals = QTranslator(app)
        if plurals.load(PLURALS, str(ours)) and app.installTranslator(plurals):
            installed.append(plurals)
        else:
            plurals.deleteLater()
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
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
    wording.forget_translations()
    return installed
