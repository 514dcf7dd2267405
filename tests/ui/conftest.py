"""Fixtures for GUI tests: offscreen Qt, a fresh database per test, QSettings in tmp."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication

from app.context import AppContext, open_context
from tests.ui.factories import FixedClock

# Qt reads QT_QPA_PLATFORM when the first QApplication is created (tests/conftest.py picks
# "offscreen"). The config gives the offscreen platform one 1920x1080 screen instead of 800x800,
# so the window is not squeezed below its saved or default size.
_OFFSCREEN_CONFIG = os.path.join(os.path.dirname(__file__), "offscreen.json")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + _OFFSCREEN_CONFIG

# Known noise, not a bug of ours: the offscreen platform plugin warns whenever a top-level window
# with a minimum size is shown, or a window is raised. (A candidate for `qt_log_ignore` in pyproject.toml.)
QT_NOISE = (r"This plugin does not support propagateSizeHints\(\)", r"This plugin does not support raise\(\)")
_HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread() -> Iterator[None]:
    """As the app does (ui/main_thread_gc.py): no automatic collection, which could free a widget of
    an earlier test on a worker thread and deadlock with the GUI thread; collect after each test."""
    gc.disable()
    yield
    _delete_windows_left_open()
    gc.collect()
    gc.enable()


def _delete_windows_left_open() -> None:
    """Delete the windows a test left behind while their Python side is whole. The collector alone
    would clear a window's attributes first and then delete it, and the hide and focus-out handlers
    that deletion runs would find their attributes gone (and fail in whichever test came next)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    for widget in app.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(*QT_NOISE))


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
