"""Where print jobs go: a network printer (raw TCP 9100), a system queue (CUPS `lp`, the Windows
spooler), or a file. Every failure is a `PrinterError` with a sentence a seller can act on.

Printer addresses as stored in the settings:
    tcp://192.168.1.50[:9100]   (socket://… as CUPS writes it is accepted too)
    file:///home/me/labels.zpl   or an absolute path
    Zebra_ZD421   or cups:Zebra_ZD421   a system printer queue
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from app.errors import UserError

log = logging.getLogger(__name__)

RAW_PORT = 9100


class PrinterError(UserError):
    """The printer or its queue did not take the job; the message says what to check."""


class Sink(Protocol):
    def send(self, data: bytes, *, title: str = "Packdesk", raw: bool = True) -> None:
        """Deliver one job. `raw`: printer language bytes (ZPL/TSPL), not a document for a driver."""
        ...

    def describe(self) -> str: ...


@dataclass
class TcpSink:
    """Raw printing to port 9100 (JetDirect).

    After sending, it half-closes and waits for the printer to close its side, as CUPS' socket backend
    does: that is how a printer says it took the whole job. A printer that accepts the connection and
    then takes nothing (paused, lid open, out of paper, wedged) is reported after `finish_timeout`.
    """

    host: str
    port: int = RAW_PORT
    connect_timeout: float = 5.0
    send_timeout: float = 15.0
    finish_timeout: float = 15.0

    def describe(self) -> str:
        return f"{self.host}:{self.port}"

    def send(self, data: bytes, *, title: str = "Packdesk", raw: bool = True) -> None:
        where = self.describe()
        if not raw:
            raise PrinterError(
                "printer_needs_raw",
                f"the printer at {where} takes printer commands (ZPL or TSPL), not a PDF: "
                "set the label format to ZPL or TSPL, or print through a system printer queue",
                printer=where,
            )
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except ConnectionRefusedError:
            raise PrinterError(
                "printer_refused",
                f"the printer at {where} refused the connection: check that it is switched on and that "
                f"{self.port} is its raw printing port (usually {RAW_PORT})",
                printer=where,
            ) from None
        except TimeoutError:
            raise PrinterError(
                "printer_no_answer",
                f"the printer at {where} did not answer within {self.connect_timeout:g} s: check that it is "
                "switched on, connected to the network, and that the address is right",
                printer=where,
            ) from None
        except socket.gaierror:
            raise PrinterError(
                "printer_unknown_host",
                f"the printer address {self.host!r} cannot be found: check the address",
                printer=where,
            ) from None
        except OSError as exc:
            raise PrinterError(
                "printer_unreachable", f"cannot reach the printer at {where}: {exc.strerror or exc}", printer=where
            ) from None
        with sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._deliver(sock, data, where)

    def _deliver(self, sock: socket.socket, data: bytes, where: str) -> None:
        try:
            sock.settimeout(self.send_timeout)
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except TimeoutError:
            raise PrinterError(
                "printer_stalled",
                f"the printer at {where} stopped taking data for {self.send_timeout:g} s: it may be paused, "
                "out of paper or labels, or its lid may be open",
                printer=where,
            ) from None
        except OSError as exc:
            raise PrinterError(
                "printer_dropped",
                f"the printer at {where} dropped the connection while receiving the job ({exc.strerror or exc})",
                printer=where,
            ) from None
        deadline = time.monotonic() + self.finish_timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(remaining)
                if not sock.recv(4096):  # the printer closed its side: it has the whole job
                    return
        except TimeoutError:
            raise PrinterError(
                "printer_not_finished",
                f"the printer at {where} accepted the job but did not finish receiving it within "
                f"{self.finish_timeout:g} s: it may be paused, out of labels or busy. Check it (and whether "
                "a label came out) before printing again",
                printer=where,
            ) from None
        except ConnectionResetError:
            log.info("printer %s reset the connection after taking the job", where)


@dataclass
class CupsSink:
    """A CUPS queue through `lp` (no build dependencies; works for any queue `lpstat -p` lists)."""

    queue: str
    lp: str = "lp"
    timeout: float = 30.0

    def describe(self) -> str:
        return f"printer queue {self.queue!r}"

    def send(self, data: bytes, *, title: str = "Packdesk", raw: bool = True) -> None:
        # `-o raw` keeps CUPS' filters away from ZPL/TSPL; a PDF is printed at 100 %, never fitted.
        options = ["-o", "raw"] if raw else ["-o", "print-scaling=none", "-o", "fit-to-page=false"]
        command = [self.lp, "-d", self.queue, "-t", title, *options]
        try:
            done = subprocess.run(command, input=data, capture_output=True, timeout=self.timeout, check=False)
        except FileNotFoundError:
            raise PrinterError(
                "cups_missing",
                f"cannot print to {self.describe()}: the CUPS command 'lp' is not installed "
                "(sudo apt-get install cups-client)",
                printer=self.queue,
            ) from None
        except subprocess.TimeoutExpired:
            raise PrinterError(
                "cups_timeout",
                f"the print system did not take the job for {self.describe()} within {self.timeout:g} s",
                printer=self.queue,
            ) from None
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            raise PrinterError(
                "cups_refused",
                f"{self.describe()} refused the job: {reason[-1] if reason else f'lp exited {done.returncode}'}",
                printer=self.queue,
            )
        log.info("sent %d bytes to %s: %s", len(data), self.describe(), done.stdout.decode(errors="replace").strip())


@dataclass
class WindowsSink:
    """Raw bytes through the Windows spooler (pywin32). Drivers of the v4/XPS class drop "RAW"
    jobs silently, so those get "XPS_PASS" (Microsoft KB 2779300)."""

    printer: str

    def describe(self) -> str:
        return f"printer {self.printer!r}"

    def send(self, data: bytes, *, title: str = "Packdesk", raw: bool = True) -> None:
        if not raw:
            raise PrinterError(
                "windows_pdf",
                f"{self.describe()}: PDFs are printed through the print dialog on Windows; "
                "choose ZPL or TSPL to print labels directly",
                printer=self.printer,
            )
        try:
            import win32print  # pywin32, Windows only
        except ImportError:
            raise PrinterError(
                "pywin32_missing",
                "printing to a Windows printer needs the pywin32 package (pip install pywin32)",
                printer=self.printer,
            ) from None
        try:
            handle = win32print.OpenPrinter(self.printer)
        except Exception as exc:
            raise PrinterError(
                "windows_no_printer", f"Windows has no printer named {self.printer!r} ({exc})", printer=self.printer
            ) from None
        try:
            datatype = "XPS_PASS" if _is_xps_driver(win32print, handle) else "RAW"
            win32print.StartDocPrinter(handle, 1, (title, None, datatype))
            try:
                win32print.StartPagePrinter(handle)
                win32print.WritePrinter(handle, data)
                win32print.EndPagePrinter(handle)
            finally:
                win32print.EndDocPrinter(handle)
        except Exception as exc:
            raise PrinterError(
                "windows_refused", f"Windows refused the job for {self.describe()}: {exc}", printer=self.printer
            ) from None
        finally:
            win32print.ClosePrinter(handle)


def _is_xps_driver(win32print: Any, handle: Any) -> bool:
    printer_driver_xps = 0x00000002
    try:
        info = win32print.GetPrinterDriver(handle, None, 8)
    except Exception:
        return False
    return bool(info.get("PrinterDriverAttributes", 0) & printer_driver_xps)


@dataclass
class FileSink:
    path: Path

    def describe(self) -> str:
        return str(self.path)

    def send(self, data: bytes, *, title: str = "Packdesk", raw: bool = True) -> None:
        target = self.path
        if target.is_dir() or str(target).endswith(("/", os.sep)):
            # A folder is a "printer" that keeps every job as its own file (demo mode, archiving).
            stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.monotonic_ns() % 1_000_000:06d}"
            slug = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in title)[:60]
            target = target / f"{stamp}-{slug}.{'prn' if raw else 'pdf'}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except OSError as exc:
            raise PrinterError(
                "file_not_written", f"cannot write {self.path}: {exc.strerror or exc}", path=str(self.path)
            ) from None


def open_sink(target: str) -> Sink:
    """The sink for a printer address (see the module docstring)."""
    target = target.strip()
    if not target:
        raise PrinterError("printer_not_set", "no printer is set up: choose one in Settings → Printing")
    lowered = target.lower()
    if lowered.startswith(("tcp://", "socket://")):
        parts = urlsplit(target)
        if not parts.hostname:
            raise PrinterError("printer_address", f"{target!r} is not a printer address: use tcp://HOST:PORT")
        try:
            port = parts.port or RAW_PORT
        except ValueError:
            raise PrinterError("printer_address", f"{target!r} has a bad port number") from None
        return TcpSink(parts.hostname, port)
    if lowered.startswith("file://"):
        return FileSink(Path(unquote(urlsplit(target).path)))
    if os.path.isabs(target):
        return FileSink(Path(target))
    queue = target.removeprefix("cups:")
    return WindowsSink(queue) if sys.platform == "win32" else CupsSink(queue)
