"""A folder as a printer keeps every job as its own file (used by demo mode)."""

from __future__ import annotations

from pathlib import Path

from printing import sinks


def test_each_job_sent_to_a_folder_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "printed"
    folder.mkdir()
    sink = sinks.open_sink(str(folder))
    sink.send(b"%PDF-1.4 first", title="Packdesk own_label 1-1-1", raw=False)
    sink.send(b"^XA^XZ", title="Packdesk own_label 2-2-2", raw=True)
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 2
    assert {Path(f).suffix for f in files} == {".pdf", ".prn"}
    assert any("1-1-1" in f for f in files) and any("2-2-2" in f for f in files)
    assert sorted((folder / f).read_bytes() for f in files) == [b"%PDF-1.4 first", b"^XA^XZ"]


def test_a_file_path_is_overwritten_atomically(tmp_path: Path) -> None:
    target = tmp_path / "label.zpl"
    sinks.open_sink(str(target)).send(b"one")
    sinks.open_sink(str(target)).send(b"two")
    assert target.read_bytes() == b"two" and [p.name for p in tmp_path.iterdir()] == ["label.zpl"]
