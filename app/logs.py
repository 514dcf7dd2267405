"""Logging: a rotating file in the data folder, and a filter that keeps secrets out of every record."""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

_secrets: set[str] = set()
_lock = threading.Lock()
_HEADER = re.compile(r"(?i)(api-key['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)")


def register_secret(value: str) -> None:
    """Any later log line containing this value shows *** instead."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    text = _HEADER.sub(r"\1***", text)
    with _lock:
        secrets = list(_secrets)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def setup(log_dir: Path | None, level: int = logging.INFO, console_level: int = logging.WARNING) -> Path | None:
    """Configure the root logger once; returns the log file path (None when logging to console only)."""
    root = logging.getLogger()
    root.setLevel(min(level, console_level))
    for handler in list(root.handlers):
        if getattr(handler, "_packdesk", False):
            root.removeHandler(handler)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    console = logging.StreamHandler()
    console.setLevel(console_level)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    path = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "packdesk.log"
        file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        file_handler.setLevel(level)
        file_handler.setFormatter(fmt)
        handlers.append(file_handler)
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        handler._packdesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # urllib3 logs request lines at DEBUG; keep it quiet regardless of our level.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    return path
