"""A stateful emulator of the Ozon Seller API (a stand-in for Ozon's servers, not part of the app).

    emu = Emulator(seed=1, postings=300)            # deterministic demo shop; clock stands still
    session.mount("http://emulator.invalid/", EmulatorAdapter(emu))   # in-process transport
    server = EmulatorServer(emu).start(); server.url                   # or real HTTP on localhost
    emu.add_fault(Fault("rate_limit", path="/v4/posting/fbs/*", retry_after=2))

Every state-changing Ozon call that was applied is appended to ``emu.log``. The control API under
``/__emulator/`` (log, state, postings, cancel, message, return, advance, faults) needs no auth.
Emulator extension, not in Ozon's API: ``POST /v1/posting/fbs/approve`` for rFBS ``awaiting_approve``.
"""

from .emulator import Emulator
from .faults import Fault
from .server import EmulatorServer
from .transport import EmulatorAdapter

__all__ = ["Emulator", "EmulatorAdapter", "EmulatorServer", "Fault"]
