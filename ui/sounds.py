"""Scan feedback sounds: a short beep for a good scan, an alarm for a refused one and for STOP.

PySide6-Essentials has no QtMultimedia (QSoundEffect is in Addons), so the WAVs in
`resources/sounds/` are played by the platform: `winsound` (async) on Windows, `afplay` on macOS,
`paplay`/`pw-play`/`aplay` on Linux, each started without waiting; with none of them,
`QApplication.beep()`. Playing never blocks and never raises: a desk without speakers still packs.

`python -m ui.sounds [FOLDER]` writes the WAVs (generated with the `wave` module, no assets).
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import subprocess
import sys
import wave
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

RATE = 22050
OK, ERROR, STOP = "scan_ok.wav", "scan_error.wav", "stop.wav"
_LINUX_PLAYERS = (("paplay",), ("pw-play",), ("aplay", "-q"))
_MAX_RUNNING = 4


class SoundPlayer(Protocol):
    def good(self) -> None: ...

    def bad(self) -> None: ...

    def stop(self) -> None: ...


def sounds_dir() -> Path | None:
    try:
        folder = Path(str(resources.files("resources") / "sounds"))
    except ModuleNotFoundError:
        return None
    return folder if folder.is_dir() else None


def _command() -> tuple[str, ...] | None:
    if sys.platform == "darwin":
        return ("afplay",) if shutil.which("afplay") else None
    for cmd in _LINUX_PLAYERS:
        if shutil.which(cmd[0]):
            return cmd
    return None


class SystemSounds:
    """Plays the WAVs with whatever the platform offers; see the module docstring."""

    def __init__(self, enabled: bool = True, folder: Path | None = None) -> None:
        self.enabled = enabled
        self.folder = folder or sounds_dir()
        self._command = None if sys.platform == "win32" else _command()
        self._running: list[subprocess.Popen[bytes]] = []

    def good(self) -> None:
        self._play(OK)

    def bad(self) -> None:
        self._play(ERROR)

    def stop(self) -> None:
        self._play(STOP)

    def _play(self, name: str) -> None:
        if not self.enabled:
            return
        path = self.folder / name if self.folder else None
        try:
            if path is None or not path.is_file():
                QApplication.beep()
            elif sys.platform == "win32":
                import winsound

                winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC | winsound.SND_NODEFAULT)
            elif self._command is not None:
                self._spawn([*self._command, str(path)])
            else:
                QApplication.beep()
        except Exception:  # no audio device, a player that vanished...: packing goes on
            log.info("could not play %s", name, exc_info=True)

    def _spawn(self, args: list[str]) -> None:
        self._running = [p for p in self._running if p.poll() is None]  # reap finished players
        if len(self._running) >= _MAX_RUNNING:
            return  # a stuck audio server must not pile up processes
        devnull = subprocess.DEVNULL
        self._running.append(subprocess.Popen(args, stdin=devnull, stdout=devnull, stderr=devnull))


# -- the WAVs ---------------------------------------------------------------------------------------------


def _tone(freq: Callable[[float], float], seconds: float, volume: float = 0.6) -> list[float]:
    """A sine whose frequency follows `freq(t)`, with 5 ms fades so it does not click."""
    n = int(RATE * seconds)
    fade = int(RATE * 0.005)
    phase = 0.0
    samples = []
    for i in range(n):
        phase += 2 * math.pi * freq(i / RATE) / RATE
        edge = min(1.0, i / fade, (n - 1 - i) / fade) if fade else 1.0
        samples.append(volume * edge * math.sin(phase))
    return samples


def _silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def _write(path: Path, samples: Iterable[float]) -> None:
    data = b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(data)


def write_wavs(folder: Path) -> list[Path]:
    """Generate the three sounds into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    beep = _tone(lambda _t: 1760.0, 0.09)
    alarm: list[float] = []
    for _ in range(3):  # low-high-low buzz: unmistakable across a noisy room
        alarm += _tone(lambda _t: 330.0, 0.12, 0.8) + _tone(lambda _t: 220.0, 0.12, 0.8)
    siren: list[float] = []
    for _ in range(2):
        siren += _tone(lambda t: 600.0 + 900.0 * t / 0.5, 0.5, 0.9) + _silence(0.08)
    written = []
    for name, samples in ((OK, beep), (ERROR, alarm), (STOP, siren)):
        _write(folder / name, samples)
        written.append(folder / name)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "resources" / "sounds"
    for written_path in write_wavs(target):
        print(written_path)
