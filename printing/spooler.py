"""The print spooler: takes the next job from `app.print_queue`, renders it, sends it, and records it.

A job that fails (printer off, refused, hanging; a label not downloaded; a barcode refused) is marked
`failed` with a sentence the seller can act on and stays in the queue to retry or cancel: it is never
lost. Every print and reprint is written to the posting's history (who, what, where, why).

Runs in a worker thread (never the GUI thread); it opens its own short DB sessions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from app import desks, history, label_files, print_queue
from app.context import AppContext
from app.errors import UserError
from app.history import EventKind
from app.print_queue import DocKind, PrintJob
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from printing import render, sinks
from printing.render import Output

log = logging.getLogger(__name__)

SinkFactory = Callable[[str], sinks.Sink]
LABEL_PRINTER_KINDS = frozenset({DocKind.OZON_LABEL, DocKind.OWN_LABEL, DocKind.SLIP, DocKind.COMMANDS, DocKind.TEST})


@dataclass(frozen=True, slots=True)
class Printer:
    target: str  # a printer address (see printing.sinks)
    output: Output


@dataclass(frozen=True, slots=True)
class PrintResult:
    job: PrintJob
    ok: bool
    error: str = ""
    printer: str = ""
    size: int = 0  # bytes sent


def printer_for(ctx: AppContext, job: PrintJob) -> Printer:
    """Labels, slips and command sheets go to the label printer in its format; pick lists and acts to
    the document printer as A4 PDF. A job's own printer (if set) replaces the address, not the format."""
    settings = ctx.settings
    if job.kind in LABEL_PRINTER_KINDS:
        return Printer(job.printer or settings.label_printer, Output.for_labels(settings))
    return Printer(job.printer or settings.document_printer, Output.for_documents())


def render_job(ctx: AppContext, job: PrintJob, output: Output) -> bytes:
    """The bytes of a job, from the local cache (works offline). An act job prints Ozon's act when the
    sync engine has downloaded it for the job (a carriage), Packdesk's own otherwise."""
    if job.kind is DocKind.ACT and (ozon_act := label_files.load_act(ctx.paths.labels, job.key)) is not None:
        return render.ozon_label([ozon_act], output)
    with ctx.db.read() as s:
        cached = posting_repo.get_many(s, job.posting_numbers)
        found = {c.posting.posting_number for c in cached}
        missing = [n for n in job.posting_numbers if n not in found]
        if missing:
            raise UserError("posting_unknown", f"posting {missing[0]} is not in the local cache", posting=missing[0])
        postings = [c.posting for c in cached]
        skus = {item.sku for p in postings for item in p.products}
        products = product_repo.get_many(s, skus)
    sender = ctx.settings.label_sender
    language = ctx.settings.language
    if job.kind is DocKind.OZON_LABEL:
        return render.ozon_label([label_files.load(ctx.paths.labels, n) for n in job.posting_numbers], output)
    if job.kind is DocKind.OWN_LABEL:
        return render.label(postings, output, sender)
    if job.kind is DocKind.SLIP:
        return render.slip(postings, products, output, language)
    if job.kind is DocKind.PICKLIST:
        return render.picklist(postings, products, output, language)
    if job.kind is DocKind.ACT:
        return render.act(postings, output, sender=sender, language=language)
    if job.kind is DocKind.COMMANDS:
        return render.command_sheet(output, language)
    if job.kind is DocKind.TEST:
        return render.test_label(output)
    raise UserError("print_kind_unknown", f"Packdesk cannot print documents of kind {job.kind.value!r}")


def printing_desk(ctx: AppContext) -> str:
    """The desk whose jobs this spooler prints (app.desks.printing_desk)."""
    return desks.printing_desk(ctx.db, desks.desk_name(ctx.settings))


def print_job(ctx: AppContext, job: PrintJob, sink_for: SinkFactory = sinks.open_sink) -> PrintResult:
    """Render and send one job, then mark it done or failed and record it in the postings' history."""
    printer = printer_for(ctx, job)
    where = printer.target or "(no printer set up)"
    try:
        sink = sink_for(printer.target)
        where = sink.describe()
        data = render_job(ctx, job, printer.output)
        sink.send(
            data,
            title=f"Packdesk {job.kind.value} {' '.join(job.posting_numbers)}"[:120],
            raw=printer.output.format.is_raw,
        )
    except UserError as exc:
        return _failed(ctx, job, str(exc), where)
    except Exception as exc:
        log.exception("printing job %s failed", job.key)
        return _failed(
            ctx, job, f"unexpected error while printing ({type(exc).__name__}); details are in the log", where
        )
    now = ctx.clock.now()
    kind = EventKind.REPRINT if job.is_reprint else EventKind.PRINT
    detail = f"{job.kind.value} → {where}" + (f"; reason: {job.reason}" if job.reason else "")
    with ctx.db.write() as s:
        print_queue.mark_done(s, job.key, now)
        for number in job.posting_numbers:
            history.record(s, number, kind, now, detail, job.user, job.desk or printing_desk(ctx))
    log.info("printed %s (%s) on %s, %d bytes", job.kind.value, " ".join(job.posting_numbers), where, len(data))
    return PrintResult(job, True, printer=where, size=len(data))


def _failed(ctx: AppContext, job: PrintJob, error: str, where: str) -> PrintResult:
    now = ctx.clock.now()
    with ctx.db.write() as s:
        print_queue.mark_failed(s, job.key, now, error)
        for number in job.posting_numbers:
            what = f"{job.kind.value} → {where}: {error}"
            history.record(s, number, EventKind.PRINT_FAILED, now, what, job.user, job.desk or printing_desk(ctx))
    log.warning("print job %s (%s) failed: %s", job.key, job.kind.value, error)
    return PrintResult(job, False, error, where)


def print_next(ctx: AppContext, sink_for: SinkFactory = sinks.open_sink) -> PrintResult | None:
    """Print the oldest queued job of this desk (`printing_desk`); None when there is none. A job no
    desk asked for is taken for this desk first (one desk prints it, not every desk woken for it)."""
    desk = printing_desk(ctx)
    while True:
        with ctx.db.read() as s:
            job = print_queue.next_queued(s, desk)
        if job is None:
            return None
        if desk and not job.desk:
            with ctx.db.write() as s:
                taken = print_queue.take(s, job.key, desk)
            if not taken:
                continue  # another desk took it meanwhile
            job = replace(job, desk=desk)
        return print_job(ctx, job, sink_for)


def print_pending(ctx: AppContext, sink_for: SinkFactory = sinks.open_sink, limit: int = 100) -> list[PrintResult]:
    """Print queued jobs in order until the queue is empty or one fails (the printer is likely down:
    the rest wait for it rather than failing one by one)."""
    results: list[PrintResult] = []
    while len(results) < limit:
        result = print_next(ctx, sink_for)
        if result is None:
            break
        results.append(result)
        if not result.ok:
            break
    return results
