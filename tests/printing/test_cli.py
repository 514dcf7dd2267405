"""The printing commands: `labels`, `picklist`, `print-test` (one-line errors, non-zero exits)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest

import main
from app import label_files
from app.context import open_context
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from printing import geometry
from printing.documents import test_label
from sync.emulator import Emulator, EmulatorServer
from tests.app.factories import NOW
from tests.emulator.conftest import API_KEY, BASE, CLIENT_ID, session_for, ship_body
from tests.printing.conftest import LONG_NUMBER, decoded, images, plain_skus, sample_postings, sample_products
from tests.printing.printers import CapturePrinter, refused_address

RFBS = "12345678-0001-1"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data_dir(tmp_path: Path) -> str:
    where = str(tmp_path / "data")
    ctx = open_context(where)
    with ctx.db.write() as s:
        posting_repo.save(s, sample_postings(), NOW)
        product_repo.save(s, list(sample_products().values()), NOW)
    ctx.close()
    return where


@pytest.mark.parametrize(
    ("fmt", "size", "dpi"),
    [("pdf", "75x120", 203), ("zpl", "58x40", 300), ("tspl", "100x150", 203), ("zpl", "75x120", 300)],
)
def test_labels_writes_one_label_per_posting(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, size: str, dpi: int
) -> None:
    out = tmp_path / f"labels.{fmt}"
    code, stdout, err = run_cli(
        capsys,
        "--data-dir",
        data_dir,
        "labels",
        LONG_NUMBER,
        RFBS,
        "--out",
        str(out),
        "--format",
        fmt,
        "--size",
        size,
        "--dpi",
        str(dpi),
    )
    assert code == 0, err
    assert str(out) in stdout and "2 posting(s)" in stdout
    width, height = geometry.stock(size).dots(dpi)
    printed = images(out.read_bytes(), fmt, width, height, dpi)
    assert len(printed) == 2
    assert LONG_NUMBER in decoded(printed[0]) and RFBS in decoded(printed[1])


def test_labels_slip_has_the_item_barcodes(data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "slip.tspl"
    code, _, err = run_cli(
        capsys, "--data-dir", data_dir, "labels", RFBS, "--out", str(out), "--kind", "slip", "--format", "tspl"
    )
    assert code == 0, err
    found = {c for image in images(out.read_bytes(), "tspl", 599, 959, 203) for c in decoded(image)}
    assert found == {RFBS, "4601234567893", "2000000000015"}


def test_an_unknown_posting_is_a_one_line_error(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    code, _, err = run_cli(capsys, "--data-dir", data_dir, "labels", LONG_NUMBER, "00000000-0000-1", "--out", str(out))
    assert code == 1 and not out.exists()
    assert err == "packdesk: posting 00000000-0000-1 is not in the local cache\n"
    code, _, err = run_cli(capsys, "--data-dir", data_dir, "labels", LONG_NUMBER, "--out", str(out), "--size", "80x80")
    assert code == 1 and err.count("\n") == 1 and "unknown label size" in err


def test_picklist_is_an_a4_pdf(data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pick.pdf"
    code, stdout, err = run_cli(capsys, "--data-dir", data_dir, "picklist", LONG_NUMBER, RFBS, "--out", str(out))
    assert code == 0, err
    assert "pick list of 2 posting(s)" in stdout
    doc = pdfium.PdfDocument(out.read_bytes())
    assert [round(v / 72 * 25.4) for v in doc[0].get_size()] == [210, 297]
    found = {c for image in images(out.read_bytes(), "pdf", 0, 0, 300) for c in decoded(image)}
    assert found == {"4601234567893", "OZN1234567890", "2000000000015"}


@pytest.mark.parametrize("fmt", ["zpl", "tspl"])
def test_print_test_sends_a_test_label(data_dir: str, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    printer = CapturePrinter()
    try:
        code, stdout, err = run_cli(
            capsys, "--data-dir", data_dir, "print-test", "--printer", printer.address, "--format", fmt
        )
        assert code == 0, err
        (job,) = printer.wait_for_jobs(1)
    finally:
        printer.close()
    assert "test label sent to 127.0.0.1:" in stdout
    (image,) = images(job, fmt, 599, 959, 203)
    assert decoded(image) == sorted([test_label.TEST_CODE, test_label.TEST_EAN])


def test_print_test_to_a_printer_that_is_off(data_dir: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "--data-dir", data_dir, "print-test", "--printer", refused_address())
    assert code == 1 and err.count("\n") == 1 and "refused the connection" in err


# -- Ozon's label over HTTP -------------------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    # The emulator's clock starts now: the CLI's sync window is the computer's time. It runs 20 times
    # faster than real time, so a label task (5 s for Ozon) is done before the CLI's first look.
    emu = Emulator(seed=7, postings=30, client_id=CLIENT_ID, api_key=API_KEY, speed=20.0, live=False)
    server = EmulatorServer(emu, host="127.0.0.1", port=0)
    server.start()
    yield emu, server.url
    server.stop()


def test_labels_ozon_fetches_caches_and_then_prints_offline(
    served: tuple[Emulator, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, url = served
    monkeypatch.setenv("OZON_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("OZON_API_KEY", API_KEY)
    data = str(tmp_path / "d")
    ready = emu.create_postings(2, products=plain_skus(emu)[:2])
    code, _, err = run_cli(capsys, "--data-dir", data, "--api-url", url, "sync", "--once")
    assert code == 0, err
    session = session_for(emu)
    for number in ready:
        assert session.post(BASE + "/v4/posting/fbs/ship", json=ship_body(emu, number)).status_code == 200
    emu.advance(60)
    out = tmp_path / "ozon.zpl"
    code, _, err = run_cli(
        capsys,
        "--data-dir",
        data,
        "--api-url",
        url,
        "labels",
        *ready,
        "--kind",
        "ozon",
        "--format",
        "zpl",
        "--out",
        str(out),
    )
    assert code == 0, err
    printed = images(out.read_bytes(), "zpl", 599, 959, 203)
    for image, number in zip(printed, ready, strict=True):
        state = emu.posting(number)
        codes = {number, state["scanit"], state["barcodes"]["lower_barcode"]} - {"0"}  # "0": no such barcode
        assert decoded(image) == sorted(codes)
    labels_dir = Path(data) / "labels"
    assert all(label_files.has(labels_dir, n) for n in ready)
    # Offline now: the cache is enough, and a PDF is Ozon's own, page for page.
    pdf_out = tmp_path / "ozon.pdf"
    code, _, err = run_cli(
        capsys,
        "--data-dir",
        data,
        "--api-url",
        refused_address().replace("tcp", "http"),
        "labels",
        *ready,
        "--kind",
        "ozon",
        "--format",
        "pdf",
        "--out",
        str(pdf_out),
    )
    assert code == 0, err
    assert len(pdfium.PdfDocument(pdf_out.read_bytes())) == 2
    # Shipped just now: Ozon has not made the label yet.
    (early,) = emu.create_postings(1, products=plain_skus(emu)[:1])
    run_cli(capsys, "--data-dir", data, "--api-url", url, "sync", "--once")
    assert session.post(BASE + "/v4/posting/fbs/ship", json=ship_body(emu, early)).status_code == 200
    code, _, err = run_cli(
        capsys,
        "--data-dir",
        data,
        "--api-url",
        url,
        "labels",
        early,
        "--kind",
        "ozon",
        "--out",
        str(tmp_path / "early.pdf"),
    )
    assert code == 1 and err.count("\n") == 1 and "aren't ready" in err and early in err, err
    assert not (tmp_path / "early.pdf").exists() and not label_files.has(labels_dir, early)


@pytest.mark.parametrize(("fmt", "size"), [("pdf", "A4"), ("zpl", "75x120"), ("tspl", "58x40")])
def test_command_sheet_carries_every_scanner_command(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, size: str
) -> None:
    from printing import commands

    out = tmp_path / f"commands.{fmt}"
    code, stdout, err = run_cli(
        capsys,
        "--data-dir",
        data_dir,
        "command-sheet",
        "--format",
        fmt,
        "--size",
        size,
        "--dpi",
        "203",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert "command sheet" in stdout
    stock = geometry.stock(size)
    width, height = stock.dots(203)
    found = {text for image in images(out.read_bytes(), fmt, width, height, 203) for text in decoded(image)}
    assert found == set(commands.ALL)


def test_labels_are_refused_for_a_cancelled_posting(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import dataclasses

    from app.domain.postings import PostingStatus

    ctx = open_context(data_dir)
    with ctx.db.write() as s:
        (cached,) = posting_repo.get_many(s, [RFBS])
        posting_repo.save(s, [dataclasses.replace(cached.posting, status=PostingStatus.CANCELLED)], NOW)
    ctx.close()
    for kind in ("label", "ozon"):
        out = tmp_path / f"{kind}.pdf"
        code, _, err = run_cli(capsys, "--data-dir", data_dir, "labels", RFBS, "--kind", kind, "--out", str(out))
        assert code == 1 and err.count("\n") == 1 and "cancelled" in err and not out.exists()
