"""Kill the process in the middle of writing: every action it acknowledged must survive.

A child writes outbox actions in a loop and prints each key only after COMMIT returned; the parent
SIGKILLs it at a random moment, reopens the database, checks its integrity and looks for every key.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from app import outbox
from app.context import open_context

CHILD = textwrap.dedent(
    """
    import sys
    from app import outbox
    from app.context import open_context
    from app.outbox import ActionKind, TargetKind
    ctx = open_context(sys.argv[1])
    print("ready", flush=True)
    i = 0
    while True:
        with ctx.db.write() as s:
            e = outbox.enqueue(s, ActionKind.CHAT_SEND_TEXT, TargetKind.CHAT, "chat-1", {"text": "x" * 200},
                               ctx.clock.now())
        print(e.key, flush=True)
        i += 1
    """
)


def test_acknowledged_actions_survive_a_kill(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    rng = random.Random(7)
    acknowledged: list[str] = []
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(tmp_path)], cwd=root, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.3))
        proc.kill()
        out, _ = proc.communicate(timeout=10)
        acknowledged += [line for line in out.splitlines() if len(line) == 36]
    assert len(acknowledged) > 20
    con = sqlite3.connect(tmp_path / "packdesk.sqlite3")
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    ctx = open_context(str(tmp_path))
    try:
        with ctx.db.read() as s:
            stored = {e.key for e in outbox.entries(s)}
    finally:
        ctx.close()
    missing = [k for k in acknowledged if k not in stored]
    assert missing == []
