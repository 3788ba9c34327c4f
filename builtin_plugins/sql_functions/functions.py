"""The SQL functions this plugin adds to every database connection."""
from __future__ import annotations

from typing import Any

from datasette.utils import escape_fts
from datasette.utils.sqlite import sqlite3


def sql_escape_fts(query: Any) -> Any:
    """``escape_fts(text)``: quote each term so user input can't use FTS query syntax. NULL stays NULL."""
    if query is None:
        return None
    return escape_fts(query if isinstance(query, str) else str(query))


def register_functions(conn: sqlite3.Connection) -> None:
    """Register the functions on ``conn``; they are deterministic, so usable in indexes and views."""
    conn.create_function("escape_fts", 1, sql_escape_fts, deterministic=True)
