"""Files the emulator serves the way Ozon's CDN does (``/s3/...``): plain GET, no auth, no rate limit.

A CDN gets no Ozon headers, so every request for a file path is recorded in ``Store.downloads`` with
whether an ``Api-Key`` or ``Client-Id`` header came along (a client must never send its key there).
Errors are S3-style XML, not Ozon's JSON: 404 ``NoSuchKey``, 405 ``MethodNotAllowed``.
"""

from __future__ import annotations

from . import chat_files, labels
from .dispatch import Reply
from .store import Store

PREFIX = "/s3/"


def is_file_path(path: str) -> bool:
    return path.startswith(PREFIX)


def _xml_error(status: int, code: str, message: str) -> Reply:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Reply(status, body.encode(), "application/xml")


def serve(store: Store, method: str, path: str, headers: dict[str, str]) -> Reply:
    """``headers`` with lower-case names."""
    with store.lock:
        store.run_due()
        reply = _answer(store, method, path)
        store.downloads.append(
            {
                "path": path,
                "status": reply.status,
                "sent_api_key": "api-key" in headers,
                "sent_client_id": "client-id" in headers,
            }
        )
        return reply


def _answer(store: Store, method: str, path: str) -> Reply:
    if method != "GET":
        return _xml_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
    found = chat_files.find(store, path)
    if found is not None:
        return Reply(200, *found)
    task = store.label_files.get(path[len(labels.FILE_PREFIX) :]) if path.startswith(labels.FILE_PREFIX) else None
    if task is None:
        return _xml_error(404, "NoSuchKey", "The specified key does not exist.")
    return Reply(200, labels.pdf(store, task), "application/pdf")
