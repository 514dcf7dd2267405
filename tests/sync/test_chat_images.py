"""Pictures in buyer chats (sync.chat_images): only Ozon's hosts or the API's own origin are opened, a
picture is downloaded once without Ozon's headers, checked, and cached; nothing else is kept."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import requests
from PIL import Image

from app.chat.attachments import MAX_BYTES
from app.paths import Paths
from sync.chat_images import ChatImageError, ChatImages, allowed
from sync.client import OzonClient
from sync.emulator import Emulator, EmulatorAdapter
from sync.errors import ProtocolError
from tests.app.test_attachments import png_declaring
from tests.sync.test_label_file import FileServer, client_with

from .conftest import API_KEY, BASE, CLIENT_ID, adapter_client

API = "https://api-seller.ozon.ru"


def png(size: tuple[int, int] = (32, 24), colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def buyer_photo(emu: Emulator, client: OzonClient) -> tuple[str, str]:
    """(chat id, address) of a photo a buyer just posted, as the client reads it from the chat."""
    (number,) = emu.create_postings(1)
    emu.send_buyer_message(posting_number=number, text="Коробка пришла мятая")
    chat_id = emu.posting(number)["chat_id"]
    emu.send_buyer_message(chat_id=chat_id, image=True)
    return chat_id, newest_image(client, chat_id)


def newest_image(client: OzonClient, chat_id: str) -> str:
    messages = client.chat_history(chat_id, direction="Backward").items
    return [url for m in messages for url in m.image_urls][-1]


class Counting:
    """A transport that must not be used."""

    base_url = API

    def __init__(self) -> None:
        self.calls = 0

    def download_image(self, url: str, max_bytes: int) -> bytes:
        self.calls += 1
        return png()


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn1.ozone.ru/s3/chat-files/0b5b0f1c-3b1e-4f55-9a8f-1f6c2c0e6d11/photo.jpg",
        "https://ir.ozone.ru/s3/multimedia-1/wc1000/6000000000.jpg",
        "https://cdn1.ozone.ru:443/s3/chat-files/x/y.png",
        "https://static.ozon.ru/a.png",
        "https://files.ozonusercontent.com/a.webp",
        "HTTPS://CDN1.OZONE.RU/s3/x.png",
        BASE + "/s3/chat-files/x/y.png",  # the API's own origin: the emulator
    ],
)
def test_ozons_hosts_and_the_apis_origin_are_allowed(url: str) -> None:
    api = BASE if url.startswith(BASE) else API
    assert allowed(url, api)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "/s3/chat-files/x/y.png",
        "//cdn1.ozone.ru/s3/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "http://cdn1.ozone.ru/s3/x.png",
        "ftp://cdn1.ozone.ru/s3/x.png",
        "https://evil.com/x.png",
        "https://evil.com/cdn1.ozone.ru/x.png",
        "https://cdn1.ozone.ru@evil.com/x.png",
        "https://user:pw@cdn1.ozone.ru/x.png",
        "https://cdn1.ozone.ru.evil.com/x.png",
        "https://evilozone.ru/x.png",
        "https://ozone.ru.evil.com/x.png",
        "https://cdn1.ozone.ru./x.png",
        "https://cdn1.ozone.ru:8443/x.png",
        "https://cdn1.ozone.ru:99999/x.png",
        "https://93.184.216.34/x.png",
        "https://[::1]/x.png",
        "https://127.0.0.1/x.png",
        "https://cdn1.ozone.ru\\@evil.com/x.png",
        "https://cdn1.ozone.ru/x.png\r\nHost: evil.com",
        "https://cdn1.оzone.ru/x.png",  # a Cyrillic о
        "http://emulator.invalid.evil.com/s3/x.png",
        "",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    assert not allowed(url, BASE)
    assert not allowed(url, API)


def test_the_api_origin_must_match_exactly() -> None:
    assert not allowed("http://emulator.invalid:8080/s3/x.png", BASE)
    assert not allowed("https://emulator.invalid/s3/x.png", BASE)  # not a listed host either
    assert not allowed("http://api-seller.ozon.ru/s3/x.png", API)  # plain http to Ozon: never


def test_a_buyer_photo_is_downloaded_once_without_ozons_headers(
    emu: Emulator, client: OzonClient, tmp_path: Path
) -> None:
    _, url = buyer_photo(emu, client)
    assert url.startswith(BASE + "/s3/chat-files/")
    images = ChatImages(client, tmp_path / "chat_images")
    assert images.cached(url) is None
    path = images.get(url)
    assert path.parent == tmp_path / "chat_images"
    assert path.name == hashlib.sha256(url.encode()).hexdigest() + ".jpg"  # seeded photos are JPEGs
    assert path.read_bytes().startswith(b"\xff\xd8\xff")
    assert images.get(url) == path and images.cached(url) == path
    assert ChatImages(client, tmp_path / "chat_images").get(url) == path  # a new session: still cached
    downloads = emu.downloads
    assert len(downloads) == 1 and downloads[0]["status"] == 200
    assert not downloads[0]["sent_api_key"] and not downloads[0]["sent_client_id"]
    assert [p.name for p in (tmp_path / "chat_images").iterdir()] == [path.name]  # no temporary left


def test_seeded_photos_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    got = []
    for i in range(2):
        emulator = Emulator(seed=5, postings=10, client_id=CLIENT_ID, api_key=API_KEY, speed=0.0, live=False)
        (number,) = emulator.create_postings(1)
        emulator.send_buyer_message(posting_number=number, image=True)
        c = adapter_client(emulator)
        url = newest_image(c, emulator.posting(number)["chat_id"])
        got.append(ChatImages(c, tmp_path / str(i)).get(url).read_bytes())
        c.close()
    assert got[0] == got[1]


def test_a_refused_address_makes_no_request(emu: Emulator, client: OzonClient, tmp_path: Path) -> None:
    source = Counting()
    for url in ("https://evil.com/x.png", "file:///etc/passwd", "http://cdn1.ozone.ru/x.png"):
        with pytest.raises(ChatImageError) as caught:
            ChatImages(source, tmp_path).get(url)
        assert caught.value.code == "refused"
        with pytest.raises(ChatImageError):
            ChatImages(client, tmp_path).get(url)
    assert source.calls == 0 and emu.downloads == []
    assert list(tmp_path.iterdir()) == []


def test_a_sent_image_comes_back_byte_identical(emu: Emulator, client: OzonClient, tmp_path: Path) -> None:
    chat_id, _ = buyer_photo(emu, client)
    sent = png()
    client.send_file(chat_id, "box.png", sent)
    url = newest_image(client, chat_id)
    assert url.endswith("/box.png")
    path = ChatImages(client, tmp_path).get(url)
    assert path.read_bytes() == sent and path.suffix == ".png"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("page.png", b"<!DOCTYPE html><html><body>Access denied</body></html>", "not_an_image"),
        ("bomb.png", png_declaring(60_000, 60_000), "too_many_pixels"),
        ("old.png", b"GIF89a" + png()[6:], "format"),
        ("cut.png", png((400, 300))[:200], "corrupt"),
    ],
)
def test_bytes_that_fail_the_check_are_not_kept(
    emu: Emulator, client: OzonClient, tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    chat_id, _ = buyer_photo(emu, client)
    client.send_file(chat_id, name, content)
    url = newest_image(client, chat_id)
    with pytest.raises(ChatImageError) as caught:
        ChatImages(client, tmp_path).get(url)
    assert caught.value.code == code and caught.value.message
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_an_unknown_file_is_unavailable(emu: Emulator, client: OzonClient, tmp_path: Path) -> None:
    url = BASE + "/s3/chat-files/00000000-0000-0000-0000-000000000000/gone.jpg"
    with pytest.raises(ChatImageError) as caught:
        ChatImages(client, tmp_path).get(url)
    assert caught.value.code == "unavailable"
    assert emu.downloads[-1]["status"] == 404
    raw = requests.Session()
    raw.mount(BASE + "/", EmulatorAdapter(emu))
    answer = raw.get(url)
    assert answer.status_code == 404 and b"<Code>NoSuchKey</Code>" in answer.content  # S3's shape


def test_the_download_is_capped_while_streaming(emu: Emulator, client: OzonClient) -> None:
    _, url = buyer_photo(emu, client)
    with pytest.raises(ProtocolError, match="larger than"):
        client.download_image(url, 100)
    server = FileServer(png() + b"\x00" * (MAX_BYTES + 1))
    with pytest.raises(ChatImageError) as caught:
        ChatImages(client_with(server), Path("/nonexistent-never-written")).get("https://cdn1.ozone.ru/s3/x.png")
    assert caught.value.code == "download" and "larger than" in caught.value.message


class Redirecting(FileServer):
    def send(self, request, **kw):  # type: ignore[no-untyped-def]
        response = super().send(request, **kw)
        response.headers["Location"] = "https://evil.com/x.png"
        return response


def test_a_redirect_is_not_followed(tmp_path: Path) -> None:
    server = Redirecting(b"", status=302)
    with pytest.raises(ChatImageError) as caught:
        ChatImages(client_with(server), tmp_path).get("https://cdn1.ozone.ru/s3/x.png")
    assert caught.value.code == "download"
    assert len(server.headers) == 1


def test_the_cdn_is_asked_without_the_key(tmp_path: Path) -> None:
    server = FileServer(png())
    path = ChatImages(client_with(server), tmp_path).get("https://cdn1.ozone.ru/s3/chat-files/a/b.jpg")
    assert path.suffix == ".png"  # named by what the bytes are, not by the address
    (sent,) = server.headers
    assert "Api-Key" not in sent and "Client-Id" not in sent and "secret-key" not in str(sent)


def test_the_cache_lives_in_the_data_folder(tmp_path: Path) -> None:
    assert Paths(tmp_path).chat_images == tmp_path / "chat_images"
