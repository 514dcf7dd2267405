"""Pages → ZPL II (Zebra and compatibles).

Text is drawn on the PC (the printer's fonts lack Cyrillic and Chinese) and sent as `^GF` graphics,
**bit 1 = black**, zlib-compressed (`:Z64:`, about a third of the bytes of ZPL's compressed ASCII hex).
A label printed alone joins its lines of text into a few graphics: a 75×120 label at 203 dpi is some
6–8 KB instead of 17–25 KB as hex. In a batch, lines that recur (captions, the sender, dates) are sent
once and recalled from the printer's memory, some 4–5 KB per label. Code 128 is the
printer's own `^BC` in mode N with the code sets spelled out (so the printed width is exactly the one
laid out), module width in whole dots via `^BY`. EAN-13 is drawn bar by bar with `^GB`: `^BE`
lengthens the guard bars into whatever is printed below them, by an amount that differs between
firmwares.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import zlib
from collections import Counter
from collections.abc import Sequence

from PIL import Image, ImageChops

from printing import raster
from printing.barcodes import Symbol, Symbology
from printing.layout import Bars, Bitmap, Page, Rect, Text

_START = {"B": ">:", "C": ">;"}
_SWITCH = {"B": ">6", "C": ">5"}  # CODE B (from C), CODE C (from B)
# Run lengths in ZPL's ASCII compression: G..Y = 1..19, g..z = 20..400.
_COUNT_LOW = {n: chr(ord("G") + n - 1) for n in range(1, 20)}
_COUNT_HIGH = {n * 20: chr(ord("g") + n - 1) for n in range(1, 21)}
_RUN = re.compile(r"(.)\1+")
_INVERT = bytes(255 - b for b in range(256))
GF_BAND_BYTES = 16_000
# Up to this many bitmap bytes the hex may be shorter than Z64 (whose frame alone is 20 characters).
_HEX_MAY_WIN = 64
# Text graphics a job keeps in the printer's memory (R:, its DRAM): how many, and their bitmap bytes.
MAX_STORED = 256
MAX_STORED_BYTES = 256_000


def render(pages: Sequence[Page], z64: bool = True, share: bool = True) -> bytes:
    """The job. `share`: a line of text that recurs in the job (captions, the sender, dates) is sent
    once, stored in the printer's memory (`~DG` to `R:`) and recalled on each label (`^XG`). `z64=False`
    sends graphics in compressed ASCII hex only (for firmware without Z64). A job of one label (a scan
    at the packing desk) joins its lines of text into blocks (see `_text_blocks`): 4–5 % fewer bytes
    for some 10 ms; a batch keeps one cached field per line, as its recurring lines are stored anyway."""
    stored = _shared_texts(pages, z64) if share and len(pages) > 1 else {}
    head = "".join(f"~DGR:{name}.GRF,{total},{row_bytes},{data}\n" for name, total, row_bytes, data in stored.values())
    join = len(pages) == 1
    return (head + "".join(page_zpl(page, z64, stored, join) for page in pages)).encode("utf-8")


_TextKey = tuple[str, int, bool]
_Placed = tuple[int, int, Image.Image]  # x, y and the bitmap (0 = black)
_Stored = tuple[str, int, int, str]  # name, total bytes, bytes per row, data


def _shared_texts(pages: Sequence[Page], z64: bool) -> dict[_TextKey, _Stored]:
    """The text lines worth storing in the printer: used more than once in the job and sent in one
    field; those that save the most bytes, within `MAX_STORED` and `MAX_STORED_BYTES`. Names are the
    same in every job (`PDT000.GRF`…), so a job overwrites the last one's graphics instead of filling
    the memory."""
    uses = Counter((t.text, t.size, t.bold) for page in pages for t in page.texts())
    savings = []
    for key, count in uses.items():
        fields = _text_fields(*key, z64)
        if count > 1 and len(fields) == 1:
            _dy, total, row_bytes, data = fields[0]
            savings.append(((count - 1) * len(data), key, total, row_bytes, data))
    savings.sort(key=lambda item: -item[0])
    stored: dict[_TextKey, _Stored] = {}
    memory = 0
    for _saved, key, total, row_bytes, data in savings:
        if len(stored) == MAX_STORED or memory + total > MAX_STORED_BYTES:
            break
        stored[key] = (f"PDT{len(stored):03d}", total, row_bytes, data)
        memory += total
    return stored


def page_zpl(page: Page, z64: bool = True, stored: dict[_TextKey, _Stored] | None = None, join: bool = True) -> str:
    """One label; lines of text in `stored` are recalled from the printer's memory (see `render`), the
    others go as one graphic each or, with `join`, in blocks of lines (see `_text_blocks`)."""
    stored = stored or {}
    out = [f"^XA^CI28^PW{page.width}^LL{page.height}^LH0,0^PON"]
    lines: list[Text] = []
    for e in page.elements:
        if isinstance(e, Rect):
            out.append(f"^FO{e.x},{e.y}^GB{e.width},{e.height},{min(e.width, e.height)},B,0^FS")
        elif isinstance(e, Bars):
            out.append(_barcode(e))
        elif isinstance(e, Text):
            shared = stored.get((e.text, e.size, e.bold))
            if shared is not None:
                x, y, _image = raster.placed_text(e)
                out.append(f"^FO{x},{y}^XGR:{shared[0]}.GRF,1,1^FS")
            elif join:
                lines.append(e)
            else:
                out.append(_text(e, z64))
        elif isinstance(e, Bitmap):
            out.append(graphic(e.x, e.y, e.image, z64=z64))
    out.extend(_text_blocks(lines, z64))
    out.append("^XZ\n")
    return "".join(out)


def _text_blocks(lines: Sequence[Text], z64: bool) -> list[str]:
    """The lines of text as `^GF` fields, top to bottom, a line joining the block above it (one bitmap
    holding both, the white between them included) whenever that is shorter than the two apart: one
    field header, CRC and deflate code table instead of two, and a longer context to compress in. A
    Zebra ORs a graphic onto the label (white prints nothing), so the dots are exactly those of the
    lines drawn one by one. The choice is made at a faster zlib level than the one sent."""
    placed = sorted(((raster.placed_text(e), e) for e in lines), key=lambda item: (item[0][1], item[0][0]))
    blocks: list[tuple[_Placed, Text | None]] = []  # the bitmap, and the line when it is alone
    size = 0  # of the last block, at the trial level
    for line, e in placed:
        alone = _trial_text_size(e.text, e.size, e.bold, z64)
        if blocks:
            joined = _joined(blocks[-1][0], line)
            joined_size = _trial_size(joined, z64)
            if joined_size < size + alone:
                blocks[-1] = (joined, None)
                size = joined_size
                continue
        blocks.append((line, e))
        size = alone
    return [_text(e, z64) if e is not None else graphic(*block, False, z64) for block, e in blocks]


def _joined(a: _Placed, b: _Placed) -> _Placed:
    """One bitmap (0 = black) with the ink of both, at the top left corner of their union."""
    left, top = min(a[0], b[0]), min(a[1], b[1])
    right = max(a[0] + a[2].width, b[0] + b[2].width)
    bottom = max(a[1] + a[2].height, b[1] + b[2].height)
    joined = Image.new("1", (right - left, bottom - top), 1)
    joined.paste(a[2], (a[0] - left, a[1] - top))
    box = (b[0] - left, b[1] - top, b[0] - left + b[2].width, b[1] - top + b[2].height)
    joined.paste(ImageChops.logical_and(joined.crop(box), b[2]), box)  # white is 1: AND keeps all ink
    return left, top, joined


# Deciding which lines to join: zlib level 6 is some five times faster than 9, and within 1 % of it.
_TRIAL_LEVEL = 6


def _trial_size(placed: _Placed, z64: bool) -> int:
    x, y, image = placed
    return sum(len(_gf(x, y, field)) for field in _fields(image, False, z64, _TRIAL_LEVEL))


@functools.lru_cache(maxsize=4096)
def _trial_text_size(text: str, size: int, bold: bool, z64: bool) -> int:
    image = raster.text_bitmap(text, size, bold).image
    return _trial_size((0, 0, image), z64)


def code128_field_data(symbol: Symbol) -> str:
    """The `^BC` mode N data: start code, then the text with a code-set switch where the plan has one."""
    parts = []
    current = ""
    for code_set, text in symbol.segments:
        parts.append(_START[code_set] if not current else _SWITCH[code_set])
        current = code_set
        # In subset B a literal '>' is written '>0' and '~' is '>='.
        parts.append(text.replace(">", ">0").replace("~", ">=") if code_set == "B" else text)
    return "".join(parts)


def _field_data(data: str) -> str:
    """`^FD…` with `^FH` hex escapes for the characters ZPL would read as commands."""
    if not any(ch in data for ch in "^~_"):
        return f"^FD{data}^FS"
    escaped = "".join(f"_{ord(ch):02X}" if ch in "^~_" else ch for ch in data)
    return f"^FH_^FD{escaped}^FS"


def _barcode(e: Bars) -> str:
    if e.symbol.symbology is Symbology.EAN13:
        return "".join(
            f"^FO{e.x + start * e.module},{e.y}^GB{width * e.module},{e.height},{width * e.module},B,0^FS"
            for start, width in e.symbol.bars()
        )
    return f"^FO{e.x},{e.y}^BY{e.module}^BCN,{e.height},N,N,N,N{_field_data(code128_field_data(e.symbol))}"


def graphic(x: int, y: int, image: Image.Image, run_lengths: bool = True, z64: bool = True) -> str:
    """`^GF` of a Packdesk bitmap (mode "1", 0 = black; ZPL's 1 = black).

    Each field is ZPL's `:Z64:` encoding (zlib, base64, CRC) or its compressed ASCII hex, whichever is
    shorter: Z64 is a third to a sixth the size of hex for text and whole labels; hex can win only on
    tiny bitmaps (a dot, a rule), so only those are tried both ways. A big bitmap (a whole label at
    300 dpi is 157 KB) goes in horizontal bands: `^GF` counts at most 99,999 bytes, and smaller fields
    keep within the graphic buffer of modest printers. `run_lengths` adds the hex run-length counts
    (slow on text, where Z64 wins anyway); `z64=False` leaves only the hex.
    """
    return "".join(_gf(x, y, field) for field in _fields(image, run_lengths, z64))


_Field = tuple[int, int, int, str]  # first row, total bytes, bytes per row, data


def _gf(x: int, y: int, field: _Field) -> str:
    dy, total, row_bytes, data = field
    return f"^FO{x},{y + dy}^GFA,{total},{total},{row_bytes},{data}^FS"


@functools.lru_cache(maxsize=4096)
def _text_fields(text: str, size: int, bold: bool, z64: bool) -> tuple[_Field, ...]:
    """A line of text's `^GF` fields, encoded once: a batch repeats captions, dates and senders."""
    return _fields(raster.text_bitmap(text, size, bold).image, False, z64)


def _text(e: Text, z64: bool) -> str:
    x, y, _image = raster.placed_text(e)
    return "".join(_gf(x, y, field) for field in _text_fields(e.text, e.size, e.bold, z64))


def _fields(image: Image.Image, run_lengths: bool, z64: bool, level: int = 9) -> tuple[_Field, ...]:
    """Each band of the bitmap as (first row, total bytes, bytes per row, data)."""
    row_bytes = (image.width + 7) // 8
    # Invert to ZPL's polarity; the padding bits at the row ends become 0 = white.
    data = raster.byte_aligned(image).tobytes().translate(_INVERT)
    band = max(1, GF_BAND_BYTES // row_bytes) * row_bytes
    fields = []
    for start in range(0, len(data), band):
        chunk = data[start : start + band]
        if not z64:
            encoded = compress(chunk, row_bytes, run_lengths)
        else:
            encoded = z64_data(chunk, level)
            if len(chunk) <= _HEX_MAY_WIN:
                hex_rows = compress(chunk, row_bytes, run_lengths)
                encoded = hex_rows if len(hex_rows) < len(encoded) else encoded
        fields.append((start // row_bytes, len(chunk), row_bytes, encoded))
    return tuple(fields)


def z64_data(data: bytes, level: int = 9) -> str:
    """ZPL's `:Z64:` graphic data: zlib-deflated, base64, then the CRC-16 (CCITT, XModem) of the base64
    text in four hex digits."""
    text = base64.b64encode(zlib.compress(data, level)).decode("ascii")
    return f":Z64:{text}:{binascii.crc_hqx(text.encode('ascii'), 0):04X}"


def compress(data: bytes, row_bytes: int, run_lengths: bool = True) -> str:
    """ZPL ASCII compression: `:` repeats the previous row, `,` fills the row with 0s, `!` with 1s,
    and a run of one hex digit is prefixed by its count (G–Y = 1–19, g–z = 20–400)."""
    rows = []
    previous = None
    for start in range(0, len(data), row_bytes):
        row = data[start : start + row_bytes].hex().upper()
        if row == previous:
            rows.append(":")
            continue
        previous = row
        body = row.rstrip("0")
        tail = "," if len(body) < len(row) else ""
        if not tail:
            body = row.rstrip("F")
            tail = "!" if len(body) < len(row) else ""
        if run_lengths and body:
            body = _RUN.sub(_run_length, body)
        rows.append(body + tail)
    return "".join(rows)


def _run_length(match: re.Match[str]) -> str:
    count = len(match.group(0))
    if count < 3:
        return match.group(0)
    prefix = ""
    while count >= 20:
        step = min(400, count // 20 * 20)
        prefix += _COUNT_HIGH[step]
        count -= step
    if count:
        prefix += _COUNT_LOW[count]
    return prefix + match.group(1)
