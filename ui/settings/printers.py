"""Printers for the Settings page: which ones the system has, and a test print with the form's values.

The test label is rendered by `printing.render` and sent by `printing.sinks` (the same path the print
spooler takes), on the I/O pool. Tests and other front ends can hand the page any `PrinterPort`.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtPrintSupport import QPrinterInfo


class PrinterPort(Protocol):
    def available(self) -> list[str]:
        """Printer names the system knows (GUI thread; quick)."""
        ...

    def test_print(self, printer: str, label_format: str, size: str, dpi: int) -> None:
        """Print a test label (I/O pool); raises UserError when the printer cannot take it."""
        ...


class SystemPrinters:
    """The operating system's printers, and printing/ for the test label."""

    def available(self) -> list[str]:
        return sorted(QPrinterInfo.availablePrinterNames())

    def test_print(self, printer: str, label_format: str, size: str, dpi: int) -> None:
        from printing import render, sinks

        output = render.Output.parse(label_format, size, dpi)
        data = render.test_label(output)
        sinks.open_sink(printer).send(data, title="Packdesk test label", raw=output.format.is_raw)
