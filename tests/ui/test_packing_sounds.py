"""Scan sounds: the WAVs are generated (and committed as generated), playing never blocks or raises."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from ui import sounds
from ui.sounds import SystemSounds


def test_the_committed_wavs_are_the_generated_ones(tmp_path: Path) -> None:
    written = sounds.write_wavs(tmp_path)
    shipped = sounds.sounds_dir()
    assert shipped is not None
    for path in written:
        with wave.open(str(path)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, sounds.RATE)
            seconds = w.getnframes() / w.getframerate()
        assert 0.05 <= seconds <= 1.5  # short: feedback, not music
        hint = f"regenerate with python -m ui.sounds: {path.name}"
        assert (shipped / path.name).read_bytes() == path.read_bytes(), hint


def test_playing_without_any_player_or_file_does_not_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    beeps: list[int] = []
    monkeypatch.setattr(sounds.QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    player = SystemSounds(folder=tmp_path / "missing")
    player._command = None
    player.good()
    player.bad()
    player.stop()
    assert len(beeps) == 3
    SystemSounds(enabled=False).bad()
    assert len(beeps) == 3


def test_a_player_process_is_started_and_reaped(tmp_path: Path) -> None:
    true = shutil.which("true")
    if true is None:
        pytest.skip("no `true` command here")
    sounds.write_wavs(tmp_path)
    player = SystemSounds(folder=tmp_path)
    player._command = (true,)
    for _ in range(10):
        player.good()  # never more than a few at a time, none left as zombies for long
    assert len(player._running) <= 4
    for process in player._running:
        process.wait(5)


def test_a_broken_player_is_swallowed(tmp_path: Path) -> None:
    sounds.write_wavs(tmp_path)
    player = SystemSounds(folder=tmp_path)
    player._command = (str(tmp_path / "no-such-player"),)
    player.bad()  # FileNotFoundError from Popen: logged, not raised
