"""Copy diagnostics: versions, folders, settings and the end of the log — no secrets, no buyers' data."""

from __future__ import annotations

from app import diagnostics, logs
from app.context import AppContext
from app.repos import postings as posting_repo
from tests.app.factories import NOW, posting

API_KEY = "b7e5c2a9-1f3d-4e8a-9c6b-2d4f8a1e7c35"


def test_diagnostics_hold_no_secret_and_no_personal_data(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        posting_repo.save(s, [posting(address="Москва, ул. Лесная, д. 7, кв. 12")], NOW)
    ctx.settings = ctx.settings.replace(client_id="987654321", label_sender="Shop LLC")
    logs.register_secret(API_KEY)
    log = ctx.paths.logs / logs.FILE_NAME
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(
        "2026-11-23 INFO sync: pulled 3 postings\n"
        f"2026-11-23 WARNING http: POST /v3/chat/send Api-Key: {API_KEY} refused\n"
        "2026-11-23 INFO chat: message from Иван Петров about 12345678-0001-1, call +7 (916) 123-45-67\n"
        "2026-11-23 INFO chat: buyer ПЕТРОВ wrote 89161234567 or ivan.petrov@mail.ru\n"
        '2026-11-23 DEBUG sync: {"customer_name": "Анна Смирнова", "phone": "+79031112233"}\n'
        "2026-11-23 INFO printing: label for Москва, ул. Лесная, д. 7, кв. 12\n",
        encoding="utf-8",
    )
    text = diagnostics.text(ctx, "6.11.3")
    for secret in (API_KEY, "987654321", "Иван", "Петров", "ПЕТРОВ", "Анна", "Смирнова", "ул. Лесная", "кв. 12"):
        assert secret not in text, secret
    for phone in ("916", "123-45-67", "89161234567", "79031112233", "ivan.petrov"):
        assert phone not in text, phone
    assert "client_id = '*******21'" in text
    assert "12345678-0001-1" in text and "pulled 3 postings" in text  # the rest of the log stays readable
    assert f"Packdesk {diagnostics.version()}" in text and "Qt 6.11.3" in text
    assert str(ctx.paths.data) in text and "postings: awaiting_packaging 1" in text and "outbox: empty" in text
    assert "label_sender = 'Shop LLC'" in text


def test_a_database_url_loses_its_password(ctx: AppContext) -> None:
    settings = ctx.settings.replace(database_url="postgresql://packdesk:s3cr3t-pw@db.local/packdesk")
    (line,) = [x for x in diagnostics.settings_lines(settings) if "database_url" in x]
    assert "s3cr3t-pw" not in line and "db.local" in line


def test_the_version_comes_from_the_package() -> None:
    assert diagnostics.version() == "0.1.0"
    assert diagnostics.mask("123456") == "****56" and diagnostics.mask("") == "(none)"


def test_buyers_left_in_a_log_after_the_purge_are_still_hidden() -> None:
    """The cache no longer names them (purged), so only the shape of the line can tell."""
    from app.diagnostics import HIDDEN, scrub

    nested = 'answer: {"addressee": {"name": "Анна Смирнова", "phone": "+79161234567"}, "customer": {"name": "李伟"}}'
    shown = scrub(nested)
    assert "Анна" not in shown and "李伟" not in shown and "7916" not in shown
    assert scrub("call 916-123-45-67 or (916) 123-45-67") == f"call {HIDDEN} or {HIDDEN}"
    # A product's name is no buyer's: kept where no buyer object is in the line.
    assert scrub('{"name": "Кружка керамическая", "sku": 1001}') == '{"name": "Кружка керамическая", "sku": 1001}'
    # Two-letter names from the cache are hidden too.
    assert "Ли" not in scrub("packed for Ли Вэй", name_words={"ли", "вэй"})


def test_an_unquoted_personal_value_is_hidden_up_to_the_next_key() -> None:
    """`address_tail=Some Street 5, kv 12` was hidden only up to its first space: the rest leaked."""
    from app.diagnostics import HIDDEN, scrub

    assert scrub("returns: address_tail=Some Street 5, kv 12") == f"returns: address_tail={HIDDEN}"
    shown = scrub("label address_tail=Some Street 5, kv 12 posting=12345678-0001-1 status=ok")
    assert shown == f"label address_tail={HIDDEN} posting=12345678-0001-1 status=ok"
    # The other personal keys the same way: names with a space, a phone written in groups, a query string.
    shown = scrub("chat: customer_name=Иван Петров phone=+7 916 123 45 67 addressee=Анна Смирнова; city=Москва")
    assert shown == f"chat: customer_name={HIDDEN} phone={HIDDEN} addressee={HIDDEN}; city=Москва"
    assert scrub("GET /v1/x?address=Lesnaya%207&sku=1001") == f"GET /v1/x?address={HIDDEN}&sku=1001"
    assert scrub("{'address': Лесная 7, кв 12, 'sku': 1001}") == f"{{'address': {HIDDEN}, 'sku': 1001}}"
    assert scrub("buyer name: Ли Вэй") == f"buyer name: {HIDDEN}"
