"""Generate the benchmark SQLite databases under ``bench/data/``.

``bench.db`` (always):

* ``customers``: 10,000 rows, ``id INTEGER PRIMARY KEY, name TEXT`` (``name``
  is the label column used by ``?_labels=on``).
* ``bench``: 1,000,000 rows with ``state`` (50 US state codes, indexed),
  ``category`` (20 values, indexed), ``amount REAL``, ``created`` ('YYYY-MM-DD'),
  ``description`` (a few words from a small vocabulary, full-text indexed by the
  external-content FTS5 table ``bench_fts``) and ``customer_id`` (foreign key
  to ``customers.id``).

``wide.db`` (only with ``--wide``): table ``wide`` with 100 columns x 200,000
rows mixing low-cardinality text, integers and dates, for facet-suggestion
benchmarks.

``big.db`` (only with ``--big``, or when the ``startup`` scenario runs): about
1 GB, table ``big`` with 1,000,000 rows of ~1 KB (``id``, ``n``, ``payload``)
and a small table ``notes``, for the immutable-startup benchmark (counting
and hashing it takes seconds, an inspect file makes both unnecessary).

Files are cached: an existing file is kept unless ``--force`` is given. Each
database is written to a temporary file in one transaction and renamed into
place, so an interrupted build never leaves a half-built cache behind. Data is
deterministic (fixed random seed / fixed integer hash).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
BENCH_DB = DATA_DIR / "bench.db"
WIDE_DB = DATA_DIR / "wide.db"
BIG_DB = DATA_DIR / "big.db"
BIG_ROWS = 1_000_000

SEED = 20240601
BENCH_ROWS = 1_000_000
CUSTOMER_ROWS = 10_000
WIDE_ROWS = 200_000
WIDE_COLUMNS = 100

STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD "
    "MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC "
    "SD TN TX UT VT VA WA WV WI WY"
).split()
CATEGORIES = [
    "books", "music", "movies", "games", "electronics", "computers", "garden",
    "tools", "toys", "grocery", "health", "beauty", "clothing", "shoes",
    "jewelry", "sports", "outdoors", "automotive", "industrial", "baby",
]  # fmt: skip
# Small vocabulary for free-text descriptions. "widget" is the word used by the
# `search` benchmark scenario; every word appears in a few % of rows.
VOCABULARY = [
    "widget", "gadget", "sprocket", "gizmo", "doohickey", "blue", "red",
    "green", "large", "small", "vintage", "modern", "premium", "budget",
    "wooden", "steel", "plastic", "handmade", "imported", "local", "fast",
    "quiet", "durable", "light", "heavy", "compact", "deluxe", "classic",
    "portable", "wireless", "organic", "shiny", "matte", "rustic", "smart",
    "eco", "bulk", "spare", "replacement", "gift",
]  # fmt: skip
SEARCH_WORD = "widget"
FIRST_NAMES = [
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi",
    "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil",
    "Trent", "Victor", "Walter", "Yolanda",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
    "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White",
    "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
]  # fmt: skip

# 2020-01-01 .. 2024-12-31 as ordinal days.
_DATE_START = 737425  # date(2020, 1, 1).toordinal()
_DATE_SPAN = 1827


def _date_strings() -> list[str]:
    from datetime import date

    return [date.fromordinal(_DATE_START + i).isoformat() for i in range(_DATE_SPAN)]


def _connect_tmp(final: Path) -> tuple[sqlite3.Connection, Path]:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(final.name + ".tmp")
    for suffix in ("", "-journal", "-wal", "-shm"):
        p = Path(str(tmp) + suffix)
        if p.exists():
            p.unlink()
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
    return conn, tmp


def _finish(conn: sqlite3.Connection, tmp: Path, final: Path) -> None:
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    os.replace(tmp, final)


def _bench_rows(rng: random.Random, n: int) -> Iterator[tuple[object, ...]]:
    dates = _date_strings()
    chunk = 50_000
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        states = rng.choices(STATES, k=size)
        cats = rng.choices(CATEGORIES, k=size)
        day_idx = rng.choices(range(_DATE_SPAN), k=size)
        customers = rng.choices(range(1, CUSTOMER_ROWS + 1), k=size)
        word_counts = rng.choices((2, 3, 4, 5, 6), k=size)
        for i in range(size):
            words = " ".join(rng.choices(VOCABULARY, k=word_counts[i]))
            yield (
                start + i + 1,
                states[i],
                cats[i],
                round(rng.random() * 1000, 2),
                dates[day_idx[i]],
                words,
                customers[i],
            )


def build_bench_db(path: Path = BENCH_DB, rows: int = BENCH_ROWS) -> Path:
    t0 = time.perf_counter()
    rng = random.Random(SEED)
    conn, tmp = _connect_tmp(path)
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany(
        "INSERT INTO customers (id, name) VALUES (?, ?)",
        (
            (i, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} #{i}")
            for i in range(1, CUSTOMER_ROWS + 1)
        ),
    )
    conn.execute(
        """
        CREATE TABLE bench (
            id INTEGER PRIMARY KEY,
            state TEXT,
            category TEXT,
            amount REAL,
            created TEXT,
            description TEXT,
            customer_id INTEGER REFERENCES customers(id)
        )
        """
    )
    conn.executemany("INSERT INTO bench VALUES (?, ?, ?, ?, ?, ?, ?)", _bench_rows(rng, rows))
    conn.execute("CREATE INDEX idx_bench_state ON bench(state)")
    conn.execute("CREATE INDEX idx_bench_category ON bench(category)")
    conn.execute(
        "CREATE VIRTUAL TABLE bench_fts USING fts5("
        'description, content="bench", content_rowid="id")'
    )
    conn.execute("INSERT INTO bench_fts(bench_fts) VALUES ('rebuild')")
    conn.execute("COMMIT")
    _finish(conn, tmp, path)
    print(f"[make_db] built {path} ({rows:,} rows) in {time.perf_counter() - t0:.1f}s")
    return path


def _wide_column_specs() -> list[tuple[str, str, str]]:
    """(name, sqlite type, SQL expression over the CTE's ``n``) per column.

    Values come from a fixed multiplicative integer hash of (row, column), so
    the data is deterministic and the whole table is built inside SQLite.
    """
    specs: list[tuple[str, str, str]] = []
    text_cards = (2, 3, 5, 8, 12, 20, 30, 50, 200, 5000)
    int_cards = (2, 10, 100, 1000, 1_000_000)
    for c in range(WIDE_COLUMNS):
        h = f"((n * {2654435761 + 2 * c} + {40503 * (c + 1)}) % 4294967291)"
        kind = c % 3
        if kind == 0:
            card = text_cards[(c // 3) % len(text_cards)]
            specs.append((f"t{c:03d}", "TEXT", f"'v' || ({h} % {card})"))
        elif kind == 1:
            card = int_cards[(c // 3) % len(int_cards)]
            specs.append((f"i{c:03d}", "INTEGER", f"{h} % {card}"))
        else:
            span = (30, 365, _DATE_SPAN)[(c // 3) % 3]
            specs.append(
                (
                    f"d{c:03d}",
                    "TEXT",
                    f"date('2020-01-01', '+' || ({h} % {span}) || ' days')",
                )
            )
    return specs


def build_wide_db(path: Path = WIDE_DB, rows: int = WIDE_ROWS) -> Path:
    t0 = time.perf_counter()
    conn, tmp = _connect_tmp(path)
    specs = _wide_column_specs()
    cols = ", ".join(f"{name} {typ}" for name, typ, _ in specs)
    conn.execute("BEGIN")
    conn.execute(f"CREATE TABLE wide (id INTEGER PRIMARY KEY, {cols})")
    names = ", ".join(name for name, _, _ in specs)
    exprs = ", ".join(expr for _, _, expr in specs)
    conn.execute(
        f"""
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
        INSERT INTO wide (id, {names}) SELECT n, {exprs} FROM seq
        """,
        (rows,),
    )
    conn.execute("COMMIT")
    _finish(conn, tmp, path)
    print(
        f"[make_db] built {path} ({rows:,} rows x {WIDE_COLUMNS} columns) "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    return path


def build_big_db(path: Path = BIG_DB, rows: int = BIG_ROWS) -> Path:
    t0 = time.perf_counter()
    conn, tmp = _connect_tmp(path)
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, n INTEGER, payload TEXT)")
    # ~1 KB of text per row, generated inside SQLite (no Python per row): printf pads the
    # row number's hex to 990 characters.
    conn.execute(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
        "INSERT INTO big (id, n, payload) SELECT x, x % 1000, printf('%990s', hex(x * 2654435761)) FROM c",
        [rows],
    )
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT)")
    conn.execute("INSERT INTO notes (note) VALUES ('a 1 GB database for the startup benchmark')")
    conn.execute("COMMIT")
    _finish(conn, tmp, path)
    size = path.stat().st_size
    print(f"[make_db] built {path} ({rows:,} rows, {size / 1e9:.2f} GB) in {time.perf_counter() - t0:.1f}s")
    return path


def ensure_big_db(force: bool = False) -> Path:
    if BIG_DB.exists() and not force:
        return BIG_DB
    return build_big_db()


def use_rollback_journal(path: Path) -> None:
    """Put a database back in rollback-journal mode: ``serve --workers`` switches files to WAL,
    which would change every later measurement of both servers."""
    conn = sqlite3.connect(path)
    try:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def ensure_bench_db(force: bool = False) -> Path:
    if BENCH_DB.exists() and not force:
        return BENCH_DB
    return build_bench_db()


def ensure_wide_db(force: bool = False) -> Path:
    if WIDE_DB.exists() and not force:
        return WIDE_DB
    return build_wide_db()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wide", action="store_true", help="also build wide.db")
    parser.add_argument("--big", action="store_true", help="also build the ~1 GB big.db")
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args(argv)
    print(ensure_bench_db(force=args.force))
    if args.wide:
        print(ensure_wide_db(force=args.force))
    if args.big:
        print(ensure_big_db(force=args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
