"""A small TSPL interpreter for exactly the commands Packdesk emits: SIZE, GAP, DIRECTION,
REFERENCE, CLS, BAR, BITMAP (mode 0, bit 0 = black) and PRINT. Anything else is an error, so a
new command in the writer needs a matching line here (and a look at the printer's manual)."""

from __future__ import annotations

import re

from PIL import Image, ImageDraw

_SIZE = re.compile(rb"SIZE ([\d.]+) mm,([\d.]+) mm")


def run(data: bytes, dpi: int) -> list[Image.Image]:
    """The printed labels, as mode "1" images (0 = black)."""
    labels: list[Image.Image] = []
    page: Image.Image | None = None
    size = (0, 0)
    pos = 0
    while pos < len(data):
        if data.startswith(b"BITMAP ", pos):
            # BITMAP x,y,width_bytes,height,mode,<raw bytes>: the payload may hold CR LF bytes itself.
            comma = _nth(data, b",", 5, pos)
            x, y, wb, h, mode = (int(v) for v in data[pos + 7 : comma].decode().split(","))
            assert mode == 0, "only OVERWRITE bitmaps are emitted"
            payload = data[comma + 1 : comma + 1 + wb * h]
            assert len(payload) == wb * h, "truncated BITMAP"
            assert page is not None, "BITMAP before CLS"
            page.paste(Image.frombytes("1", (wb * 8, h), payload), (x, y))
            pos = comma + 1 + wb * h
            assert data[pos : pos + 2] == b"\r\n", "BITMAP payload not followed by CR LF"
            pos += 2
            continue
        end = data.index(b"\r\n", pos)
        line = data[pos:end]
        pos = end + 2
        text = line.decode("ascii")
        if m := _SIZE.fullmatch(line):
            size = (round(float(m[1]) * dpi / 25.4), round(float(m[2]) * dpi / 25.4))
        elif text.startswith(("GAP ", "DIRECTION ", "REFERENCE ")):
            pass
        elif text == "CLS":
            assert size != (0, 0), "CLS before SIZE"
            page = Image.new("1", size, 1)
        elif text.startswith("BAR "):
            x, y, w, h = (int(v) for v in text[4:].split(","))
            assert page is not None
            ImageDraw.Draw(page).rectangle((x, y, x + w - 1, y + h - 1), fill=0)
        elif text == "PRINT 1,1":
            assert page is not None
            labels.append(page)
            page = None
        else:
            raise AssertionError(f"unexpected TSPL command {text!r}")
    return labels


def _nth(data: bytes, sep: bytes, n: int, start: int) -> int:
    at = start - 1
    for _ in range(n):
        at = data.index(sep, at + 1)
    return at
