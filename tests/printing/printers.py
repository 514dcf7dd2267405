"""Pretend network printers on 127.0.0.1: one that takes jobs, one that hangs, an address that refuses."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class CapturePrinter:
    """A raw port-9100 printer: reads each connection until the sender half-closes, keeps the bytes,
    then closes its side (which is how a real one says it has the job)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with conn:
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
            with self._changed:
                self.jobs.append(b"".join(chunks))
                self._changed.notify_all()

    def wait_for_jobs(self, count: int, timeout: float = 10) -> list[bytes]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.jobs) >= count, timeout)
            return list(self.jobs)

    def close(self) -> None:
        _stop(self._server)
        self._thread.join(5)


class HangingPrinter:
    """Accepts connections and then never reads and never closes: a printer that is paused, out of
    labels or wedged. A small receive buffer makes a big job stall the sender quickly."""

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self.port = self._server.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        _stop(self._server)
        for conn in self._held:
            conn.close()
        self._thread.join(5)


def _stop(server: socket.socket) -> None:
    """Wake the thread blocked in accept() (closing alone does not, on Linux), then close."""
    with contextlib.suppress(OSError):
        server.shutdown(socket.SHUT_RDWR)
    server.close()


def refused_address() -> str:
    """An address where nothing listens: connecting is refused at once."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    time.sleep(0.01)
    return f"tcp://127.0.0.1:{port}"
