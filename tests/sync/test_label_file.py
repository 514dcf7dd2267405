"""Ozon's label file comes from its file server: fetched without the API key, over https, within a size
limit, and only if it is a PDF."""

from __future__ import annotations

import io

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from app.secrets import Credentials
from sync.client import OzonClient
from sync.errors import ProtocolError

CDN = "https://cdn1.ozone.ru/s3/fbs-labels/5819327210249.pdf"


class FileServer(BaseAdapter):
    """Answers any GET with `body`, recording the headers it was sent."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        super().__init__()
        self.body, self.status = body, status
        self.headers: list[dict[str, str]] = []

    def send(self, request, **kw):  # type: ignore[no-untyped-def]
        self.headers.append(dict(request.headers))
        response = requests.Response()
        response.status_code = self.status
        response.headers = CaseInsensitiveDict({"Content-Type": "application/pdf"})
        response.raw = io.BytesIO(self.body)
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


def client_with(server: FileServer) -> OzonClient:
    session = requests.Session()
    session.mount("https://cdn1.ozone.ru/", server)
    session.mount("http://", server)
    return OzonClient("https://api-seller.ozon.ru", Credentials("1", "secret-key"), session=session)


def test_the_file_is_fetched_without_ozons_headers() -> None:
    server = FileServer(b"%PDF-1.7\n" + b"x" * 1000)
    assert client_with(server).label_file(CDN, postings=1).startswith(b"%PDF")
    (sent,) = server.headers
    assert "Api-Key" not in sent and "Client-Id" not in sent and "secret-key" not in str(sent)


def test_anything_but_a_pdf_is_refused() -> None:
    with pytest.raises(ProtocolError, match="not a PDF"):
        client_with(FileServer(b"<html>Access denied</html>")).label_file(CDN, postings=1)


def test_a_file_beyond_the_limit_is_cut_off_and_refused() -> None:
    huge = b"%PDF-1.7\n" + b"0" * (9 * 1024 * 1024)  # over 8 MB for one posting
    with pytest.raises(ProtocolError, match="larger than 8 MB"):
        client_with(FileServer(huge)).label_file(CDN, postings=1)
    assert client_with(FileServer(huge)).label_file(CDN, postings=40).startswith(b"%PDF")  # 40 × 256 KB allowed


def test_a_plain_http_address_of_another_host_is_not_opened() -> None:
    server = FileServer(b"%PDF-1.7")
    with pytest.raises(ProtocolError, match="will not open"):
        client_with(server).label_file("http://cdn1.ozone.ru/s3/x.pdf", postings=1)
    with pytest.raises(ProtocolError, match="will not open"):
        client_with(server).label_file("file:///etc/passwd", postings=1)
    assert server.headers == []  # nothing was asked for
