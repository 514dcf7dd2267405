"""The desktop GUI (PySide6). Imports app, sync and printing; nothing imports ui but main.py."""

from ui import refcount_guard

# Before any widget exists: PySide6 6.12.0 on Python 3.11 leaks references to None and True
# and would crash the process after a while (see ui/refcount_guard.py).
refcount_guard.install()
