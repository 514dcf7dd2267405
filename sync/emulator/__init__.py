"""A stateful emulator of the Ozon Seller API as it is on 2026-12-01 (a stand-in for Ozon's servers, not
part of the app).

    emu = Emulator(seed=1, postings=300)            # deterministic demo shop; clock stands still
    session.mount("http://emulator.invalid/", EmulatorAdapter(emu))   # in-process transport
    server = EmulatorServer(emu).start(); server.url                   # or real HTTP on localhost
    emu.add_fault(Fault("rate_limit", path="/v4/posting/fbs/*", retry_after=2))

Methods Ozon switched off (``sync.methods.RETIRED``) answer 404 code 5 like unknown ones. Labels come
from label tasks and a CDN-like file path (``/s3/...``, no auth, downloads recorded in ``emu.downloads``);
marked, imported and multi-box goods need exemplar data or a box count before the ship; rFBS postings are
approved on Ozon's side; ``rate_limit=`` enforces Ozon's request budget. Every state-changing seller call
that was applied is appended to ``emu.log``. The control API under ``/__emulator/`` (log, state, postings,
cancel, message, return, mark, advance, faults) needs no auth. See README.md for the whole contract, the
timings and the choices made where Ozon is silent.
"""

from .emulator import Emulator
from .faults import Fault
from .server import EmulatorServer
from .transport import EmulatorAdapter

__all__ = ["Emulator", "EmulatorAdapter", "EmulatorServer", "Fault"]
