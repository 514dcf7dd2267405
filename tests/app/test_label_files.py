"""Label and act file names: the same for the sync engine and the printer, and never a path escape."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import label_files


@pytest.mark.parametrize(
    ("number", "name"),
    [("0208245774-0029-1", "0208245774-0029-1.pdf"), ("../../etc/passwd", "______etc_passwd.pdf"),
     ("12/34 56:78", "12_34_56_78.pdf")],
)
def test_label_path_stays_inside_the_folder(number: str, name: str) -> None:
    path = label_files.label_path(Path("/labels"), number)
    assert path == Path("/labels") / name and path.parent == Path("/labels")


def test_act_path_is_keyed_by_the_print_job() -> None:
    assert label_files.act_path(Path("/l"), "3f0c/2a9e") == Path("/l/act-3f0c_2a9e.pdf")
