"""What an image in a buyer chat must be, in one place (docs/reliability.md, Untrusted input).

`check_image` is the gate for every image bytes Packdesk keeps or sends: a photo a buyer posted
(downloaded by `sync.chat_images`) and a photo the seller attaches from disk (`load_outgoing`).
An image must be

- at most `MAX_BYTES` long;
- PNG, JPEG or WEBP by its content (the first bytes), never by a file name or a server's word;
- at most `MAX_PIXELS` in size, read from the header *before* anything is decoded: a small file that
  declares a huge canvas (a decompression bomb) is refused without allocating it;
- whole: it is decoded completely (under the pixel cap), so a truncated or corrupt file is refused.

Refusals raise `AttachmentRefused` with a stable `code` (`too_large`, `too_many_pixels`, `format`,
`not_an_image`, `corrupt`, `unreadable`) and a plain English message.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

MAX_BYTES = 10 * 1024 * 1024  # Ozon's own limit for a chat file (/v1/chat/send/file)
MAX_PIXELS = 40_000_000  # 40 megapixels: any phone photo, never a 160 MB RGBA canvas
FORMATS = ("PNG", "JPEG", "WEBP")
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
MAX_NAME_CHARS = 100  # of the stem; Ozon takes up to 255


class AttachmentRefused(Exception):
    """The bytes are not an image Packdesk accepts; `code` says why, the message in plain words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: str  # one of FORMATS
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A photo the seller attaches: a safe file name with the right extension, and the checked bytes."""

    name: str
    content: bytes
    info: ImageInfo


def sniff(content: bytes) -> str:
    """The format the first bytes announce: one of FORMATS, another known word, or ''."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if content.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "WEBP"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if content.startswith(b"BM"):
        return "BMP"
    if content[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if content[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "HEIF"
    return ""


def check_image(content: bytes) -> ImageInfo:
    """The image's format and size, or AttachmentRefused."""
    if len(content) > MAX_BYTES:
        raise AttachmentRefused("too_large", f"The image is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    kind = sniff(content)
    if kind and kind not in FORMATS:
        raise AttachmentRefused("format", f"{kind} images are not accepted: only PNG, JPEG and WEBP.")
    if not kind:
        raise AttachmentRefused("not_an_image", "The file is not an image (PNG, JPEG or WEBP).")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Image.open reads the header only; nothing is decoded until load().
            with Image.open(io.BytesIO(content), formats=[kind]) as image:
                width, height = image.size
                if width <= 0 or height <= 0:
                    raise AttachmentRefused("corrupt", "The image declares no size.")
                if width * height > MAX_PIXELS:
                    raise AttachmentRefused("too_many_pixels", _too_many(width, height))
                image.load()  # the whole picture: a truncated or corrupt file fails here
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise AttachmentRefused("too_many_pixels", "The image is too large in pixels.") from None
        except AttachmentRefused:
            raise
        except Image.UnidentifiedImageError:
            raise AttachmentRefused("not_an_image", f"The file is not a valid {kind} image.") from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError, struct.error):
            raise AttachmentRefused("corrupt", f"The {kind} image is truncated or corrupt.") from None
    return ImageInfo(kind, width, height)


def _too_many(width: int, height: int) -> str:
    return f"The image is {width}×{height} pixels; at most {MAX_PIXELS // 1_000_000} megapixels are accepted."


def load_outgoing(path: Path) -> Outgoing:
    """A photo from disk for the seller to send: a regular file, read no further than MAX_BYTES + 1
    bytes (a bigger one is refused from its size alone), checked by `check_image`, and named by a
    safe base name with the extension of the format it really is."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise AttachmentRefused("unreadable", f"{path.name or path} is not a regular file.")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())  # the file opened, not whatever the name pointed at earlier
            if not stat.S_ISREG(info.st_mode):
                raise AttachmentRefused("unreadable", f"{path.name or path} is not a regular file.")
            if info.st_size > MAX_BYTES:
                raise AttachmentRefused("too_large", f"The image is larger than {MAX_BYTES // (1024 * 1024)} MB.")
            content = fh.read(MAX_BYTES + 1)
    except AttachmentRefused:
        raise
    except OSError as exc:
        raise AttachmentRefused("unreadable", f"Cannot read {path.name or path}: {exc.strerror or exc}.") from None
    checked = check_image(content)  # a file that grew past MAX_BYTES since the stat is refused here
    return Outgoing(safe_name(path.name, checked), content, checked)


def safe_name(name: str, info: ImageInfo) -> str:
    """A base name with no folders, no control or odd characters, and the checked format's extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = re.sub(r"[^\w\-]+", "_", stem, flags=re.UNICODE).strip("._-")[:MAX_NAME_CHARS] or "photo"
    return stem + info.extension
