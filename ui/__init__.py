"""The desktop GUI (PySide6). Imports app, sync and printing; nothing imports ui but main.py."""
