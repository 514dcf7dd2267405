"""Printer outputs: raw TCP byte for byte, clear messages for refused/hanging printers, CUPS `lp`, files."""

from __future__ import annotations

import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from printing import geometry, render, sinks
from tests.app.factories import posting
from tests.printing.printers import CapturePrinter, HangingPrinter, refused_address


@pytest.fixture
def printer() -> Iterator[CapturePrinter]:
    p = CapturePrinter()
    yield p
    p.close()


@pytest.fixture
def hanging() -> Iterator[HangingPrinter]:
    p = HangingPrinter()
    yield p
    p.close()


@pytest.mark.parametrize("fmt", ["zpl", "tspl"])
def test_a_raw_job_arrives_byte_for_byte(printer: CapturePrinter, fmt: str) -> None:
    data = render.label([posting("0208245774-0029-1", rfbs=True)], render.Output(render.Format(fmt)))
    sink = sinks.open_sink(printer.address)
    sink.send(data)
    sink.send(data)
    assert printer.wait_for_jobs(2) == [data, data]


def test_a_refused_connection_says_what_to_check() -> None:
    address = refused_address()
    with pytest.raises(sinks.PrinterError) as refused:
        sinks.open_sink(address).send(b"^XA^XZ")
    assert refused.value.code == "printer_refused"
    message = str(refused.value)
    assert address.removeprefix("tcp://") in message and "switched on" in message


def test_a_printer_that_takes_the_connection_but_not_the_job_is_reported(hanging: HangingPrinter) -> None:
    sink = sinks.TcpSink("127.0.0.1", hanging.port, finish_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(sinks.PrinterError) as stuck:
        sink.send(b"^XA^FO10,10^GB100,100,100^FS^XZ")
    assert time.monotonic() - started < 5
    assert stuck.value.code == "printer_not_finished"
    assert "did not finish receiving" in str(stuck.value) and "before printing again" in str(stuck.value)


def test_a_printer_that_stops_reading_a_big_job_is_reported(hanging: HangingPrinter) -> None:
    sink = sinks.TcpSink("127.0.0.1", hanging.port, send_timeout=0.5, finish_timeout=0.5)
    with pytest.raises(sinks.PrinterError) as stalled:
        sink.send(bytes(64 * 1024 * 1024))
    assert stalled.value.code == "printer_stalled"
    assert "paused" in str(stalled.value)


def test_a_network_printer_will_not_take_a_pdf(printer: CapturePrinter) -> None:
    with pytest.raises(sinks.PrinterError, match="ZPL or TSPL"):
        sinks.open_sink(printer.address).send(b"%PDF-1.4", raw=False)


def _fake_lp(tmp_path: Path, script: str) -> str:
    lp = tmp_path / "lp"
    lp.write_text("#!/bin/sh\n" + script)
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    return str(lp)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for lp")
def test_cups_gets_the_bytes_on_stdin_with_raw_for_printer_languages(tmp_path: Path) -> None:
    out = tmp_path / "job"
    lp = _fake_lp(tmp_path, f'echo "$@" > {out}.args\ncat > {out}\necho "request id is q-7 (1 file(s))"\n')
    sinks.CupsSink("Zebra_ZD421", lp=lp).send(b"^XA^XZ", title="label 1")
    assert out.read_bytes() == b"^XA^XZ"
    assert (tmp_path / "job.args").read_text().split() == ["-d", "Zebra_ZD421", "-t", "label", "1", "-o", "raw"]
    sinks.CupsSink("Office", lp=lp).send(b"%PDF", raw=False)
    assert "print-scaling=none" in (tmp_path / "job.args").read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for lp")
def test_cups_refusals_and_a_missing_lp_are_one_line_messages(tmp_path: Path) -> None:
    lp = _fake_lp(tmp_path, 'cat > /dev/null\necho "lp: The printer or class does not exist." >&2\nexit 1\n')
    with pytest.raises(sinks.PrinterError) as refused:
        sinks.CupsSink("Nope", lp=lp).send(b"x")
    assert str(refused.value) == "printer queue 'Nope' refused the job: lp: The printer or class does not exist."
    with pytest.raises(sinks.PrinterError, match="cups-client"):
        sinks.CupsSink("Nope", lp=str(tmp_path / "no-such-lp")).send(b"x")


def test_a_file_sink_writes_the_whole_job(tmp_path: Path) -> None:
    target = tmp_path / "out" / "labels.zpl"
    sinks.open_sink(f"file://{target}").send(b"^XA^XZ")
    assert target.read_bytes() == b"^XA^XZ"
    sinks.open_sink(str(target)).send(b"again")
    assert target.read_bytes() == b"again"
    assert [p.name for p in target.parent.iterdir()] == ["labels.zpl"]  # no temporary file left


def test_printer_addresses() -> None:
    tcp = sinks.open_sink("tcp://192.168.1.50")
    assert isinstance(tcp, sinks.TcpSink) and (tcp.host, tcp.port) == ("192.168.1.50", 9100)
    tcp = sinks.open_sink("socket://printer.local:9101")
    assert isinstance(tcp, sinks.TcpSink) and (tcp.host, tcp.port) == ("printer.local", 9101)
    queue = sinks.open_sink("cups:Zebra_ZD421")
    expected = sinks.WindowsSink if sys.platform == "win32" else sinks.CupsSink
    assert isinstance(queue, expected) and queue.describe() == expected("Zebra_ZD421").describe()
    assert isinstance(sinks.open_sink("Xprinter XP-420B"), expected)
    bad_addresses = (("", "printer_not_set"), ("tcp://:9100", "printer_address"), ("tcp://h:99999", "printer_address"))
    for bad, code in bad_addresses:
        with pytest.raises(sinks.PrinterError) as refused:
            sinks.open_sink(bad)
        assert refused.value.code == code


def test_sizes_from_settings_are_checked() -> None:
    with pytest.raises(render.UserError, match="unknown label size"):
        render.Output.parse("zpl", "80x80", 203)
    with pytest.raises(render.UserError, match="203 or 300"):
        render.Output.parse("zpl", "75x120", 600)
    with pytest.raises(render.UserError, match="pdf, zpl or tspl"):
        render.Output.parse("epl", "75x120", 203)
    assert render.Output.parse("TSPL", "75×120", 300) == render.Output(render.Format.TSPL, geometry.LABEL_75x120, 300)


def test_the_label_settings_offer_what_printing_can_render() -> None:
    from app import settings
    from printing import geometry, render

    assert set(settings.LABEL_FORMATS) == {f.value for f in render.Format}
    assert set(settings.LABEL_SIZES) <= set(geometry.STOCKS)
    for dpi in settings.LABEL_DPIS:
        assert geometry.check_dpi(dpi) == dpi
