"""Packdesk: the app and its command line.

python main.py                      the app (demo mode on the embedded emulator without an account)
python main.py emulator             serve the Ozon API emulator on 127.0.0.1:8787
python main.py sync --once          one headless sync cycle
python main.py orders [--status S] [--barcode CODE] [--json]   the cached postings
python main.py ship NUMBER          queue the ship (pack) action
python main.py outbox [--json]      queued actions and their state
python main.py returns [--json]     rFBS return requests and the actions Ozon offers
python main.py return-action ID ACTION [--comment] [--reason] [--amount]   queue a decision
python main.py labels NUMBER... --out FILE   labels or packing slips of cached postings to a file
python main.py picklist NUMBER... --out FILE.pdf   a pick list
python main.py print-test --printer ADDRESS  a test label to a printer
python main.py --demo --screenshot PATH [--page NAME]   a PNG of the window after the first sync
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app import outbox, paths
from app.context import AppContext, open_context
from app.db import guard
from app.domain.products import Product
from app.errors import DatabaseInUse, DisplayLibrariesMissing, NotFound, PackdeskError, UserError
from app.logs import setup as setup_logging
from app.orders import query as order_query
from app.orders.filters import OrderFilter
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.settings import LABEL_DPIS, LABEL_FORMATS, LABEL_SIZES
from app.workflows import shipping

log = logging.getLogger("packdesk")

EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_OFFLINE = 4
EXIT_PROTOCOL = 5
EXIT_BUSY = 6
EXIT_BUG = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="packdesk", description="Packdesk: back-office for Ozon sellers")
    parser.add_argument("--data-dir", help="folder for the database, settings and logs (or PACKDESK_DATA_DIR)")
    parser.add_argument("--api-url", help="Ozon Seller API base URL (default: the real API, or from settings)")
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
    sub = parser.add_subparsers(dest="command")

    emu = sub.add_parser("emulator", help="serve the Ozon Seller API emulator over HTTP")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--port", type=int, default=8787)
    emu.add_argument("--seed", type=int, default=7)
    emu.add_argument("--postings", type=int, default=300)
    emu.add_argument("--quiet-time", action="store_true", help="no live arrivals; time moves only via the control API")
    emu.add_argument("--speed", type=float, default=1.0, help="emulator seconds per real second (default 1)")
    emu.add_argument("--no-live", action="store_true", help="no new orders, messages or cancellations by themselves")

    sync = sub.add_parser("sync", help="synchronise with Ozon")
    sync.add_argument("--once", action="store_true", help="one cycle, print a summary line, exit")

    orders = sub.add_parser("orders", help="list the cached postings")
    orders.add_argument(
        "--status",
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

    rets = sub.add_parser("returns", help="rFBS return requests and the actions Ozon offers for each")
    rets.add_argument("--json", action="store_true", help="print JSON")

    decide = sub.add_parser("return-action", help="queue a decision on an rFBS return request")
    decide.add_argument("return_id", type=int)
    decide.add_argument("action_id", type=int, help="one of the ids `returns` lists for the request")
    decide.add_argument("--comment", default="", help="for the buyer (required to reject)")
    decide.add_argument("--reason", type=int, help="rejection reason id (required to reject)")
    decide.add_argument("--amount", help="partial compensation in roubles (required for id 1020)")

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

    sheet = sub.add_parser("command-sheet", help="write the sheet of scanner command barcodes to a file")
    sheet.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    sheet.add_argument("--format", choices=LABEL_FORMATS, help="default: pdf")
    sheet.add_argument("--size", default="A4", help="A4 (default: all commands on one page) or a label size")
    sheet.add_argument("--dpi", type=int, choices=LABEL_DPIS, help="printer resolution (default: from the settings)")

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
    server = EmulatorServer(emulator, host=args.host, port=args.port)
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
        scheduler = SyncScheduler(conn.engine, ctx.settings.sync_interval_s)
        scheduler.start()
        print("syncing in the background; Ctrl+C to stop", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            scheduler.stop()
        return 0
    result = conn.engine.run_cycle()
    if result.ok:
        print(result.summary())
        return 0
    reason = {"auth": "Ozon refused the credentials", "offline": "cannot reach the Ozon API"}.get(
        result.error_kind, "Ozon answered something Packdesk cannot read"
    )
    print(f"sync failed: {reason}: {result.error}", file=sys.stderr)
    return {"auth": EXIT_AUTH, "offline": EXIT_OFFLINE}.get(result.error_kind, EXIT_PROTOCOL)


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


def cmd_returns(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.repos import returns as return_repo

    with ctx.db.read() as s:
        rows: list[dict[str, Any]] = [
            {
                "return_id": r.return_id,
                "return_number": r.return_number,
                "posting_number": r.posting_number,
                "product": r.product_name,
                "status": r.status,
                "status_name": r.status_name,
                "pending": r.local_status,
                "actions": list(r.available_actions or []),
                "rejection_reasons": list(r.rejection_reasons or []),
            }
            for r in return_repo.rfbs_requests(s)
        ]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for r in rows:
        pending = f" (pending: {r['pending']})" if r["pending"] else ""
        print(f"{r['return_id']}  {r['posting_number']:<22} {r['status_name'] or r['status']}{pending}")
        for action in r["actions"]:
            print(f"    {action['id']:>6}  {action['name']}")
    print(f"{len(rows)} return request(s)")
    return 0


def cmd_return_action(ctx: AppContext, args: argparse.Namespace) -> int:
    from decimal import Decimal, InvalidOperation

    from app.workflows import returns

    try:
        amount = None if args.amount is None else Decimal(args.amount.replace(",", "."))
    except InvalidOperation:
        raise UserError("return_amount_invalid", f"not an amount: {args.amount}") from None
    decision = returns.Decision(args.action_id, args.comment, args.reason, amount)
    entry = returns.decide(ctx.db, ctx.clock, args.return_id, decision, bus=ctx.bus)
    print(entry.key)
    return 0


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
        client = connect(ctx, api_url=args.api_url).client
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
    sinks.FileSink(Path(args.out)).send(data)
    print(f"{args.out}: pick list of {len(cached)} posting(s)")
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


def cmd_gui(ctx: AppContext, args: argparse.Namespace, demo: bool, argv: Sequence[str]) -> int:
    from sync.connect import connect, demo_emulator
    from sync.scheduler import SyncScheduler
    from ui.app import run_gui
    from ui.screenshot import Screenshot

    conn = connect(ctx, api_url=args.api_url, emulator=demo_emulator() if demo else None)
    if demo:
        # Demo mode lives in the emulator's time, so deadlines and arrivals agree.
        ctx.clock = conn.emulator  # type: ignore[assignment]
        conn.engine.clock = conn.emulator  # type: ignore[assignment]
    scheduler = SyncScheduler(conn.engine, 5.0 if demo else ctx.settings.sync_interval_s)
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


# -- entry point --------------------------------------------------------------------------------


# Commands that work on the local cache alone (no sync, no window).
CACHE_COMMANDS = {
    "orders": cmd_orders,
    "ship": cmd_ship,
    "outbox": cmd_outbox,
    "returns": cmd_returns,
    "return-action": cmd_return_action,
    "labels": cmd_labels,
    "picklist": cmd_picklist,
    "print-test": cmd_print_test,
    "command-sheet": cmd_command_sheet,
}


# Commands that only read the cache: on a read-only data folder they open the database read-only.
READ_ONLY_COMMANDS = {"orders", "outbox", "returns", "picklist", "command-sheet", "print-test"}


def _read_only_folder(args: argparse.Namespace) -> bool:
    """A read-only command on a data folder that takes no new files (write nothing, log to nowhere)."""
    folder = paths.resolve(args.data_dir).data
    return args.command in READ_ONLY_COMMANDS and folder.is_dir() and not guard.writable(folder)


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
        # Demo data lives beside the real data, never in it, and starts fresh with the emulator.
        demo_dir = where.data / "demo"
        if demo_dir.exists():
            from ui import instance_lock

            running = instance_lock.acquire(demo_dir)
            if running is None:  # never wipe the folder of a demo that is open right now
                raise UserError("demo_open", "the Packdesk demo is already open on this computer")
            running.unlock()
        shutil.rmtree(demo_dir, ignore_errors=True)
        ctx = open_context(str(demo_dir))
        # Demo prints go to a folder, one file per job, so nothing needs a real printer.
        printed = demo_dir / "printed"
        printed.mkdir(parents=True, exist_ok=True)
        ctx.settings = ctx.settings.replace(label_printer=str(printed), document_printer=str(printed))
        return ctx
    return open_context(str(where.data), read_only=read_only)


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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.command == "emulator":
        setup_logging(None, console_level=logging.WARNING)
        return cmd_emulator(args)
    ctx: AppContext | None = None
    try:
        read_only = _read_only_folder(args)
        where = paths.resolve(args.data_dir) if read_only else _ensure(paths.resolve(args.data_dir))
        # Warnings go to the log file; the terminal gets one line per failure from the command itself.
        log_file = setup_logging(None if read_only else where.logs, console_level=logging.CRITICAL)
        if args.screenshot and args.command is None:
            from ui.screenshot import use_offscreen_platform

            use_offscreen_platform()  # before Qt starts
        # Only the GUI and `sync` fall back to demo mode; the cache commands read what is there.
        demo = _wants_demo(args) if args.command in (None, "sync") else False
        if args.command == "sync" and demo and not args.demo:
            reason = "no Ozon account set up (set OZON_CLIENT_ID and OZON_API_KEY, or use --demo)"
            print(f"sync failed: {reason}", file=sys.stderr)
            return EXIT_AUTH
        ctx = _open(args, demo, read_only)
        for message in ctx.startup_messages:
            print(f"note: {message}", file=sys.stderr)
        if args.command is None:
            return cmd_gui(ctx, args, demo, argv)
        if args.command == "sync":
            return cmd_sync(ctx, args, demo)
        command = CACHE_COMMANDS.get(args.command)
        return command(ctx, args) if command is not None else EXIT_USAGE
    except PackdeskError as exc:
        print(f"packdesk: {exc}", file=sys.stderr)
        if args.command is None and not args.screenshot and isinstance(exc, UserError):
            _show_startup_error(args, exc, argv)
        return EXIT_BUSY if isinstance(exc, DatabaseInUse) else 1
    except Exception as exc:
        missing = _display_libraries_missing(exc) if isinstance(exc, ImportError) and args.command is None else None
        if missing is not None:
            log.error("%s (%s)", missing, exc)
            print(f"packdesk: {missing}", file=sys.stderr)
            return 1
        log.exception("unexpected error")
        where_log = f" (details in {Path(log_file)})" if "log_file" in locals() and log_file else ""
        print(f"packdesk: unexpected error: {type(exc).__name__}{where_log}", file=sys.stderr)
        return EXIT_BUG
    finally:
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":
    sys.exit(main())
