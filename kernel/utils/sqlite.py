"""The SQLite driver Datasette uses, plus small helpers that depend only on it.

`sqlite3` is `pysqlite3` when that is installed (it usually bundles a newer SQLite than
the one Python was built with), otherwise the standard library module.
"""
from __future__ import annotations

import contextlib
import functools
import re
import time
from typing import Any, Iterator

try:  # pragma: no cover - depends on the environment
    import pysqlite3 as sqlite3  # type: ignore[import-not-found]

    using_pysqlite3 = True
except ImportError:
    import sqlite3  # type: ignore[no-redef]

    using_pysqlite3 = False

__all__ = [
    "sqlite3",
    "using_pysqlite3",
    "sqlite_version",
    "supports_table_xinfo",
    "supports_table_list",
    "escape_sqlite",
    "sqlite_timelimit",
    "SQLITE_KEYWORDS",
]

# The keywords of the SQL language understood by SQLite (https://sqlite.org/lang_keywords.html).
SQLITE_KEYWORDS = frozenset(
    """
    abort action add after all alter always analyze and as asc attach autoincrement before
    begin between by cascade case cast check collate column commit conflict constraint create
    cross current current_date current_time current_timestamp database default deferrable
    deferred delete desc detach distinct do drop each else end escape except exclude exclusive
    exists explain fail filter first following for foreign from full generated glob group groups
    having if ignore immediate in index indexed initially inner insert instead intersect into is
    isnull join key last left like limit match materialized natural no not nothing notnull null
    nulls of offset on or order others outer over partition plan pragma preceding primary query
    raise range recursive references regexp reindex release rename replace restrict returning
    right rollback row rows savepoint select set table temp temporary then ties to transaction
    trigger unbounded union unique update using vacuum values view virtual when where window
    with without
    """.split()
)

_simple_identifier = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


@functools.cache
def sqlite_version() -> tuple[int, ...]:
    """The version of the SQLite library in use, e.g. ``(3, 45, 1)``."""
    return tuple(int(part) for part in sqlite3.sqlite_version.split("."))


def supports_table_xinfo() -> bool:
    """True if ``PRAGMA table_xinfo`` (hidden and generated columns) is available."""
    return sqlite_version() >= (3, 26, 0)


def supports_table_list() -> bool:
    """True if ``PRAGMA table_list`` (which flags shadow tables) is available."""
    return sqlite_version() >= (3, 37, 0)


def escape_sqlite(name: str) -> str:
    """Quote an identifier for SQL: returned as-is when it is a plain non-keyword name, else ``[name]``."""
    if _simple_identifier.match(name) and name.lower() not in SQLITE_KEYWORDS:
        return name
    return f"[{name}]"


def _progress_steps(ms: float) -> int:
    """How many virtual machine instructions to run between two deadline checks."""
    # Short limits need finer checks to be honoured; 1000 steps is a few microseconds.
    return 100 if ms < 50 else 1000


@contextlib.contextmanager
def sqlite_timelimit(conn: Any, ms: float) -> Iterator[None]:
    """Abort any statement run on ``conn`` inside the block once ``ms`` milliseconds have passed.

    The aborted statement raises ``sqlite3.OperationalError("interrupted")``. ``ms <= 0`` means
    no limit. The progress handler is removed on exit.
    """
    if not ms or ms <= 0:
        yield
        return
    deadline = time.perf_counter() + ms / 1000

    def past_deadline() -> bool:
        return time.perf_counter() > deadline

    conn.set_progress_handler(past_deadline, _progress_steps(ms))
    try:
        yield
    finally:
        conn.set_progress_handler(None, 0)
