"""Label and act file names: the same for the sync engine and the printer, and never a path escape."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import label_files


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("0208245774-0029-1", "0208245774-0029-1.pdf"),
        ("../../etc/passwd", "______etc_passwd.pdf"),
        ("12/34 56:78", "12_34_56_78.pdf"),
    ],
)
def test_label_path_stays_inside_the_folder(number: str, name: str) -> None:
    path = label_files.label_path(Path("/labels"), number)
    assert path == Path("/labels") / name and path.parent == Path("/labels")


def test_act_path_is_keyed_by_the_print_job() -> None:
    assert label_files.act_path(Path("/l"), "3f0c/2a9e") == Path("/l/act-3f0c_2a9e.pdf")


def _labels(numbers: list[str]) -> bytes:
    """A PDF with one 75×120 page per number, the number printed on it (as Ozon's labels are)."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(212, 340))
    for number in numbers:
        canvas.drawString(20, 170, f"Отправление {number}")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_a_batch_is_split_into_one_pdf_per_posting_found_by_its_number(tmp_path: Path) -> None:
    numbers = ["1111-0001-1", "1111-0001-12", "2222-0002-1"]
    pages = label_files.split_pages(_labels([numbers[2], numbers[0], numbers[1]]))  # not in the order asked
    assert len(pages) == 3 and all(pdf.startswith(b"%PDF") for pdf, _ in pages)
    owners = label_files.assign_pages([text for _, text in pages], numbers)
    assert owners == [numbers[2], numbers[0], numbers[1]]  # "…-1" inside "…-12" does not confuse it
    for (pdf, _), number in zip(pages, owners, strict=True):
        label_files.store(tmp_path, number, pdf)
    assert label_files.has(tmp_path, "1111-0001-12") and not list(tmp_path.glob(".*.part"))
    ((_, text),) = label_files.split_pages(label_files.load(tmp_path, "1111-0001-12"))
    assert "1111-0001-12" in text.replace(" ", "")


def test_pages_without_text_go_by_order_and_contradictions_are_refused() -> None:
    assert label_files.assign_pages(["", ""], ["a-1", "b-1"]) == ["a-1", "b-1"]
    assert label_files.assign_pages(["", "a-1"], ["a-1", "b-1"]) is None  # page 2 says a-1: not by order
    assert label_files.assign_pages(["", ""], ["a-1"]) is None  # more pages than postings


def test_an_unreadable_file_is_a_clear_error() -> None:
    with pytest.raises(label_files.LabelFileUnreadable):
        label_files.split_pages(b"%PDF-1.4 broken")


def test_a_missing_label_says_so() -> None:
    with pytest.raises(label_files.LabelNotCached):
        label_files.load(Path("/nonexistent-folder"), "1-1-1")
