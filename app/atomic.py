"""Files written whole or not at all: a temporary file beside the target, flushed to disk, renamed
over it. A crash or a full disk mid-write leaves the old file (or none), never half of a new one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
