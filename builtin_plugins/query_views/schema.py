"""Table and view columns for the SQL editor's autocompletion, cached per schema version."""
from __future__ import annotations

import weakref
from typing import Any

from datasette.utils.sqlite import sqlite3

# Database -> (schema_version, {table: [columns]})
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _read(conn: sqlite3.Connection, db: Any) -> dict[str, list[str]]:
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    cached = _cache.get(db)
    if cached is not None and cached[0] == version:
        return cached[1]
    columns: dict[str, list[str]] = {}
    names = conn.execute("select name from sqlite_master where type in ('table', 'view') order by name")
    for (name,) in names.fetchall():
        try:
            info = conn.execute("select name from pragma_table_info(?)", [name]).fetchall()
        except sqlite3.Error:  # a broken view, or a virtual table whose module is not loaded
            info = []
        columns[name] = sorted(row[0] for row in info)
    _cache[db] = (version, columns)
    return columns


async def table_columns(db: Any) -> dict[str, list[str]]:
    """``{table_or_view: [sorted column names]}``; one cheap PRAGMA when the schema is unchanged."""
    try:
        return await db.execute_fn(lambda conn: _read(conn, db))
    except sqlite3.Error:
        return {}
