"""Who is at the desk: recorded with every scan, print and action.

The packer picked on the Packing page ("Packer: … ▾", app/packers.py) is remembered per desk in
`desk.ini` in the data folder — each desk has its own data folder, while the settings file is the
seller's configuration (and another desk's picks must not travel with a copied settings file). With
no packer picked (or none defined), the computer's login name stands in, as before packers existed."""

from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import QSettings

_KEY = "packing/packer"


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment (some services, containers)
        return ""


def _store(data_dir: Path) -> QSettings:
    return QSettings(str(data_dir / "desk.ini"), QSettings.Format.IniFormat)


def remembered_packer(data_dir: Path) -> str:
    value = _store(data_dir).value(_KEY, "")
    return value if isinstance(value, str) else ""


def remember_packer(data_dir: Path, name: str) -> None:
    """The packer picked at this desk ("" forgets it)."""
    store = _store(data_dir)
    if name:
        store.setValue(_KEY, name)
    else:
        store.remove(_KEY)
    store.sync()


def current_user(data_dir: Path) -> str:
    """Who acts at this desk now: the packer picked, else the login name."""
    return remembered_packer(data_dir) or login_name()
