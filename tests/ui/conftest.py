"""Fixtures for GUI tests: offscreen Qt, a fresh database per test, QSettings in tmp."""

from __future__ import annotations

# Qt must see QT_QPA_PLATFORM before the first QApplication is created.
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.context import AppContext, open_context
from tests.ui.factories import FixedClock


@pytest.fixture(autouse=True)
def _qsettings_in_tmp(tmp_path: Path, qapp: QApplication) -> Iterator[None]:
    """Every GUI test has a QApplication, and QSettings never touches the real user profile."""
    folder = str(tmp_path / "qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"), clock=clock)
    yield context
    context.close()
