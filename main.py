"""Packdesk: the app and its command line.

python main.py                      the app (demo mode on the embedded emulator without an account)
python main.py emulator             serve the Ozon API emulator on 127.0.0.1:8787
python main.py sync --once          one headless sync cycle
python main.py orders [--status S] [--barcode CODE] [--json]   the cached postings
python main.py ship NUMBER          queue the ship (pack) action
python main.py outbox [--json]      queued actions and their state
python main.py returns [--stage S] [--search TEXT] [--json]   FBS/FBO returns and rFBS requests, deadlines, actions
python main.py return-action RETURN_ID ACTION_ID [--comment TEXT] [--reason-id N] [--amount DECIMAL]   queue a decision
python main.py return-receive CODE [--grade G] [--note T] [--photo FILE] [--restock|--write-off] [--mark CODE ...]
                                    receive a returned parcel (its barcode, posting or return number)
python main.py chats [--needs-reply] [--json]   buyer and support chats with their reply clocks
python main.py chat-send CHAT_ID (--text T | --template KEY) [--image PATH]   queue a message
python main.py reviews [--json]     product reviews: rating, status, replied or not
python main.py review-reply REVIEW_ID (--text T | --template KEY) [--force]   queue a reply (--force: even a repeat)
python main.py questions [--json]   buyers' public questions, answered or not
python main.py question-answer QUESTION_ID --text T   queue an answer (2..3000 characters)
python main.py templates [--json] [--import FILE] [--export FILE]   chat reply templates
python main.py autoreplies [--json] [--import FILE] [--export FILE] [--log]   auto-reply rules and what they did
python main.py labels NUMBER... --out FILE   labels or packing slips of cached postings to a file
python main.py picklist NUMBER... --out FILE.pdf   a pick list
python main.py escalation NUMBER [--topic T] [--note TEXT] [--pdf FILE]   a message for Ozon support (+ PDF)
python main.py dispute-pack NUMBER --out FILE.pdf   the posting's timeline, labels, act, chat and returns in one PDF
python main.py print-test --printer ADDRESS  a test label to a printer
python main.py --demo --screenshot PATH [--page NAME]   a PNG of the window after the first sync
python main.py chat-intents         buyer messages on stdin (one a line) -> their intents as JSON lines
python main.py backup --out FILE|FOLDER   an online backup of the database (checked; FOLDER: timestamped name)
python main.py restore FILE         replace the database by a checked backup (Packdesk closed; the old one kept)
python main.py [--data-dir DIR] --self-test   check this installation, one line per check (selftest.py)

`--demo` works with every command (the GUI and `sync` start the demo afresh, the rest read it). A
failure is one line on stderr and an exit code (EXIT_* below; the README lists them), never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import shutil
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from app import outbox, paths, settings
from app.chat.escalation import Topic
from app.context import DB_URL_ENV, AppContext, database_url, open_context
from app.db import guard
from app.db.engine import sqlite_url
from app.domain.postings import PostingStatus
from app.domain.products import Product
from app.domain.returns import Stage
from app.errors import (
    CredentialsMissing,
    DatabaseDamaged,
    DatabaseInUse,
    DatabaseMissing,
    DatabaseTooNew,
    DiskFull,
    DisplayLibrariesMissing,
    FolderReadOnly,
    InvalidAction,
    NotFound,
    PackdeskError,
    UserError,
)
from app.logs import setup as setup_logging
from app.orders import query as order_query
from app.orders.filters import OrderFilter
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.returns.listing import ReturnListRow
from app.returns.receiving import Disposition, Grade
from app.settings import LABEL_DPIS, LABEL_FORMATS, LABEL_SIZES
from app.workflows import shipping

if TYPE_CHECKING:
    from sync.connect import Connection as SyncConnection
    from sync.leader import Leadership

log = logging.getLogger("packdesk")

# Exit codes (the README's command-line section lists them): one line on stderr says which.
EXIT_FAILED = 1  # the command refused (unknown posting, printer error, ...)
EXIT_USAGE = 2  # bad arguments: unknown option or status, invalid URL, port out of range
EXIT_AUTH = 3  # Ozon refused the credentials (a bad or expired key)
EXIT_OFFLINE = 4  # the Ozon API cannot be reached
EXIT_PROTOCOL = 5  # Ozon answered something Packdesk cannot read
EXIT_BUSY = 6  # Packdesk is open on this data folder (or the demo is)
EXIT_NO_ACCOUNT = 7  # no Ozon account set up (no Client-Id or Api-Key)
EXIT_DATA_DIR = 8  # the data folder is missing, a file, under a file, holds a newer database; a bad backup
EXIT_PORT_IN_USE = 9  # the emulator's port is taken
EXIT_DISK_FULL = 10  # no space left on the disk
EXIT_PERMISSION = 11  # not allowed to read or write a file or folder
EXIT_NO_DISPLAY = 12  # the window: no display, or Qt's xcb libraries are missing
EXIT_SELF_TEST = 13  # --self-test: a check failed (its FAIL line says which)
EXIT_BUG = 70  # a bug: the details are in the log file
EXIT_INTERRUPTED = 130  # Ctrl+C in a command
EXIT_BROKEN_PIPE = 141  # stdout closed early (`orders | head`): quiet

# Statuses `orders --status` takes: Ozon's, as the Orders page shows them.
KNOWN_STATUSES = tuple(status.value for status in PostingStatus)


class CliError(Exception):
    """A failure the command line reports as one line with its own exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage block) and EXIT_USAGE."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def _port(text: str) -> int:
    """A TCP port number for argparse: 0 (any free one) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range (1-65535, or 0 for any free port)")
    return port


def _api_url(text: str) -> str:
    """An http(s) URL with a host, for argparse."""
    parts = urlsplit(text.strip())
    try:
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port that is not a number or out of range
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid URL (e.g. https://api-seller.ozon.ru)")
    return text.strip().rstrip("/")


def _status(text: str) -> str:
    """A posting status the Orders page knows, for argparse."""
    status = text.strip().lower()
    if status not in KNOWN_STATUSES:
        raise argparse.ArgumentTypeError(f"unknown status {text!r}: one of {', '.join(KNOWN_STATUSES)}")
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="packdesk", description="Packdesk: back-office for Ozon sellers")
    parser.add_argument("--data-dir", help="folder for the database, settings and logs (or PACKDESK_DATA_DIR)")
    parser.add_argument(
        "--api-url", type=_api_url, help="Ozon Seller API base URL (default: the real API, or from settings)"
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="the shop's shared database, e.g. postgresql+psycopg://packdesk@192.168.1.10/shop "
        "(or PACKDESK_DB_URL; default: SQLite in the data folder)",
    )
    parser.add_argument("--demo", action="store_true", help="run against the embedded emulator with demo data")
    parser.add_argument(
        "--screenshot", metavar="PATH", help="GUI: save a PNG of the window after the first sync, then exit"
    )
    parser.add_argument(
        "--page",
        default="orders",
        choices=("orders", "packing", "handover", "chats", "returns", "reviews", "analytics", "settings"),
        help="the page to show with --screenshot (default: orders)",
    )
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation (a temp folder; --data-dir read-only)"
    )
    sub = parser.add_subparsers(dest="command")

    emu = sub.add_parser("emulator", help="serve the Ozon Seller API emulator over HTTP")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--port", type=_port, default=8787, help="0 picks a free port (default 8787)")
    emu.add_argument("--seed", type=int, default=7)
    emu.add_argument("--postings", type=int, default=300)
    emu.add_argument("--quiet-time", action="store_true", help="no live arrivals; time moves only via the control API")
    emu.add_argument("--speed", type=float, default=1.0, help="emulator seconds per real second (default 1)")
    emu.add_argument("--no-live", action="store_true", help="no new orders, messages or cancellations by themselves")

    sub.add_parser(
        "chat-intents",
        help="classify buyer messages: one a line on stdin, one JSON object a line on stdout (UTF-8)",
    )

    sync = sub.add_parser("sync", help="synchronise with Ozon")
    sync.add_argument("--once", action="store_true", help="one cycle, print a summary line, exit")

    orders = sub.add_parser("orders", help="list the cached postings")
    orders.add_argument(
        "--status",
        type=_status,
        metavar="STATUS",
        help="only postings in this status as the Orders page shows it: a pending action's target first "
        "(e.g. awaiting_packaging)",
    )
    orders.add_argument(
        "--barcode",
        metavar="CODE",
        help="the postings a scanned code identifies (posting number, scanit, label barcodes), as the pack station",
    )
    orders.add_argument("--json", action="store_true", help="print JSON")

    ship = sub.add_parser("ship", help="queue the ship (pack) action for a posting")
    ship.add_argument("posting_number")
    ship.add_argument(
        "--package",
        action="append",
        metavar="SKU:QTY[,SKU:QTY...]",
        help="one package; repeat to split the posting (default: everything in one package)",
    )

    box = sub.add_parser("outbox", help="queued seller actions")
    box.add_argument("--json", action="store_true", help="print JSON")

    rets = sub.add_parser(
        "returns", help="FBS/FBO returns and rFBS requests: status, deadline, the actions Ozon offers"
    )
    rets.add_argument("--stage", choices=[st.value for st in Stage], help="only returns at this stage")
    rets.add_argument("--search", default="", help="posting, return number, SKU, buyer, parcel barcode")
    rets.add_argument("--json", action="store_true", help="print JSON")

    decide = sub.add_parser("return-action", help="queue a decision on an rFBS return request")
    decide.add_argument("return_id", type=int)
    decide.add_argument("action_id", type=int, help="one of the ids `returns` lists for the request")
    decide.add_argument("--comment", default="", help="for the buyer (required to reject)")
    decide.add_argument(
        "--reason-id", "--reason", dest="reason_id", type=int, help="rejection reason id (required to reject)"
    )
    decide.add_argument("--amount", help="partial compensation in roubles (required for id 1020)")

    take = sub.add_parser("return-receive", help="receive a returned parcel at the desk")
    take.add_argument("code", help="the parcel's return barcode, the posting number or the return number")
    take.add_argument("--grade", choices=[g.value for g in Grade], default=Grade.NEW.value)
    take.add_argument("--note", default="")
    take.add_argument("--photo", action="append", default=[], help="a photo file (repeat for more)")
    where = take.add_mutually_exclusive_group()
    where.add_argument("--restock", action="store_const", dest="disposition", const=Disposition.RESTOCK.value)
    where.add_argument("--write-off", action="store_const", dest="disposition", const=Disposition.WRITE_OFF.value)
    take.add_argument("--mark", nargs="+", action="extend", default=[], help="marking codes of the returned units")

    chats = sub.add_parser("chats", help="buyer and support chats, the most urgent first")
    chats.add_argument("--needs-reply", action="store_true", help="only chats waiting for the seller's answer")
    chats.add_argument("--json", action="store_true", help="print JSON")

    send = sub.add_parser("chat-send", help="queue a message in a chat (sent by the next sync, offline is fine)")
    send.add_argument("chat_id")
    what = send.add_mutually_exclusive_group()
    what.add_argument("--text", help="the message (1..1000 characters)")
    what.add_argument("--template", metavar="KEY", help="a reply template, filled from the chat's order")
    send.add_argument("--image", type=Path, metavar="PATH", help="a photo to send (PNG, JPEG or WEBP)")

    _feedback_parsers(sub)
    tpl = sub.add_parser("templates", help="chat reply templates (Russian text, Chinese and English names)")
    tpl.add_argument("--json", action="store_true", help="print JSON (the format --import takes)")
    tpl.add_argument("--import", dest="import_file", type=Path, metavar="FILE", help="add or replace from a JSON file")
    tpl.add_argument("--export", dest="export_file", type=Path, metavar="FILE", help="write all templates to a file")

    auto = sub.add_parser("autoreplies", help="auto-reply rules (run by the sync) and their log")
    auto.add_argument("--json", action="store_true", help="print JSON (the format --import takes)")
    auto.add_argument("--import", dest="import_file", type=Path, metavar="FILE", help="replace the rules from a file")
    auto.add_argument("--export", dest="export_file", type=Path, metavar="FILE", help="write the rules to a file")
    auto.add_argument("--log", action="store_true", help="what the rules sent, suggested (dry run) or refused")

    labels = sub.add_parser("labels", help="write labels or packing slips of cached postings to a file")
    labels.add_argument("posting_numbers", nargs="+", metavar="POSTING_NUMBER")
    labels.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    labels.add_argument("--format", choices=LABEL_FORMATS, help="default: the label format in the settings")
    labels.add_argument("--size", help=f"{', '.join(LABEL_SIZES)}, A6 or A4 (default: from the settings)")
    labels.add_argument("--dpi", type=int, choices=LABEL_DPIS, help="printer resolution (default: from the settings)")
    labels.add_argument(
        "--kind",
        choices=["label", "ozon", "slip"],
        default="label",
        help="label: Packdesk's own label (default); ozon: Ozon's label from the API or its cache; slip: packing slip",
    )

    pick = sub.add_parser("picklist", help="write a pick list (A4 PDF) for cached postings")
    pick.add_argument("posting_numbers", nargs="+", metavar="POSTING_NUMBER")
    pick.add_argument("--out", required=True, metavar="FILE.pdf", help="the file to write")

    esc = sub.add_parser("escalation", help="a message for Ozon seller support about a posting, and its PDF")
    esc.add_argument("posting_number")
    esc.add_argument("--topic", choices=[t.value for t in Topic], default=Topic.OTHER.value, help="default: other")
    esc.add_argument("--note", default="", help="the seller's own words, added to the message")
    esc.add_argument("--pdf", metavar="FILE", help="also write the facts and the full timeline as an A4 PDF")

    pack = sub.add_parser("dispute-pack", help="one PDF with everything about a posting: timeline, labels, chat…")
    pack.add_argument("posting_number")
    pack.add_argument("--out", required=True, metavar="FILE.pdf", help="the file to write")

    sheet = sub.add_parser("command-sheet", help="write the sheet of scanner command barcodes to a file")
    sheet.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    sheet.add_argument("--format", choices=LABEL_FORMATS, help="default: pdf")
    sheet.add_argument("--size", default="A4", help="A4 (default: all commands on one page) or a label size")
    sheet.add_argument("--dpi", type=int, choices=LABEL_DPIS, help="printer resolution (default: from the settings)")

    bak = sub.add_parser("backup", help="back the database up (also while Packdesk runs), checked")
    bak.add_argument("--out", required=True, type=Path, metavar="FILE|FOLDER", help="a new file, or a folder")
    res = sub.add_parser("restore", help="replace the database by a backup (Packdesk must be closed)")
    res.add_argument("file", type=Path, metavar="FILE", help="a backup made by Packdesk")
    mig = sub.add_parser(
        "migrate-to", help="copy this desk's SQLite database into an empty PostgreSQL database (Packdesk closed)"
    )
    mig.add_argument("url", metavar="URL", help="e.g. postgresql+psycopg://packdesk@192.168.1.10/shop")

    test = sub.add_parser("print-test", help="send a test label to a printer")
    test.add_argument("--printer", required=True, metavar="tcp://HOST:PORT|NAME", help="network address or queue name")
    raw_formats = [f for f in LABEL_FORMATS if f != "pdf"]
    test.add_argument("--format", choices=raw_formats, help="default: the label format in the settings, else zpl")
    return parser


def parse_package(text: str) -> list[tuple[int, int]]:
    items = []
    for part in text.split(","):
        sku, sep, qty = part.strip().partition(":")
        if not sep or not sku.strip().isdigit() or not qty.strip().isdigit():
            raise UserError("bad_package", f"bad --package {text!r}: expected SKU:QTY[,SKU:QTY...]")
        items.append((int(sku), int(qty)))
    return items


# -- commands -----------------------------------------------------------------------------------


def cmd_chat_intents(args: argparse.Namespace) -> int:
    """One message a line on stdin -> `{"text": ..., "intents": [...]}` a line on stdout, UTF-8 whatever
    the locale (a byte that is not UTF-8 reads as U+FFFD); each line is written as soon as it is read."""
    from app.chat import intents

    intents.rules()  # a broken rule set fails before the first line is read
    stdin = getattr(sys.stdin, "buffer", None)
    stdout = getattr(sys.stdout, "buffer", None)
    lines = stdin if stdin is not None else (line.encode("utf-8") for line in sys.stdin)
    for number, raw in enumerate(lines):
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if number == 0:
            text = text.removeprefix("\ufeff")  # a byte-order mark from Windows editors
        out = json.dumps({"text": text, "intents": intents.classify(text)}, ensure_ascii=False) + "\n"
        if stdout is not None:
            stdout.write(out.encode("utf-8"))
            stdout.flush()
        else:
            sys.stdout.write(out)
    return 0


def cmd_emulator(args: argparse.Namespace) -> int:
    from sync.connect import DEMO_API_KEY, DEMO_CLIENT_ID
    from sync.emulator import Emulator, EmulatorServer
    from sync.ratelimit import OZON_LIMIT_PER_SECOND

    emulator = Emulator(
        seed=args.seed,
        postings=args.postings,
        client_id=DEMO_CLIENT_ID,
        api_key=DEMO_API_KEY,
        speed=0.0 if args.quiet_time else args.speed,
        live=not (args.quiet_time or args.no_live),
        rate_limit=OZON_LIMIT_PER_SECOND,  # Ozon's budget: 429 with Retry-After beyond it
    )
    try:
        server = EmulatorServer(emulator, host=args.host, port=args.port)
    except OSError as exc:
        where = f"{args.host}:{args.port}"
        if exc.errno == errno.EADDRINUSE:
            raise CliError(
                f"cannot listen on {where}: the port is in use (try another --port)", EXIT_PORT_IN_USE
            ) from exc
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise CliError(
                f"cannot listen on {where}: permission denied (use a port above 1023)", EXIT_PERMISSION
            ) from exc
        raise CliError(f"cannot listen on {where}: {exc.strerror or exc}", EXIT_USAGE) from exc
    server.start()
    print(f"listening on {server.url}", flush=True)
    print(f"credentials: OZON_CLIENT_ID={DEMO_CLIENT_ID} OZON_API_KEY={DEMO_API_KEY}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _leadership(ctx: AppContext, conn: SyncConnection) -> Leadership | None:
    """On the shop's server only the leading desk syncs (sync/leader.py) and takes the larger share
    of the shop's request budget; a file has one owner."""
    from app import desks
    from sync.leader import Leadership
    from ui import desk_user

    if ctx.db.is_sqlite:
        return None
    limiter = conn.client.limiter
    return Leadership(
        ctx.db, desks.desk_name(ctx.settings), ctx.clock, lambda: desk_user.current_user(ctx.paths.data), limiter
    )


def cmd_sync(ctx: AppContext, args: argparse.Namespace, demo: bool) -> int:
    from sync.connect import connect, demo_emulator
    from sync.scheduler import SyncScheduler
    from ui import instance_lock  # QtCore only: a lock file shared with the app

    lock = instance_lock.acquire(ctx.paths.data)
    if lock is None:
        print("sync failed: Packdesk is open on this data folder and syncs it already", file=sys.stderr)
        return EXIT_BUSY
    ctx.recover_interrupted()
    conn = connect(ctx, api_url=args.api_url, emulator=demo_emulator() if demo else None)
    if not args.once:
        scheduler = SyncScheduler(conn.engine, ctx.settings.sync_interval_s, _leadership(ctx, conn))
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, signal.default_int_handler)  # stops as Ctrl+C does
        damaged = threading.Event()  # the database was found damaged: sync has nothing to work on
        ctx.db.on_damaged(lambda _exc: damaged.set())
        scheduler.start()
        print("syncing in the background; Ctrl+C to stop", flush=True)
        try:
            damaged.wait()
        except KeyboardInterrupt:
            scheduler.stop()
            return 0
        scheduler.stop()
        raise ctx.db.damaged or DatabaseDamaged(str(ctx.paths.database), "")
    leadership = _leadership(ctx, conn)
    if leadership is not None and not leadership.lead():  # one desk talks to Ozon for the shop
        leadership.release()
        from app import desks

        found = desks.read_leader(ctx.db, ctx.clock.now())  # a server gone meanwhile: said as such
        who = f"{found.name} leads" if found is not None else "another desk leads"
        print(f"sync not run: {who} the sync for the shop; this desk's actions go out through it", file=sys.stderr)
        return EXIT_BUSY
    try:
        result = conn.engine.run_cycle()
    finally:
        if leadership is not None:
            leadership.release()
    if result.ok:
        print(result.summary())
        return 0
    reason = {
        "auth": "Ozon refused the credentials",
        "offline": "cannot reach the Ozon API",
        "server": "Ozon's servers are having trouble; try again later",
    }.get(result.error_kind, "Ozon answered something Packdesk cannot read")
    print(f"sync failed: {reason}: {result.error}", file=sys.stderr)
    # A server in trouble is temporary, like a link that is down: try again later.
    return {"auth": EXIT_AUTH, "offline": EXIT_OFFLINE, "server": EXIT_OFFLINE}.get(result.error_kind, EXIT_PROTOCOL)


def posting_json(cached: posting_repo.CachedPosting) -> dict[str, Any]:
    p = cached.posting
    return {
        "posting_number": p.posting_number,
        "order_number": p.order_number,
        "status": p.status.value,
        "substatus": p.substatus,
        "local_status": cached.local_status,
        "scanit": p.scanit,
        "barcodes": {"upper_barcode": p.upper_barcode, "lower_barcode": p.lower_barcode},
        "shipment_date": p.shipment_date.strftime("%Y-%m-%dT%H:%M:%SZ") if p.shipment_date else None,
        "delivery_method": p.delivery_method_name,
        "warehouse": p.warehouse_name,
        "rfbs": p.is_rfbs,
        "tracking_number": p.tracking_number,
        # What Ozon needs before the ship call ({"mandatory_mark": [sku, ...], "gtd": [...]}), and boxes.
        "requirements": p.requirements.to_json(),
        "is_multibox": p.is_multibox,
        "products": [
            {
                "sku": it.sku,
                "offer_id": it.offer_id,
                "name": it.name,
                "quantity": it.quantity,
                "price": str(it.price),
                "currency": it.currency,
            }
            for it in p.products
        ],
    }


def cmd_orders(ctx: AppContext, args: argparse.Namespace) -> int:
    # The Orders page's query: a status is the one the seller sees there (a pending action's target first).
    wanted = OrderFilter(statuses=frozenset({args.status}) if args.status else None, code=args.barcode)
    with ctx.db.read() as s:
        rows = order_query.cached_postings(s, wanted, ctx.clock.now())
    if args.json:
        json.dump([posting_json(c) for c in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for c in rows:
        p = c.posting
        ship_by = p.shipment_date.strftime("%Y-%m-%d %H:%M") if p.shipment_date else "-"
        pending = f" (pending: {c.local_status})" if c.local_status else ""
        print(f"{p.posting_number:<22} {p.status.value:<20} ship by {ship_by}  {p.item_count} item(s){pending}")
    print(f"{len(rows)} posting(s)")
    return 0


def cmd_ship(ctx: AppContext, args: argparse.Namespace) -> int:
    packages = [parse_package(p) for p in args.package] if args.package else None
    entry = shipping.queue_ship(ctx.db, ctx.clock, args.posting_number, packages)
    print(entry.key)
    return 0


def cmd_outbox(ctx: AppContext, args: argparse.Namespace) -> int:
    with ctx.db.read() as s:
        entries = outbox.entries(s)
    if args.json:
        data = [
            {
                "key": e.key,
                "action": e.action.value,
                "posting_number": e.posting_number,
                "target_kind": e.target_kind.value,
                "target_id": e.target_id,
                "state": e.state.value,
                "attempts": e.attempts,
                "last_error": e.last_error,
                "created_at": e.created_at.isoformat(),
                "next_attempt_at": e.next_attempt_at.isoformat(),
            }
            for e in entries
        ]
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for e in entries:
        err = f"  {e.last_error}" if e.last_error else ""
        print(f"{e.key}  {e.action.value:<15} {e.target_id:<22} {e.state.value:<9} tries {e.attempts}{err}")
    print(f"{len(entries)} action(s)")
    return 0


def _return_json(r: ReturnListRow, now: datetime) -> dict[str, Any]:
    clock = r.countdown(now)
    return {
        "return_id": r.return_id,
        "kind": r.kind.value,
        "return_number": r.return_number,
        "posting_number": r.posting_number,
        "sku": r.sku,
        "product": r.product_name,
        "type": r.return_type,
        "status": r.status,
        "status_name": r.status_name,
        "stage": r.stage.value,
        "reason": r.reason,
        "place": r.place,
        "storage_from": r.storage_from.isoformat() if r.storage_from else None,
        "barcode": r.barcode,
        "deadline": r.decide_by.isoformat() if r.decide_by else None,
        "overdue": bool(clock and clock.overdue),
        "deadline_text": clock.sentence() if clock else "",
        "pending": r.local_status,
        "actions": [{"id": a.id, "name": a.name} for a in r.actions] if r.open_to_decide(now) else [],
        "received": r.received,
        "exchanges": list(r.exchanges),
    }


def cmd_returns(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.returns import listing

    now = ctx.clock.now()
    wanted = listing.ReturnFilter(stage=Stage(args.stage) if args.stage else None, search=args.search)
    rows = [_return_json(r, now) for r in listing.read_all(ctx.db, wanted, now)]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for r in rows:
        pending = f" (pending: {r['pending']})" if r["pending"] else ""
        due = f"  {r['deadline_text']}" if r["deadline_text"] else ""
        status = r["status_name"] or r["status"]
        print(f"{r['kind']:<4} {r['return_id']}  {r['posting_number']:<22} {status}{pending}{due}")
        for action in r["actions"]:
            print(f"    {action['id']:>6}  {action['name']}")
    print(f"{len(rows)} return(s)")
    return 0


def cmd_return_action(ctx: AppContext, args: argparse.Namespace) -> int:
    from decimal import Decimal, InvalidOperation

    from app.workflows import returns

    try:
        amount = None if args.amount is None else Decimal(args.amount.replace(",", "."))
    except InvalidOperation:
        raise CliError(f"not an amount: {args.amount}", EXIT_USAGE) from None
    decision = returns.Decision(args.action_id, args.comment, args.reason_id, amount)
    try:
        entry = returns.decide(ctx.db, ctx.clock, args.return_id, decision, bus=ctx.bus)
    except InvalidAction as exc:  # not offered, or a required field missing: the arguments are wrong
        overdue = exc.code == "return_decision_overdue"  # not the arguments: Ozon decides it now
        raise CliError(str(exc), EXIT_FAILED if overdue else EXIT_USAGE) from None
    print(entry.key)
    return 0


def cmd_return_receive(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.returns import receiving

    inspection = receiving.Inspection(
        grade=Grade(args.grade),
        disposition=Disposition(args.disposition or Disposition.RESTOCK.value),
        note=args.note,
        photos=tuple(args.photo),
        marks=tuple(args.mark),
    )
    done = receiving.receive(ctx.db, ctx.clock, args.code, inspection, bus=ctx.bus)
    for r in done.returns:
        print(f"received {r.kind.value} {r.return_id}  {r.posting_number}  {r.product_name}")
    for key in done.decisions:
        print(f"queued: {key}")
    for m in done.flagged:
        print(f"packdesk: WARNING: marking code {m.scanned!r}: {m.problem}", file=sys.stderr)
    return 0


def cmd_chats(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.chat import inbox
    from app.sync_status import plan_limited_since

    with ctx.db.read() as s:
        found = inbox.list_chats(s, inbox.ChatFilter(needs_reply=args.needs_reply))
        limited = plan_limited_since(s, "chats")
    if limited is not None:  # the cache still lists what was synced before
        print("packdesk: the shop's Ozon plan does not include the chat API: chats are not synced", file=sys.stderr)
    if args.json:
        json.dump([inbox.as_json(c) for c in found], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    now = ctx.clock.now()
    for c in found:
        due = c.reply_due
        clock = f"reply by {due.astimezone():%d.%m %H:%M} ({c.urgency(now).value})" if due else ""
        unread = f"{c.unread} unread" if c.unread else ""
        print(f"{c.chat_id}  {c.kind.value:<7} {c.posting_number or '-':<22} {unread:<10} {clock}")
    print(f"{len(found)} chat(s)")
    return 0


def cmd_chat_send(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.chat import attachments, compose, templates
    from app.chat.lint import LintError

    if args.text is None and args.template is None and args.image is None:
        raise CliError("say what to send: --text, --template or --image", EXIT_USAGE)
    try:
        photo = attachments.load_outgoing(args.image) if args.image is not None else None
        keys = []
        if args.text is not None:
            keys.append(compose.send_text(ctx.db, ctx.clock, args.chat_id, args.text, bus=ctx.bus).key)
        if args.template is not None:
            with ctx.db.read() as s:
                filled = templates.fill(s, args.template, args.chat_id, ctx.clock.now())
            entry = compose.send_text(ctx.db, ctx.clock, args.chat_id, filled.text, bus=ctx.bus, allowed=filled.allowed)
            keys.append(entry.key)
        if photo is not None:
            keys.append(compose.send_image(ctx.db, ctx.clock, args.chat_id, photo.name, photo.content, bus=ctx.bus).key)
    except (LintError, attachments.AttachmentRefused) as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except NotFound as exc:
        if exc.code != "template_unknown":
            raise
        raise CliError(str(exc), EXIT_USAGE) from None
    print("\n".join(keys))
    return 0


# -- reviews and questions ---------------------------------------------------------------------


def _feedback_parsers(sub: Any) -> None:
    reviews = sub.add_parser("reviews", help="product reviews, newest first")
    reviews.add_argument("--json", action="store_true", help="print JSON")
    reply = sub.add_parser("review-reply", help="queue a reply to a review (sent by the next sync)")
    reply.add_argument("review_id")
    what = reply.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="the reply (1..3000 characters)")
    what.add_argument("--template", metavar="KEY", help="a reply template, filled from the review's product")
    reply.add_argument("--force", action="store_true", help="send even a reply used for another review lately")
    questions = sub.add_parser("questions", help="buyers' public questions, newest first")
    questions.add_argument("--json", action="store_true", help="print JSON")
    answer = sub.add_parser("question-answer", help="queue an answer to a question (sent by the next sync)")
    answer.add_argument("question_id")
    answer.add_argument("--text", required=True, help="the answer (2..3000 characters)")


def _plan_note(ctx: AppContext) -> None:
    from app.feedback import query

    with ctx.db.read() as s:
        limited = query.plan_limited(s)
    if limited is not None:  # the cache still lists what was synced before
        print(
            "packdesk: the shop's Ozon plan does not include reviews and questions: they are not synced",
            file=sys.stderr,
        )


def cmd_reviews(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.feedback import query

    _plan_note(ctx)
    with ctx.db.read() as s:
        found = query.list_reviews(s)
    if args.json:
        json.dump([query.review_json(r) for r in found], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for r in found:
        replied = "replied" if r.replied else "-"
        print(f"{r.review_id}  {'★' * r.rating:<5} {r.status:<9} {replied:<7} {r.sku:<12} {r.text[:60]!r}")
    print(f"{len(found)} review(s)")
    return 0


def cmd_questions(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.feedback import query

    _plan_note(ctx)
    with ctx.db.read() as s:
        found = query.list_questions(s)
    if args.json:
        json.dump([query.question_json(q) for q in found], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for q in found:
        answered = "answered" if q.answered else "-"
        print(f"{q.question_id}  {q.status:<9} {answered:<8} {q.sku:<12} {q.text[:60]!r}")
    print(f"{len(found)} question(s)")
    return 0


def cmd_review_reply(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.chat.lint import LintError
    from app.feedback import fill, reply

    try:
        text: str = args.text or ""
        allowed: tuple[str, ...] = ()
        if args.template is not None:
            with ctx.db.read() as s:
                filled = fill.fill_for_review(s, args.template, args.review_id)
            text, allowed = filled.text, filled.allowed
        done = reply.reply_to_review(
            ctx.db, ctx.clock, args.review_id, text, bus=ctx.bus, force=args.force, allowed=allowed
        )
    except (LintError, NotFound, InvalidAction) as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if done.entry is None:
        assert done.repeated is not None
        raise CliError(f"not sent: {done.repeated.message}; add --force to send it anyway", EXIT_USAGE)
    print(done.entry.key)
    return 0


def cmd_question_answer(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.chat.lint import LintError
    from app.feedback import reply

    try:
        entry = reply.answer_question(ctx.db, ctx.clock, args.question_id, args.text, bus=ctx.bus)
    except (LintError, NotFound, InvalidAction) as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    print(entry.key)
    return 0


def _read_json(path: Path) -> Any:
    """A JSON file to import; unreadable or malformed is one line and EXIT_USAGE."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE) from None
    except ValueError as exc:
        raise CliError(f"{path} is not valid JSON: {exc}", EXIT_USAGE) from None


def _write_json(path: Path, data: object) -> None:
    from app import atomic

    atomic.write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def cmd_templates(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.chat import templates

    if args.import_file is not None:
        data = _read_json(args.import_file)
        try:
            with ctx.db.write() as s:
                count = templates.import_json(s, data, ctx.clock.now())
        except templates.TemplateError as exc:
            raise CliError(f"{args.import_file}: {exc} (nothing imported)", EXIT_USAGE) from None
        print(f"{count} template(s) imported", file=sys.stderr)
    with ctx.db.read() as s:
        found = templates.all_templates(s)
    if args.export_file is not None:
        _write_json(args.export_file, [t.as_json() for t in found])
        print(f"{len(found)} template(s) written to {args.export_file}", file=sys.stderr)
    if args.json:
        json.dump([t.as_json() for t in found], sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.import_file is None and args.export_file is None:
        for t in found:
            print(f"{t.key:<20} {t.name_zh} / {t.name_en}  [{', '.join(t.intents)}]")
        print(f"{len(found)} template(s)")
    return 0


def cmd_autoreplies(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.chat import autoreply

    if args.import_file is not None:
        data = _read_json(args.import_file)
        try:
            with ctx.db.write() as s:
                count = autoreply.import_rules(s, data, ctx.clock.now())
        except autoreply.RuleError as exc:
            raise CliError(f"{args.import_file}: {exc} (nothing imported)", EXIT_USAGE) from None
        print(f"{count} rule(s) imported", file=sys.stderr)
    with ctx.db.read() as s:
        found = autoreply.rules(s)
        fired = autoreply.log(s, 200) if args.log else []
    if args.export_file is not None:
        _write_json(args.export_file, [r.as_json() for r in found])
        print(f"{len(found)} rule(s) written to {args.export_file}", file=sys.stderr)
    if args.json:
        shown = [e.as_json() for e in fired] if args.log else [r.as_json() for r in found]
        json.dump(shown, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.log:
        for e in fired:
            print(
                f"{e.fired_at.astimezone():%d.%m %H:%M}  {e.outcome:<9} rule {e.rule_id:<3} {e.chat_id}  {e.text[:80]}"
            )
        print(f"{len(fired)} firing(s)")
    elif args.import_file is None and args.export_file is None:
        for r in found:
            mode = "off" if not r.enabled else "dry run" if r.dry_run else "on"
            when = ", ".join([*r.intents, *(repr(k) for k in r.keywords)]) or "any message"
            hours = ", outside hours" if r.outside_hours_only else ""
            print(f"#{r.id:<3} {mode:<7} {r.name}: {when}{hours} -> {r.template_key} (once per {r.period_hours} h)")
        print(f"{len(found)} rule(s)")
    return 0


def _document_file(given: str | Path) -> Path:
    """Where a PDF document goes: a file, never a folder (a folder is a print spool: it would get a `.prn`)."""
    path = Path(given)
    if path.is_dir() or str(given).endswith(("/", os.sep)):
        raise CliError(f"{given} is a folder: give the file to write, e.g. {Path(given) / 'document.pdf'}", EXIT_USAGE)
    return path


def _cached(ctx: AppContext, numbers: Sequence[str]) -> list[posting_repo.CachedPosting]:
    with ctx.db.read() as s:
        found = posting_repo.get_many(s, numbers)
    known = {c.posting.posting_number for c in found}
    for number in numbers:
        if number not in known:
            raise NotFound("posting_unknown", f"posting {number} is not in the local cache", posting=number)
    return found


def _products(ctx: AppContext, cached: Sequence[posting_repo.CachedPosting]) -> dict[int, Product]:
    skus = {item.sku for c in cached for item in c.posting.products}
    with ctx.db.read() as s:
        return {sku: product for sku in skus if (product := product_repo.get(s, sku)) is not None}


def _ozon_label_pdfs(ctx: AppContext, args: argparse.Namespace, numbers: Sequence[str]) -> list[bytes]:
    """Ozon's labels from the cache; the missing ones through a label task (waited for), then cached."""
    from app import label_files
    from sync import label_tasks
    from sync.connect import connect

    missing = [n for n in dict.fromkeys(numbers) if not label_files.has(ctx.paths.labels, n)]
    if missing:
        from sync.connect import demo_emulator

        client = connect(ctx, api_url=args.api_url, emulator=demo_emulator() if args.demo else None).client
        outcome = label_tasks.fetch_now(client, missing, ctx.paths.labels)
        if outcome.unprinted:
            why = "; ".join(f"{n}: {reason}" for n, reason in sorted(outcome.unprinted.items()))
            soon = all("ready" in reason for reason in outcome.unprinted.values())
            hint = " Ozon makes a label about a minute after packing; try again shortly." if soon else ""
            raise UserError("label_not_ready", f"Ozon made no label for {why}.{hint}")
    return [label_files.load(ctx.paths.labels, n) for n in numbers]


def cmd_labels(ctx: AppContext, args: argparse.Namespace) -> int:
    from printing import render, sinks

    settings = ctx.settings
    out = render.Output.parse(
        args.format or settings.label_format, args.size or settings.label_size, args.dpi or settings.label_dpi
    )
    cached = _cached(ctx, args.posting_numbers)
    postings = [c.posting for c in cached]
    if args.kind != "slip":  # a label makes a parcel leave: never for a cancelled posting
        for c in cached:
            if c.is_cancelled:
                number = c.posting.posting_number
                raise UserError("posting_cancelled", f"posting {number} is cancelled: no label", posting=number)
    if args.kind == "ozon":
        from sync.errors import AuthError, OzonError

        try:
            pdfs = _ozon_label_pdfs(ctx, args, args.posting_numbers)
        except OzonError as exc:
            print(f"packdesk: cannot get Ozon's label: {exc}", file=sys.stderr)
            return EXIT_AUTH if isinstance(exc, AuthError) else EXIT_OFFLINE if exc.transient else EXIT_PROTOCOL
        data = render.ozon_label(pdfs, out)
    elif args.kind == "slip":
        data = render.slip(postings, _products(ctx, cached), out, ctx.settings.language)
    else:
        data = render.label(postings, out, ctx.settings.label_sender)
    sinks.FileSink(Path(args.out)).send(data)
    print(f"{args.out}: {len(postings)} posting(s), {args.kind}, {out.format.value} {out.stock.name} {out.dpi} dpi")
    return 0


def cmd_picklist(ctx: AppContext, args: argparse.Namespace) -> int:
    from printing import render, sinks

    cached = _cached(ctx, args.posting_numbers)
    data = render.picklist([c.posting for c in cached], _products(ctx, cached), language=ctx.settings.language)
    sinks.FileSink(_document_file(args.out)).send(data)
    print(f"{args.out}: pick list of {len(cached)} posting(s)")
    return 0


def cmd_dispute_pack(ctx: AppContext, args: argparse.Namespace) -> int:
    """The posting's dispute pack (app/dispute_pack.py) as one PDF."""
    from app import dispute_pack
    from printing import sinks
    from printing.documents.dispute_pack import dispute_pack_pdf

    pack = dispute_pack.read(ctx.db, args.posting_number, ctx.paths.labels)
    if pack is None:
        number = args.posting_number
        raise NotFound("posting_unknown", f"posting {number} is not in the local cache", posting=number)
    data = dispute_pack_pdf(pack, ctx.clock.now(), shop=ctx.settings.label_sender)
    sinks.FileSink(_document_file(args.out)).send(data)
    print(f"{args.out}: dispute pack of {pack.posting_number} ({len(pack.facts.timeline)} events)")
    return 0


def cmd_escalation(ctx: AppContext, args: argparse.Namespace) -> int:
    """The support message on stdout (UTF-8 whatever the locale); the PDF to --pdf."""
    from app.chat import escalation

    with ctx.db.read() as s:
        facts = escalation.gather(s, args.posting_number)
    if facts is None:
        number = args.posting_number
        raise NotFound("posting_unknown", f"posting {number} is not in the local cache", posting=number)
    if args.pdf:
        from printing import sinks
        from printing.documents.escalation import escalation_pdf

        data = escalation_pdf(facts, args.topic, args.note, ctx.clock.now(), shop=ctx.settings.label_sender)
        sinks.FileSink(_document_file(args.pdf)).send(data)
    text = escalation.support_message(facts, args.topic, args.note) + "\n"
    stdout = getattr(sys.stdout, "buffer", None)
    if stdout is not None:
        sys.stdout.flush()
        stdout.write(text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


def cmd_command_sheet(ctx: AppContext, args: argparse.Namespace) -> int:
    from printing import render, sinks

    out = render.Output.parse(args.format or "pdf", args.size, args.dpi or ctx.settings.label_dpi)
    sinks.FileSink(Path(args.out)).send(render.command_sheet(out, ctx.settings.language))
    print(f"{args.out}: command sheet, {out.format.value} {out.stock.name} {out.dpi} dpi")
    return 0


def cmd_print_test(ctx: AppContext, args: argparse.Namespace) -> int:
    from printing import render, sinks

    fmt = args.format or (ctx.settings.label_format if ctx.settings.label_format in ("zpl", "tspl") else "zpl")
    out = render.Output.parse(fmt, ctx.settings.label_size, ctx.settings.label_dpi)
    sink = sinks.open_sink(args.printer)
    sink.send(render.test_label(out), title="Packdesk test label", raw=True)
    print(f"test label sent to {sink.describe()} ({out.format.value}, {out.stock.name}, {out.dpi} dpi)")
    return 0


def _missing_xcb_library() -> str | None:
    """The first library Qt's xcb platform plugin cannot load (dlopen names one), or None."""
    import ctypes
    import re

    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        found = re.search(r"([\w.+-]+\.so[\w.]*): cannot open shared object file", str(exc))
        return found.group(1) if found else None
    return None


def _check_display() -> None:
    """On Linux, one line instead of Qt's abort when the window cannot be shown: no display at all,
    or the xcb libraries missing (the README lists them)."""
    if not sys.platform.startswith("linux"):
        return
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return  # offscreen, wayland, ... chosen on purpose
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return  # Qt may take Wayland
    if not os.environ.get("DISPLAY"):
        raise CliError(
            "no display to show the window on: run it on a desktop, or headless with QT_QPA_PLATFORM=offscreen "
            "(or --screenshot FILE.png)",
            EXIT_NO_DISPLAY,
        )
    missing = _missing_xcb_library()
    if missing is not None:
        raise CliError(
            f"Qt cannot show the window: {missing} is missing (install the xcb libraries the README lists)",
            EXIT_NO_DISPLAY,
        )


def cmd_gui(ctx: AppContext, args: argparse.Namespace, demo: bool, argv: Sequence[str]) -> int:
    from sync.connect import connect, demo_emulator
    from sync.scheduler import SyncScheduler
    from ui.app import run_gui
    from ui.screenshot import Screenshot

    _check_display()
    conn = connect(ctx, api_url=args.api_url, emulator=demo_emulator() if demo else None)
    if demo:
        # Demo mode lives in the emulator's time, so deadlines and arrivals agree.
        ctx.clock = conn.emulator  # type: ignore[assignment]
        conn.engine.clock = conn.emulator  # type: ignore[assignment]
    scheduler = SyncScheduler(conn.engine, 5.0 if demo else ctx.settings.sync_interval_s, _leadership(ctx, conn))
    shot = Screenshot(Path(args.screenshot), args.page) if args.screenshot else None
    return run_gui(
        ctx,
        scheduler,
        demo=demo,
        argv=list(argv),
        client=conn.client.fork(),  # the window's own session: the sync thread keeps its own
        settings_path=paths.resolve(args.data_dir).settings,
        screenshot=shot,
    )


def cmd_backup(ctx: AppContext, args: argparse.Namespace) -> int:
    from app import backup

    if ctx.db.path is None:
        raise CliError("backups are of the SQLite database; database_url names another server", EXIT_FAILED)
    out: Path = args.out
    made = (
        backup.backup_to_folder(
            ctx.db.path, out, ctx.settings.backup_keep, shop=backup.shop_tag(ctx.settings.client_id, bool(args.demo))
        )
        if out.is_dir()
        else backup.backup_to_file(ctx.db.path, out)
    )
    print(f"{made.path}  {made.size} bytes")
    return 0


def cmd_restore(where: paths.Paths, args: argparse.Namespace) -> int:
    """Not through open_context: a damaged database must not stop its own restore."""
    from app import backup, settings
    from app.context import database_url
    from ui import instance_lock  # QtCore only: a lock file shared with the app

    database = guard.sqlite_path(database_url(where, settings.load(where.settings)[0]))
    if database is None:
        raise CliError("restore works on the SQLite database; database_url names another server", EXIT_FAILED)
    backup.check(args.file)  # a bad file is named before the lock is looked at
    lock = instance_lock.acquire(where.data)
    if lock is None:
        raise CliError("restore refused: Packdesk is open on this data folder; close it first", EXIT_BUSY)
    try:
        done = backup.restore(args.file, database)
    finally:
        lock.unlock()
    print(f"restored the backup of {done.backup.taken_at:%Y-%m-%d %H:%M} UTC into {done.database}")
    if done.kept_aside is not None:
        print(f"the previous database is kept as {done.kept_aside}")
    return 0


def cmd_migrate_to(where: paths.Paths, args: argparse.Namespace) -> int:
    """The folder's own SQLite file (whatever PACKDESK_DB_URL says) into an empty server database."""
    from app.context import open_context
    from app.db import copy
    from app.db.engine import Database
    from ui import instance_lock  # QtCore only: a lock file shared with the app

    if not guard.has_data(where.database):
        raise CliError(f"no database to copy in {where.data}", EXIT_DATA_DIR)
    target = Database(args.url)
    if target.is_sqlite:
        raise CliError("migrate-to copies into a database server (postgresql+psycopg://…), not a file", EXIT_USAGE)
    lock = instance_lock.acquire(where.data)
    if lock is None:
        raise CliError("migrate-to refused: Packdesk is open on this data folder; close it first", EXIT_BUSY)
    source = open_context(str(where.data), db_url=sqlite_url(str(where.database)))
    try:
        counts = copy.copy_database(source.db, target)
    finally:
        source.close()
        target.dispose()
        lock.unlock()
    for count in counts:
        print(f"{count.table:<20} {count.source:>10} rows, {count.target} on the server")
    print(f"copied into {target.shown}; use it with --db URL, PACKDESK_DB_URL or Settings → Database")
    return 0


def _stop_start_up_on_sigterm() -> None:
    """Until the window's own handlers take over (ui.app), SIGTERM stops the start-up as Ctrl+C does
    (KeyboardInterrupt: main() closes the database) instead of killing the process."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)


# -- entry point --------------------------------------------------------------------------------


# Commands that work on the local cache alone (no sync, no window).
CACHE_COMMANDS = {
    "orders": cmd_orders,
    "ship": cmd_ship,
    "outbox": cmd_outbox,
    "returns": cmd_returns,
    "return-action": cmd_return_action,
    "return-receive": cmd_return_receive,
    "chats": cmd_chats,
    "chat-send": cmd_chat_send,
    "reviews": cmd_reviews,
    "review-reply": cmd_review_reply,
    "questions": cmd_questions,
    "question-answer": cmd_question_answer,
    "templates": cmd_templates,
    "autoreplies": cmd_autoreplies,
    "labels": cmd_labels,
    "picklist": cmd_picklist,
    "escalation": cmd_escalation,
    "dispute-pack": cmd_dispute_pack,
    "print-test": cmd_print_test,
    "command-sheet": cmd_command_sheet,
    "backup": cmd_backup,
}


# Commands that only read the cache: on a read-only data folder they open the database read-only.
READ_ONLY_COMMANDS = {
    "orders",
    "outbox",
    "returns",
    "chats",
    "reviews",
    "questions",
    "templates",
    "autoreplies",
    "picklist",
    "escalation",
    "dispute-pack",
    "command-sheet",
    "print-test",
}


def _read_only_folder(command: str | None, folder: Path) -> bool:
    """A read-only command on a data folder that takes no new files (write nothing, log to nowhere)."""
    return command in READ_ONLY_COMMANDS and folder.is_dir() and not guard.writable(folder)


def _ensure(where: paths.Paths) -> paths.Paths:
    """The data folder and its subfolders, made; a full disk or a read-only folder is named."""
    try:
        return where.ensure()
    except OSError as exc:
        named = guard.named(exc, where.data)
        if named is None:
            raise
        raise named from exc


def _display_libraries_missing(exc: ImportError) -> DisplayLibrariesMissing | None:
    """Qt failed to load a system library (libEGL.so.1: cannot open shared object file…)."""
    text = str(exc)
    if "shared object file" in text:  # Linux: "libEGL.so.1: cannot open shared object file: …"
        return DisplayLibrariesMissing(text.split(":", 1)[0].strip())
    if "DLL load failed" in text:  # Windows
        return DisplayLibrariesMissing(exc.name or "Qt")
    return None


def _show_startup_error(args: argparse.Namespace, exc: UserError, argv: Sequence[str]) -> None:
    """The window cannot start: say why in a message box too (stderr is unseen from a desktop icon)."""
    from app import settings

    try:
        language = settings.load(paths.resolve(args.data_dir).settings)[0].language
    except Exception:
        language = ""
    try:
        from ui.app import show_startup_error

        show_startup_error(exc, language, ["packdesk", *argv])
    except Exception:
        log.exception("could not show why the window cannot start")


def _open(args: argparse.Namespace, demo: bool, read_only: bool = False) -> AppContext:
    where = paths.resolve(args.data_dir)
    if demo:
        # Demo data lives beside the real data, never in it; `_data_folder` starts it fresh for the
        # GUI and `sync` (a new emulator), the other commands read it as the last demo left it.
        demo_dir = where.data / "demo"
        # The demo shop never writes into the real shop's server: its own file unless --db says so.
        ctx = open_context(str(demo_dir), db_url=args.db or sqlite_url(str(paths.Paths(demo_dir).database)))
        # Demo prints go to a folder, one file per job, so nothing needs a real printer.
        printed = demo_dir / "printed"
        printed.mkdir(parents=True, exist_ok=True)
        ctx.settings = ctx.settings.replace(label_printer=str(printed), document_printer=str(printed))
        return ctx
    return open_context(str(where.data), read_only=read_only)


def _fresh_demo(demo_dir: Path) -> None:
    """Wipe the demo folder for a new demo shop, unless a demo has it open right now."""
    if demo_dir.exists():
        from ui import instance_lock

        running = instance_lock.acquire(demo_dir)
        if running is None:  # never wipe the folder of a demo that is open right now
            raise UserError("demo_open", "the Packdesk demo is already open on this computer")
        running.unlock()
    shutil.rmtree(demo_dir, ignore_errors=True)


def _wants_demo(args: argparse.Namespace) -> bool:
    if args.demo:
        return True
    if args.api_url:
        return False
    from app import secrets, settings

    loaded, _ = settings.load(paths.resolve(args.data_dir).settings)
    if loaded.demo_mode is not None:
        return loaded.demo_mode
    return secrets.load(loaded.client_id) is None


# -- command line: the data folder, one-line failures, exit codes ------------------------------

# Commands that read or add to the local cache: they refuse a folder with no Packdesk data in it.
NEEDS_DATA = frozenset(
    {
        "orders",
        "ship",
        "outbox",
        "returns",
        "return-action",
        "chats",
        "chat-send",
        "templates",
        "autoreplies",
        "return-receive",
        "labels",
        "picklist",
        "escalation",
        "dispute-pack",
    }
    | {"reviews", "review-reply", "questions", "question-answer", "backup"}
)
# Commands that start a new demo shop (a fresh emulator): they wipe and re-seed the demo folder.
FRESH_DEMO = frozenset({None, "sync"})


def _check_data_dir(folder: Path) -> None:
    """CliError unless `folder` is a folder or can become one (not a file, nor under one)."""
    if folder.exists():
        if not folder.is_dir():
            raise CliError(f"the data folder {folder} is a file, not a folder", EXIT_DATA_DIR)
        return
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CliError(f"the data folder {folder} is under a file ({parent})", EXIT_DATA_DIR)
            return


def _data_folder(args: argparse.Namespace, demo: bool) -> paths.Paths:
    """The folder the command works in (`<data>/demo` in demo mode), created unless the command only
    reads what is there; a new demo is wiped first, so its logs start in the fresh folder."""
    folder = paths.resolve(args.data_dir).data
    if demo:
        folder = folder / "demo"
    where = paths.Paths(folder)
    # On the shop's server the data are there; the desk's own folder (settings, logs) must still exist.
    # A new desk named on the command line (`--db`) may start from a folder that does not exist yet.
    on_server = (
        not demo
        and (folder.is_dir() or bool(args.db))
        and not database_url(where, settings.Settings()).startswith("sqlite")
    )
    if args.command in NEEDS_DATA and not (on_server or where.database.exists() or where.settings.exists()):
        if demo:
            raise CliError(f"no demo data in {folder}: start the demo first (main.py --demo)", EXIT_DATA_DIR)
        state = "holds no Packdesk data" if folder.is_dir() else "does not exist"
        raise CliError(f"the data folder {folder} {state} (check --data-dir, or run `sync` first)", EXIT_DATA_DIR)
    if demo and args.command in FRESH_DEMO:
        _fresh_demo(folder)
    return where


def _os_code(exc: OSError) -> int | None:
    """The exit code of an operating-system error the seller can fix, else None."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return EXIT_DISK_FULL
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return EXIT_PERMISSION
    return None


def _sqlite_code(exc: sqlite3.Error) -> int | None:
    """The exit code of a SQLite error the seller can fix (sqlite.org/rescode.html), else None."""
    primary = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    return {
        13: EXIT_DISK_FULL,  # SQLITE_FULL
        8: EXIT_PERMISSION,  # SQLITE_READONLY
        3: EXIT_PERMISSION,  # SQLITE_PERM
        14: EXIT_DATA_DIR,  # SQLITE_CANTOPEN
        5: EXIT_BUSY,  # SQLITE_BUSY
    }.get(primary)


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it was raised from or while handling (or wraps: SQLAlchemy's `orig`), outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        orig = getattr(current, "orig", None)
        current = current.__cause__ or (orig if isinstance(orig, BaseException) else None) or current.__context__
    return chain


def _failure(exc: Exception) -> tuple[str, int] | None:
    """The one line and exit code for a failure the seller can act on; None for a bug."""
    from app.backup import BackupRefused
    from sync.errors import AuthError, OzonError

    if isinstance(exc, CliError):  # its code was chosen where it was raised
        return str(exc), exc.code
    for cause in _causes(exc):
        code = None
        if isinstance(cause, OSError):
            code = _os_code(cause)
        elif isinstance(cause, sqlite3.Error):
            code = _sqlite_code(cause)
        if code is not None:
            if isinstance(exc, PackdeskError):  # its message names what failed
                return str(exc), code
            what = f": {cause.filename}" if isinstance(cause, OSError) and cause.filename else ""
            reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
            return f"{reason}{what}", code
    if isinstance(exc, CredentialsMissing):
        return f"no Ozon account set up: {exc} (set OZON_CLIENT_ID and OZON_API_KEY, or use --demo)", EXIT_NO_ACCOUNT
    if isinstance(exc, (DatabaseTooNew, DatabaseDamaged, DatabaseMissing, BackupRefused)):
        return str(exc), EXIT_DATA_DIR
    if isinstance(exc, DiskFull):
        return str(exc), EXIT_DISK_FULL
    if isinstance(exc, FolderReadOnly):
        return str(exc), EXIT_PERMISSION
    if isinstance(exc, DatabaseInUse):
        return str(exc), EXIT_BUSY
    if isinstance(exc, DisplayLibrariesMissing):
        return str(exc), EXIT_NO_DISPLAY
    if isinstance(exc, UserError) and exc.code == "demo_open":
        return str(exc), EXIT_BUSY
    if isinstance(exc, PackdeskError):
        return str(exc), EXIT_FAILED
    if isinstance(exc, OzonError):
        return str(exc), EXIT_AUTH if isinstance(exc, AuthError) else EXIT_OFFLINE if exc.transient else EXIT_PROTOCOL
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), EXIT_FAILED
    return None


def _report(exc: Exception, log_file: Path | None) -> int:
    """Print one line for `exc` on stderr (never a traceback) and return its exit code."""
    known = _failure(exc)
    if known is None:
        log.exception("unexpected error")
        where_log = f" (details in {log_file})" if log_file else ""
        line, code = f"unexpected error: {type(exc).__name__}{where_log}", EXIT_BUG
    else:
        log.info("command failed: %s", known[0], exc_info=not isinstance(exc, (PackdeskError, CliError)))
        line, code = known
    print("packdesk: " + " ".join(line.split()), file=sys.stderr)
    return code


def _stdout_gone() -> int:
    """stdout was closed early (`orders | head`): point it at devnull so the flush at exit is quiet too
    (the Python docs' advice for SIGPIPE) and exit without a word."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's capture)
        pass
    return EXIT_BROKEN_PIPE


# Commands that need no data folder: run before (and without) its checks, logging to the console only.
NO_DATA_COMMANDS = {"emulator": cmd_emulator, "chat-intents": cmd_chat_intents}


def _run_guarded(args: argparse.Namespace) -> int:
    """`emulator`, `chat-intents`: the command with main()'s failure handling (no data folder, console logging)."""
    try:
        code = NO_DATA_COMMANDS[args.command](args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _stdout_gone()
    except KeyboardInterrupt:  # while the emulator was being set up
        return EXIT_INTERRUPTED
    except Exception as exc:
        return _report(exc, None)


def _self_test(args: argparse.Namespace) -> int:
    """`--self-test`: one line per check on stdout; EXIT_SELF_TEST when one fails."""
    import selftest

    chosen = args.data_dir or os.environ.get("PACKDESK_DATA_DIR")
    results = selftest.run(Path(chosen) if chosen else None, report=lambda r: print(r.line, flush=True))
    return 0 if selftest.passed(results) else EXIT_SELF_TEST


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # No traceback on the console: none from logging itself (a full disk), none before the log file is known.
    logging.raiseExceptions = False
    setup_logging(None, console_level=logging.CRITICAL)
    try:
        args = build_parser().parse_args(argv)
    except BrokenPipeError:  # `--help | head`
        return _stdout_gone()
    if args.db:  # one home for the choice: app.context.database_url reads it from there
        os.environ[DB_URL_ENV] = args.db
    if args.command in NO_DATA_COMMANDS:
        setup_logging(None, console_level=logging.WARNING)
        return _run_guarded(args)
    if args.self_test:
        return _self_test(args)
    ctx: AppContext | None = None
    log_file: Path | None = None
    try:
        # -- the CLI's part: the data folder checked, demo chosen, logs in the folder used --
        _check_data_dir(paths.resolve(args.data_dir).data)
        # The GUI and `sync` fall back to demo mode without an account; the rest only with --demo.
        demo = _wants_demo(args) if args.command in FRESH_DEMO else bool(args.demo)
        if args.command == "sync" and demo and not args.demo:
            reason = "no Ozon account set up (set OZON_CLIENT_ID and OZON_API_KEY, or use --demo)"
            print(f"sync failed: {reason}", file=sys.stderr)
            return EXIT_NO_ACCOUNT
        # -- start-up: a read-only folder is opened read-only; a full disk or read-only folder is named --
        where = _data_folder(args, demo)
        read_only = _read_only_folder(args.command, where.data)
        where = where if read_only else _ensure(where)
        # Warnings go to the log file; the terminal gets one line per failure from the command itself.
        log_file = setup_logging(None if read_only else where.logs, console_level=logging.CRITICAL)
        if args.screenshot and args.command is None:
            from ui.screenshot import use_offscreen_platform

            use_offscreen_platform()  # before Qt starts
        if args.command == "restore":  # the database is not opened (it may be the damaged one)
            return cmd_restore(where, args)
        if args.command == "migrate-to":
            return cmd_migrate_to(where, args)
        ctx = _open(args, demo, read_only)
        for message in ctx.startup_messages:
            print(f"note: {message}", file=sys.stderr)
        if args.command is None:
            _stop_start_up_on_sigterm()
            code = cmd_gui(ctx, args, demo, argv)
        elif args.command == "sync":
            code = cmd_sync(ctx, args, demo)
        else:
            command = CACHE_COMMANDS.get(args.command)
            code = command(ctx, args) if command is not None else EXIT_USAGE
        sys.stdout.flush()  # a closed pipe shows here, not in the flush at exit
        return code
    except BrokenPipeError:
        return _stdout_gone()
    except KeyboardInterrupt:
        print("packdesk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if isinstance(exc, ImportError) and args.command is None:  # Qt could not load a system library
            exc = _display_libraries_missing(exc) or exc
        if args.command is None and not args.screenshot and isinstance(exc, UserError):
            _show_startup_error(args, exc, argv)  # from a desktop icon nobody sees stderr
        return _report(exc, log_file)
    finally:
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":
    sys.exit(main())
