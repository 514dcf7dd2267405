"""The emulator over real HTTP on localhost (demo mode, end-to-end and socket-level fault tests)."""

from __future__ import annotations

import logging
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .dispatch import HOLD, RESET, Reply
from .emulator import Emulator
from .transport import REASONS

log = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms a request.
    disable_nagle_algorithm = True
    server_version = "nginx"
    sys_version = ""
    emulator: Emulator
    stopping: threading.Event

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = self.path.split("?", 1)[0]
        reply = self.emulator.dispatch(self.command, path, headers, body, sleep=self.stopping.wait)
        if reply.action == RESET:
            self._wait(reply.hold)
            self._reset()
        elif reply.action == HOLD:
            self._wait(reply.hold)
            self.close_connection = True
        else:
            try:
                self._answer(reply)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. its read timeout)
                self.close_connection = True

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.stopping.wait(seconds)

    def _answer(self, reply: Reply) -> None:
        self.send_response(reply.status, REASONS.get(reply.status))
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST instead of FIN, and nothing is answered."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # drop the makefile() reference so close() really closes the socket
            self.connection.close()
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up is normal here (timeouts, resets); anything else is logged."""
        log.debug("emulator connection from %s ended with an error", client_address, exc_info=True)


class EmulatorServer:
    """``ThreadingHTTPServer`` in a daemon thread. ``port=0`` picks a free port; see ``url``."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        self._stopping = threading.Event()
        handler = type("EmulatorRequestHandler", (_Handler,), {"emulator": emulator, "stopping": self._stopping})
        self._httpd = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"

    def start(self) -> EmulatorServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="ozon-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; held connections (timeout faults) wake up and close at once."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
