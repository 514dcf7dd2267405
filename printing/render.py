"""Documents to printer bytes: the entry points the packing desk, the spooler and the CLI call.

    out = render.Output(render.Format.ZPL, geometry.stock("75x120"), 203)
    data = render.label([posting], out)            # Packdesk's own label / waybill
    data = render.package_label(posting, out, ctx.paths.labels)   # what a scan at the desk prints

Each function returns the whole job (one PDF, or one ZPL/TSPL stream with one label per page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from app import label_files
from app.domain.postings import Posting
from app.domain.products import Product
from app.errors import UserError
from app.settings import Settings
from printing import pdf, tspl, zpl
from printing.documents import act as act_doc
from printing.documents import command_sheet as command_doc
from printing.documents import own_label
from printing.documents import ozon_label as ozon_doc
from printing.documents import picklist as picklist_doc
from printing.documents import slip as slip_doc
from printing.documents import test_label as test_doc
from printing.geometry import A4, DEFAULT_STOCK, Stock, check_dpi, stock
from printing.layout import Page


class Format(StrEnum):
    PDF = "pdf"
    ZPL = "zpl"
    TSPL = "tspl"

    @classmethod
    def parse(cls, value: str) -> Format:
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise UserError("unknown_format", f"unknown print format {value!r}: use pdf, zpl or tspl") from None

    @property
    def is_raw(self) -> bool:
        """Printer-language bytes rather than a document for a driver."""
        return self is not Format.PDF


@dataclass(frozen=True, slots=True)
class Output:
    format: Format = Format.PDF
    stock: Stock = DEFAULT_STOCK
    dpi: int = 203

    @classmethod
    def parse(cls, format: str, size: str, dpi: int) -> Output:
        return cls(Format.parse(format), stock(size), check_dpi(dpi))

    @classmethod
    def for_labels(cls, settings: Settings) -> Output:
        """The label printer as the settings describe it."""
        return cls.parse(settings.label_format, settings.label_size, settings.label_dpi)

    @classmethod
    def for_documents(cls) -> Output:
        """Office printer: A4 PDF, bars on a 300 dpi grid (which is also a 600 dpi laser's grid)."""
        return cls(Format.PDF, A4, 300)


def encode(pages: Sequence[Page], fmt: Format, title: str = "Packdesk") -> bytes:
    if fmt is Format.ZPL:
        return zpl.render(pages)
    if fmt is Format.TSPL:
        return tspl.render(pages)
    return pdf.render(pages, title=title)


def label(postings: Sequence[Posting], out: Output, sender: str = "") -> bytes:
    """Packdesk's own package label / waybill, one per posting; the main barcode is the posting number."""
    return encode(own_label.pages(postings, out.stock, out.dpi, sender), out.format, "labels")


def ozon_label(pdfs: Sequence[bytes], out: Output) -> bytes:
    """Ozon's label PDFs: as they are for PDF output, as dot-exact bitmaps for ZPL/TSPL."""
    if out.format is Format.PDF:
        return ozon_doc.merge(pdfs)
    pages = [page for one in pdfs for page in ozon_doc.pages(one, out.stock, out.dpi)]
    return encode(pages, out.format)


def package_label(posting: Posting, out: Output, labels_dir: Path, sender: str = "") -> bytes:
    """The label a packer prints for a posting: Ozon's (from the cache) for FBS, Packdesk's for rFBS.
    Raises `label_files.LabelNotCached` when Ozon's label is not downloaded yet."""
    if posting.is_rfbs:
        return label([posting], out, sender)
    return ozon_label([label_files.load(labels_dir, posting.posting_number)], out)


def slip(postings: Sequence[Posting], products: Mapping[int, Product], out: Output, language: str = "") -> bytes:
    """Packing slips (a posting's slip may take several pages), in one job."""
    pages = [page for p in postings for page in slip_doc.pages(p, products, out.stock, out.dpi, language)]
    return encode(pages, out.format, "slip")


def picklist(
    postings: Sequence[Posting],
    products: Mapping[int, Product],
    out: Output | None = None,
    language: str = "",
    now: datetime | None = None,
) -> bytes:
    out = out or Output.for_documents()
    pages = picklist_doc.pages(postings, products, out.dpi, out.stock, language, now)
    return encode(pages, out.format, "pick list")


def act(
    postings: Sequence[Posting],
    out: Output | None = None,
    *,
    sender: str = "",
    number: str = "",
    places: Mapping[str, int] | None = None,
    language: str = "",
    now: datetime | None = None,
) -> bytes:
    out = out or Output.for_documents()
    pages = act_doc.pages(
        postings, out.dpi, sender=sender, number=number, places=places, stock=out.stock, language=language, now=now
    )
    return encode(pages, out.format, "handover act")


def command_sheet(out: Output, language: str = "") -> bytes:
    return encode(command_doc.pages(out.stock, out.dpi, language), out.format, "scanner commands")


def test_label(out: Output, now: datetime | None = None) -> bytes:
    return encode(test_doc.pages(out.stock, out.dpi, out.format.value, now), out.format, "test label")
