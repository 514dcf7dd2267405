"""Where Packdesk keeps its files: platformdirs, overridable by --data-dir or PACKDESK_DATA_DIR."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Packdesk"


@dataclass(frozen=True)
class Paths:
    data: Path

    @property
    def database(self) -> Path:
        return self.data / "packdesk.sqlite3"

    @property
    def settings(self) -> Path:
        return self.data / "settings.json"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def labels(self) -> Path:
        return self.data / "labels"

    @property
    def chat_images(self) -> Path:
        """Pictures from buyer chats, checked and named by the sha256 of their address
        (`sync.chat_images.ChatImages`); created on the first download."""
        return self.data / "chat_images"

    def ensure(self) -> Paths:
        for folder in (self.data, self.logs, self.labels):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    chosen = data_dir or os.environ.get("PACKDESK_DATA_DIR")
    if chosen:
        return Paths(Path(chosen).expanduser().resolve())
    return Paths(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))
