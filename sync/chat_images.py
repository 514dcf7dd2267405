"""Pictures in buyer chats (docs/reliability.md, Untrusted input): fetched only from Ozon's own hosts,
checked by `app.chat.attachments.check_image`, kept in a local cache.

A message's `image_urls` come from the API, and so from the buyer's side of the chat: an address is
opened only when `allowed` says so — https to a host of Ozon's (`ALLOWED_HOSTS`, default port), or the
API's own origin (the emulator serves chat files there). Anything else is refused before a request is
made. The download goes through `Transport.download_image` (no Ozon headers, a size cap, no redirects).

`ChatImages.get` returns a file in the cache folder named by the sha256 of the address plus the
extension of the format the bytes really are, written atomically (`app.atomic`); the same address is
downloaded once. Bytes that fail the check are not kept.

A `ChatImages` uses its transport from one thread at a time (a requests.Session is not thread-safe):
give a background worker a `Transport.fork()`.
"""

from __future__ import annotations

import hashlib
import ipaddress
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from app import atomic
from app.chat.attachments import EXTENSIONS, MAX_BYTES, AttachmentRefused, check_image
from sync.errors import FileUnavailable, NetworkError, OzonError, ServerError

# Ozon's image hosts: any subdomain of these (cdn1.ozone.ru, ir.ozone.ru, *.ozonusercontent.com...).
ALLOWED_HOSTS = ("*.ozone.ru", "*.ozon.ru", "*.ozonusercontent.com")
MAX_URL_CHARS = 2048


class ChatImageError(Exception):
    """A chat picture Packdesk cannot show; `code` says why (`refused`, `unavailable`, `network`,
    `server`, `download`, or a refusal code of `check_image`), the message in plain words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ImageSource(Protocol):
    """What `ChatImages` needs of a transport (`sync.http.Transport`, `sync.client.OzonClient`)."""

    base_url: str

    def download_image(self, url: str, max_bytes: int) -> bytes: ...


def _listed(host: str) -> bool:
    for pattern in ALLOWED_HOSTS:
        suffix = pattern.removeprefix("*")
        if host.endswith(suffix) and len(host) > len(suffix):
            return True
    return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def allowed(url: str, api_base_url: str) -> bool:
    """True when Packdesk may fetch this picture: https to a listed host on the default port, or the
    API's own origin. No userinfo, IP literals, other schemes, relative or odd addresses."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS or not url.isascii():
        return False
    if any(ch.isspace() or ord(ch) < 0x20 or ch in "\\\x7f" for ch in url):
        return False
    try:
        target, api = urlsplit(url), urlsplit(api_base_url.rstrip("/"))
        port = target.port
    except ValueError:
        return False
    if "@" in target.netloc or not target.netloc:
        return False
    if target.scheme in ("http", "https") and (target.scheme, target.netloc) == (api.scheme, api.netloc):
        return True  # the API's own origin: the emulator (Ozon itself serves chat files from its CDN)
    host = (target.hostname or "").lower()
    if target.scheme != "https" or not host or _is_ip(host) or host.endswith("."):
        return False
    if port not in (None, 443):
        return False
    return _listed(host)


class ChatImages:
    """Chat pictures by address: from the cache, or downloaded, checked and cached."""

    def __init__(self, source: ImageSource, cache_dir: Path) -> None:
        self.source = source
        self.cache_dir = cache_dir

    def _stem(self, url: str) -> str:
        return hashlib.sha256(url.encode("utf-8")).hexdigest()

    def cached(self, url: str) -> Path | None:
        """The cached file for this address, if it was fetched before (no network)."""
        stem = self._stem(url)
        for extension in dict.fromkeys(EXTENSIONS.values()):
            candidate = self.cache_dir / f"{stem}{extension}"
            if candidate.is_file():
                return candidate
        return None

    def get(self, url: str) -> Path:
        """The picture's file in the cache; ChatImageError when it cannot be had."""
        if not allowed(url, self.source.base_url):
            raise ChatImageError("refused", f"Packdesk does not open pictures from this address: {url[:80]}")
        hit = self.cached(url)
        if hit is not None:
            return hit
        try:
            content = self.source.download_image(url, MAX_BYTES)
        except FileUnavailable:
            raise ChatImageError("unavailable", "The picture is no longer on Ozon's server.") from None
        except NetworkError as exc:
            raise ChatImageError("network", f"Could not fetch the picture: {exc.message}.") from exc
        except ServerError as exc:
            raise ChatImageError("server", f"Ozon's file server failed: {exc.message}.") from exc
        except OzonError as exc:
            raise ChatImageError("download", f"Could not fetch the picture: {exc.message}.") from exc
        try:
            info = check_image(content)
        except AttachmentRefused as exc:
            raise ChatImageError(exc.code, exc.message) from None
        return atomic.write_bytes(self.cache_dir / f"{self._stem(url)}{info.extension}", content)
