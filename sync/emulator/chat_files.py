"""Files in chats, as Ozon's CDN serves them: ``https://cdn1.ozone.ru/s3/chat-files/<uuid>/<name>``.

A message keeps that address; ``/v3/chat/history`` hands it out pointing back at the emulator's own
origin (``http://<Host of the request>/s3/chat-files/...``, as label files do, see ``labels.py``), so a
client fetches it from the emulator's CDN path (``cdn.py``). A buyer's seeded photo is a small image
made from its file name (the same bytes every time: a JPEG for ``.jpg``/``.jpeg``, else a PNG); a file
the seller sent with ``/v1/chat/send/file`` is kept and served back byte for byte. Any other key is
S3's 404 ``NoSuchKey``.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

from .store import Store

CDN_ORIGIN = "https://cdn1.ozone.ru"
PREFIX = "/s3/chat-files/"
DEFAULT_HOST = "emulator.invalid"
PHOTO_SIZE = (64, 48)
_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}


def add(store: Store, name: str, content: bytes | None = None) -> str:
    """A new file under a fresh key; ``content`` None: a seeded photo drawn from its name. Its CDN address."""
    key = f"{store.ids.uuid()}/{name}"
    store.chat_files[key] = content
    return f"{CDN_ORIGIN}{PREFIX}{key}"


def public_url(url: str, host: str) -> str:
    """A chat file's address as the emulator hands it out: on its own origin."""
    if url.startswith(CDN_ORIGIN + PREFIX):
        return f"http://{host or DEFAULT_HOST}{url[len(CDN_ORIGIN) :]}"
    return url


def photo(name: str) -> bytes:
    """A small picture, the same for the same name: a box in a colour of the name's hash."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    image = Image.new("RGB", PHOTO_SIZE, (230, 230, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 8, 54, 40), fill=(digest[0], digest[1], digest[2]), outline=(60, 60, 60))
    draw.line((10, 18, 54, 18), fill=(60, 60, 60))
    out = io.BytesIO()
    if name.lower().endswith((".jpg", ".jpeg")):
        image.save(out, "JPEG", quality=85)
    else:
        image.save(out, "PNG", optimize=False)
    return out.getvalue()


def find(store: Store, path: str) -> tuple[bytes, str] | None:
    """(bytes, content type) of the chat file at this CDN path, or None."""
    if not path.startswith(PREFIX):
        return None
    key = path[len(PREFIX) :]
    if key not in store.chat_files:
        return None
    content = store.chat_files[key]
    name = key.rsplit("/", 1)[-1]
    if content is None:
        content = photo(name)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return content, _TYPES.get(suffix, "application/octet-stream")
