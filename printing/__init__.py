"""Labels and documents: Ozon's label, Packdesk's own label / waybill, packing slip, pick list,
handover act, scanner command sheet; as PDF, ZPL or TSPL; to a network printer, a system queue or a
file. Imports `app` only (no Qt widgets, no `sync`).

    render.py     documents → bytes (`render.label`, `render.package_label`, `render.slip`, …)
    spooler.py    the print queue's worker: `spooler.print_next(ctx)`, `spooler.print_pending(ctx)`
    sinks.py      `sinks.open_sink(address).send(data, raw=…)`; `PrinterError` says what to check
    commands.py   the command barcodes' values (`commands.NEXT`, …)
    documents/    each document as pages of `layout.Page` (a display list in printer dots)
    layout.py  geometry.py  barcodes.py  fonts.py  raster.py  pdf.py  zpl.py  tspl.py
"""
