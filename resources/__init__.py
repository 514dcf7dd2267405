"""Bundled files (translations, sounds, templates): `resources.path("translations/x.qm")`.

Read through importlib.resources so an installed wheel and a frozen build (PyInstaller collects
this package's data) find them the same way as a source checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def path(name: str = "") -> Path:
    """The file or folder `name` (slash-separated, relative to this package) on disk."""
    root = resources.files(__name__)
    target = root.joinpath(*[part for part in name.split("/") if part]) if name else root
    return Path(str(target))
