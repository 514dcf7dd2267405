"""What a chat image must be (app.chat.attachments): real PNG/JPEG/WEBP pass; anything oversized, a
decompression bomb, truncated, not an image or another format is refused, and never by file name."""

from __future__ import annotations

import io
import os
import struct
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from app.chat.attachments import (
    MAX_BYTES,
    MAX_PIXELS,
    AttachmentRefused,
    ImageInfo,
    check_image,
    load_outgoing,
)


def encoded(fmt: str, size: tuple[int, int] = (40, 30), **kw: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, fmt, **kw)
    return out.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width×height (RGB): one compressed zero row, nothing allocated."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (1 + 3 * min(width, 1000)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def refused(content: bytes) -> str:
    with pytest.raises(AttachmentRefused) as caught:
        check_image(content)
    assert caught.value.message and caught.value.message[0].isupper()  # a sentence for the seller
    return caught.value.code


def test_real_png_jpeg_and_webp_pass() -> None:
    assert check_image(encoded("PNG")) == ImageInfo("PNG", 40, 30)
    assert check_image(encoded("JPEG", quality=80)) == ImageInfo("JPEG", 40, 30)
    assert check_image(encoded("WEBP")) == ImageInfo("WEBP", 40, 30)
    assert check_image(encoded("JPEG")).extension == ".jpg"


def test_too_many_bytes_is_refused_before_anything_else() -> None:
    assert refused(encoded("PNG") + b"\x00" * MAX_BYTES) == "too_large"


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = png_declaring(60_000, 60_000)  # 3.6 gigapixels, ~10 GB as RGB
    assert len(bomb) < 2_000
    assert refused(bomb) == "too_many_pixels"
    # Just over the cap (still far below Pillow's own bomb limit) is refused too, without decoding.
    side = int(MAX_PIXELS**0.5) + 1
    assert refused(png_declaring(side, side)) == "too_many_pixels"


def test_a_truncated_or_corrupt_image_is_refused() -> None:
    png = encoded("PNG", size=(300, 200))
    assert refused(png[: len(png) // 2]) == "corrupt"
    jpeg = encoded("JPEG", size=(300, 200))
    assert refused(jpeg[: len(jpeg) // 2]) == "corrupt"
    assert refused(png[:20]) in ("corrupt", "not_an_image")  # the signature and nothing usable
    header = png_declaring(10, 10)[:33]  # signature and IHDR
    garbled = header + chunk(b"IDAT", b"not zlib at all" * 4) + chunk(b"IEND", b"")
    assert refused(garbled) == "corrupt"
    bad_crc = bytearray(png)
    bad_crc[29] ^= 0xFF  # the IHDR checksum
    assert refused(bytes(bad_crc)) in ("corrupt", "not_an_image")


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body>not a photo</body></html>",
        b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF",
        b"",
        b"\x00" * 64,
    ],
    ids=["html", "pdf", "empty", "zeros"],
)
def test_what_is_not_an_image_is_refused_whatever_it_is_called(content: bytes, tmp_path: Path) -> None:
    assert refused(content) == "not_an_image"
    named = tmp_path / "photo.png"
    named.write_bytes(content)
    with pytest.raises(AttachmentRefused) as caught:
        load_outgoing(named)
    assert caught.value.code == "not_an_image"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt: str) -> None:
    assert refused(encoded(fmt)) == "format"


def test_an_outgoing_photo_gets_a_safe_name_with_its_real_extension(tmp_path: Path) -> None:
    photo = tmp_path / "Фото коробки (1).JPG"
    photo.write_bytes(encoded("PNG"))  # a PNG however it is called
    out = load_outgoing(photo)
    assert out.name == "Фото_коробки_1.png"
    assert out.content == photo.read_bytes() and out.info.format == "PNG"
    odd = tmp_path / "..\\..\\x.webp"
    odd.write_bytes(encoded("JPEG"))
    assert load_outgoing(odd).name == "x.jpg"
    hidden = tmp_path / ".jpg"
    hidden.write_bytes(encoded("JPEG"))
    assert load_outgoing(hidden).name == "jpg.jpg"
    nameless = tmp_path / "%%%.png"
    nameless.write_bytes(encoded("WEBP"))
    assert load_outgoing(nameless).name == "photo.webp"


def test_an_outgoing_file_must_be_a_small_regular_readable_file(tmp_path: Path) -> None:
    def code(path: Path) -> str:
        with pytest.raises(AttachmentRefused) as caught:
            load_outgoing(path)
        return caught.value.code

    assert code(tmp_path) == "unreadable"  # a folder
    assert code(tmp_path / "missing.png") == "unreadable"
    huge = tmp_path / "huge.png"
    with huge.open("wb") as fh:  # sparse: refused from its size, never read
        fh.write(encoded("PNG"))
        fh.truncate(MAX_BYTES + 1)
    assert code(huge) == "too_large"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
def test_an_outgoing_device_or_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    link = tmp_path / "zero.png"
    link.symlink_to("/dev/zero")
    for path in (fifo, link):
        with pytest.raises(AttachmentRefused) as caught:
            load_outgoing(path)
        assert caught.value.code == "unreadable"
