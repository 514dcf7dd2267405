"""Logging: a rotating file in the data folder, and a filter that keeps secrets out of every record.

`redact` is the one function that takes the Api-Key out of a text: the logs, the outbox's stored
errors (`last_error`) and the error dialogs all pass through it.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import re
import sys
import threading
from pathlib import Path

_secrets: set[str] = set()
_lock = threading.Lock()
# An Api-Key written as a header, a JSON field or a query parameter (Api-Key: …, "api_key": "…", apikey=…).
_HEADER = re.compile(r"(?i)(api[-_ ]?key['\"]?\s*[:=]\s*['\"]?)([^'\"\s,;&}]+)")


def register_secret(value: str) -> None:
    """Any later text passed through `redact` (every log line among them) shows *** for this value."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """`text` with every known Api-Key, and any value labelled as one, replaced by ***."""
    if not text:
        return text
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


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that stops taking lines (full disk, read-only folder) says so once on stderr and
    then drops them quietly, instead of a `--- Logging error ---` traceback per line."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):  # a bad log call, not the file: the usual report
            super().handleError(record)
            return
        if self.failed:
            return
        self.failed = True
        reason = exc.strerror or str(exc)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"packdesk: cannot write the log file {self.baseFilename} ({reason}); logging stops\n")

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)


def _file_handler(path: Path) -> logging.Handler | None:
    """The rotating log file, or None (said once on stderr) when the folder cannot take it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _QuietFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"packdesk: cannot write the log file {path} ({exc.strerror or exc}); no log file\n")
        return None


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
        file_handler = _file_handler(log_dir / FILE_NAME)
        if file_handler is not None:
            path = log_dir / FILE_NAME
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


FILE_NAME = "packdesk.log"  # the file `setup` writes in the logs folder
TAIL_BYTES = 256 * 1024  # the last quarter megabyte: a day of normal logging


def tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last `limit` bytes of a log file, starting at a whole line; "" when there is no file."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            data = fh.read()
    except OSError:
        return ""
    if size > limit:
        _, _, data = data.partition(b"\n")
    return data.decode("utf-8", errors="replace")
