"""A large shop's year in a data folder: about 3,000 postings a day, 1,000,000 in all, written with bulk
SQL (recursive CTEs and INSERT … SELECT on the driver's connection), never row by row through the ORM.

    python -m tests.bench.archive_data DIR [N]

Most postings are delivered, about 6 % cancelled, a few hundred still to pack or hand over; 1–3 items
each of 3,000 products (with EAN-13 barcodes, the ones tests/bench/scan_bench.py scans); every
posting of the last `HISTORY_DAYS` days has its history (scans, packed, a label print, the ship
action), marking codes for a tenth of them; buyer chats and returns linked to delivered postings.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

N = 1_000_000
PER_DAY = 3_000
NOW = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)
PRODUCTS = 3_000
HISTORY_DAYS = 60
FIRST_SKU = 2_000_000

_WORDS = ("Кружка", "Футболка", "Чехол", "Лампа", "Рюкзак", "Термос", "Наушники", "Коврик", "Зонт", "Пазл")
_KINDS = ("керамическая", "хлопковая", "для телефона", "настольная", "городской", "стальной", "беспроводные")
_CITIES = ("Москва", "Казань", "Самара", "Омск", "Пермь", "Тверь")
_WAREHOUSES = ("Подольск", "Казань", "Новосибирск")


def ean13(n: int) -> str:
    body = f"460{n:09d}"
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


def posting_number(i: int) -> str:
    """The i-th posting's number (as the SQL below writes it)."""
    return f"{50_000_000 + i:08d}-{(i * 37) % 10_000:04d}-1"


def tracking_number(i: int) -> str:
    return f"RP{400_000_000 + i:09d}RU" if i % 6 == 0 else ""


def marking_ident(i: int, unit: int) -> str:
    return f"0104600000{(i * 7 + unit) % PRODUCTS:06d}21S{i:09d}{unit}"


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# SQL pieces over `seq(i)`: a posting's age in seconds, its hash, its status.
_SECONDS_PER_POSTING = 86_400.0 / PER_DAY
_AGE = f"((:n - 1 - i) * {_SECONDS_PER_POSTING})"
_HASH = "((i * 2654435761) % 4294967296)"
_STATUS = f"""CASE
    WHEN {_AGE} < 3 * 3600 THEN CASE WHEN {_HASH} % 20 = 0 THEN 'awaiting_approve' ELSE 'awaiting_packaging' END
    WHEN {_AGE} < 5 * 3600 THEN 'awaiting_deliver'
    WHEN {_HASH} % 100 < 6 THEN 'cancelled'
    WHEN {_AGE} < 2 * 86400 THEN CASE WHEN {_HASH} % 7 = 0 THEN 'driver_pickup' ELSE 'delivering' END
    WHEN {_HASH} % 5000 = 7 THEN 'arbitration'
    ELSE 'delivered' END"""


def _at(offset: str) -> str:
    """A DATETIME text `offset` seconds after NOW (negative = before)."""
    return f"strftime('%Y-%m-%d %H:%M:%f000', :now, ({offset}) || ' seconds')"


def _seq(n: str = ":n") -> str:
    return f"WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {n} - 1)"


def generate(data_dir: Path, n: int = N) -> float:
    """Fill `data_dir` (a new data folder) with `n` postings; returns seconds."""
    from app.context import open_context

    started = time.perf_counter()
    ctx = open_context(str(data_dir))  # the schema at head, as the app makes it
    database = ctx.paths.database
    ctx.close()
    con = sqlite3.connect(database)
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -200000")
    con.execute("PRAGMA temp_store = MEMORY")
    params = {"n": n, "now": _stamp(NOW)[:-3]}
    with con:
        _products(con)
        _postings(con, params)
        _history(con, params)
        _chats_and_returns(con, params)
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return time.perf_counter() - started


def count(data_dir: Path) -> int:
    """How many postings a generated data folder holds (its N)."""
    con = sqlite3.connect(data_dir / "packdesk.sqlite3")
    try:
        return int(con.execute("SELECT count(*) FROM postings").fetchone()[0])
    finally:
        con.close()


def _products(con: sqlite3.Connection) -> None:
    rows = []
    for k in range(PRODUCTS):
        name = f"{_WORDS[k % len(_WORDS)]} {_KINDS[(k * 3) % len(_KINDS)]} №{k}"
        offer = f"OF-{k:05d}"
        rows.append((FIRST_SKU + k, k + 1, offer, name, "", _stamp(NOW), f"{offer}\n{name}".casefold()))
    con.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.executemany(
        "INSERT INTO product_barcodes (barcode, sku) VALUES (?, ?)",
        [(ean13(k), FIRST_SKU + k) for k in range(PRODUCTS)],
    )
    # What a posting's search text says about each product (folded in Python: SQLite folds ASCII only).
    con.execute("CREATE TEMP TABLE prod (k INTEGER PRIMARY KEY, sku INTEGER, offer_id TEXT, name TEXT, folded TEXT)")
    con.executemany(
        "INSERT INTO prod VALUES (?, ?, ?, ?, ?)",
        [(k, r[0], r[2], r[3], f"{r[0]}\n{r[2]}\n{r[3]}".casefold()) for k, r in enumerate(rows)],
    )


def _postings(con: sqlite3.Connection, params: dict[str, object]) -> None:
    number = "printf('%08d-%04d-1', 50000000 + i, (i * 37) % 10000)"
    order = "printf('%08d-%04d', 50000000 + i, (i * 37) % 10000)"
    items = f"(1 + {_HASH} % 3)"
    sku_k = f"((i * 7 + pos) % {PRODUCTS})"
    cities = " ".join(f"WHEN {j} THEN '{c}'" for j, c in enumerate(_CITIES))
    houses = " ".join(f"WHEN {j} THEN 'Склад {w}'" for j, w in enumerate(_WAREHOUSES))
    con.execute(
        f"""{_seq()}, st(i, status) AS (SELECT i, {_STATUS} FROM seq)
        INSERT INTO postings (posting_number, order_number, order_id, status, substatus, shipment_date,
            in_process_at, delivering_date, delivery_method_id, delivery_method_name, warehouse_id,
            warehouse_name, tpl_provider, tpl_integration_type, tracking_number, is_express, customer_name,
            city, address, pvz_code, upper_barcode, lower_barcode, cancel_reason, available_actions,
            local_status, synced_at, search_text, scanit, parent_posting_number, requirements, is_multibox,
            multi_box_qty)
        SELECT {number}, {order}, 900000000 + i, s.status, '',
            {_at(f"-{_AGE} + 86400")}, {_at(f"-{_AGE}")},
            CASE WHEN s.status IN ('awaiting_packaging', 'awaiting_approve', 'awaiting_deliver') THEN NULL
                 ELSE {_at(f"-{_AGE} + 7200")} END,
            100 + i % 8, 'Ozon Логистика, способ ' || (i % 8), 10 + i % 3, CASE i % 3 {houses} END, 'Ozon',
            CASE WHEN i % 6 = 0 THEN 'non_integrated' ELSE 'ozon' END,
            CASE WHEN i % 6 = 0 THEN printf('RP%09dRU', 400000000 + i) ELSE '' END,
            i % 50 = 0, 'Покупатель ' || (i % 997), CASE i % 6 {cities} END, 'ул. Ленина, ' || (1 + i % 200), '',
            printf('%d', 70000000000 + i), printf('%d', 80000000000 + i),
            CASE WHEN s.status = 'cancelled' THEN 'Отменено покупателем' ELSE '' END,
            CASE WHEN s.status = 'awaiting_packaging' THEN 'ship cancel' ELSE '' END,
            NULL, {_at("0")},
            {number} || char(10) || {order} || char(10)
                || (SELECT group_concat(p.folded, char(10)) FROM prod p
                    WHERE p.k IN ((i * 7) % {PRODUCTS}, (i * 7 + 1) % {PRODUCTS}, (i * 7 + 2) % {PRODUCTS})
                      AND (p.k - i * 7 % {PRODUCTS} + {PRODUCTS}) % {PRODUCTS} < {items}),
            printf('ii%010d', i), '', '{{}}', 0, 1
        FROM st s""",
        params,
    )
    con.execute(
        f"""{_seq()}, kk(pos) AS (VALUES (0), (1), (2))
        INSERT INTO posting_items (posting_number, position, sku, offer_id, name, quantity, price, currency)
        SELECT {number}, pos, p.sku, p.offer_id, p.name, 1 + (pos + i) % 2 * (i % 3 = 0),
            printf('%d.00', 299 + {sku_k}),
            'RUB'
        FROM seq JOIN kk ON pos < {items} JOIN prod p ON p.k = {sku_k}""",
        params,
    )


def _history(con: sqlite3.Connection, params: dict[str, object]) -> None:
    """Every posting of the last HISTORY_DAYS days that was packed: its scans, packing, print, ship."""
    recent = HISTORY_DAYS * PER_DAY
    number = "printf('%08d-%04d-1', 50000000 + i, (i * 37) % 10000)"
    packed = f"{_AGE} >= 3 * 3600 AND {_AGE} < {HISTORY_DAYS} * 86400"
    con.execute(
        f"CREATE TEMP TABLE hist AS {_seq()} SELECT i, {number} AS number, {_AGE} AS age FROM seq "
        f"WHERE i >= :n - {recent} AND {packed}",
        params,
    )
    user = "'packer' || (i % 4 + 1)"
    steps = [  # (seconds after the posting came in, kind, detail)
        ("1800", "'scan_posting'", "number"),
        ("1830", "'scan_item'", "(SELECT offer_id FROM posting_items WHERE posting_number = number AND position = 0)"),
        ("1860", "'packed'", "'1 коробка'"),
        ("1870", "'print'", "'ozon_label'"),
        ("1880", "'action_queued'", "'ship ' || printf('%08x-0000-4000-8000-%012d', i, i)"),
        ("1900", "'action_done'", "'ship'"),
    ]
    for offset, kind, detail in steps:
        con.execute(
            f"INSERT INTO posting_events (posting_number, at, kind, detail, user) "
            f"SELECT number, {_at(f'-age + {offset}')}, {kind}, {detail}, {user} FROM hist",
            params,
        )
    con.execute(
        f"""INSERT INTO print_jobs (key, kind, posting_numbers, printer, state, attempts, last_error, is_reprint,
            reason, user, created_at, updated_at, printed_at)
        SELECT printf('%08x-0000-4000-9000-%012d', i, i), 'ozon_label', number, '', 'done', 1, '', 0, '', {user},
            {_at("-age + 1870")}, {_at("-age + 1872")}, {_at("-age + 1872")}
        FROM hist""",
        params,
    )
    con.execute(  # what print_queue.enqueue writes with each job: its postings, by index
        "INSERT INTO print_job_postings (posting_number, job_id) SELECT posting_numbers, id FROM print_jobs"
    )
    con.execute(
        f"""INSERT INTO marking_codes (ident, code, posting_number, sku, scanned_at, user)
        SELECT printf('0104600000%06d21S%09d0', (i * 7) % {PRODUCTS}, i),
            printf('0104600000%06d21S%09d0', (i * 7) % {PRODUCTS}, i) || char(29) || '93abcd', number,
            {FIRST_SKU} + (i * 7) % {PRODUCTS}, {_at("-age + 1830")}, {user}
        FROM hist WHERE i % 10 = 0""",
        params,
    )


_MESSAGES = (
    "Здравствуйте! Когда отправите заказ?",
    "Добрый день, отправим сегодня.",
    "Коробка пришла мятая.",
    "Спасибо, ждём.",
)


def _chats_and_returns(con: sqlite3.Connection, params: dict[str, object]) -> None:
    """A buyer chat for every 200th posting (4 messages), a return for every 50th delivered one."""
    number = "printf('%08d-%04d-1', 50000000 + i, (i * 37) % 10000)"
    order = "printf('%08d-%04d', 50000000 + i, (i * 37) % 10000)"
    con.execute(f"CREATE TEMP TABLE chatted AS {_seq()} SELECT i, {_AGE} AS age FROM seq WHERE i % 200 = 3", params)
    con.execute(
        f"""INSERT INTO chats (chat_id, chat_type, is_open, created_at, unread_count, last_message_id, posting_number,
            synced_at, order_number, last_message_at, preview, awaiting_since, search_text)
        SELECT printf('chat-%07d', i), 'Buyer_Seller', age < 7 * 86400, {_at("-age + 3600")}, 0,
            printf('%d', i * 10 + 3), {number}, {_at("0")}, {order}, {_at("-age + 3900")}, 'Спасибо, ждём.', NULL,
            lower(printf('chat-%07d', i) || char(10) || {number} || char(10) || {order} || char(10)
                || 'покупатель ' || (i % 997)) || char(10) || :messages
        FROM chatted""",
        {**params, "messages": "\n".join(_MESSAGES).casefold().replace("ё", "е")},
    )
    texts = _MESSAGES
    for m, text in enumerate(texts):
        author = "'seller'" if m % 2 else "'customer'"
        con.execute(
            f"""INSERT INTO chat_messages (message_id, chat_id, author, created_at, text, is_image, is_read,
                order_number, image_urls, outbox_key)
            SELECT printf('%d', i * 10 + {m}), printf('chat-%07d', i), {author}, {_at(f"-age + 3600 + {m} * 100")},
                :text, 0, 1, {order}, '[]', NULL
            FROM chatted""",
            {**params, "text": text},
        )
    con.execute(
        """INSERT INTO returns (kind, return_id, posting_number, order_number, sku, offer_id, product_name, quantity,
            price, currency, status, status_name, reason, created_at, changed_at, return_number, return_type,
            barcode, client_name, local_status, stage, sort_at, search_text)
        SELECT 'fbs', 7000000 + p.order_id, p.posting_number, p.order_number, it.sku, it.offer_id, it.name, 1,
            it.price, 'RUB', 'returned_to_seller', 'Возвращён продавцу', 'Не подошёл размер',
            datetime(p.delivering_date, '+5 days'), datetime(p.delivering_date, '+9 days'),
            p.order_number || '-R1', 'ClientReturn', 'RET' || p.order_id, p.customer_name, NULL, 'done',
            datetime(p.delivering_date, '+9 days'),
            lower(p.posting_number || char(10) || p.order_number || char(10) || it.sku || char(10) || it.offer_id)
        FROM postings p JOIN posting_items it ON it.posting_number = p.posting_number AND it.position = 0
        WHERE p.status = 'delivered' AND p.order_id % 50 = 11""",
        params,
    )


def main(argv: list[str]) -> int:
    data_dir = Path(argv[0])
    n = int(argv[1]) if len(argv) > 1 else N
    seconds = generate(data_dir, n)
    size = (data_dir / "packdesk.sqlite3").stat().st_size / 2**20
    print(f"{n:,} postings in {seconds:.1f} s; database {size:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
