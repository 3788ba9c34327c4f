"""Table operations that run on a database's write thread, through sqlite-utils.

Each function takes the write connection, inside the transaction that
``Database.execute_write_fn`` opened: sqlite-utils nests its own work in savepoints,
so whatever fails leaves the table exactly as it was.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import sqlite_utils
from sqlite_utils.db import AlterError, InvalidColumns, NotFoundError, PrimaryKeyRequired

from datasette.utils import escape_sqlite
from datasette.utils.sqlite import sqlite3

from . import batching
from .errors import WriteError, from_sqlite

ROWID_NAMES = frozenset({"rowid", "_rowid_", "oid"})
_WITHOUT_ROWID = re.compile(r"\)\s*(?:strict\s*,\s*)?without\s+rowid\b", re.IGNORECASE)
# Failures that say something about the request, never about the server.
BAD_INPUT = (sqlite3.Error, OverflowError, AlterError, InvalidColumns, PrimaryKeyRequired, ValueError)


def run(fn: Any) -> Any:
    """Wrap a write function so that bad input surfaces as a `WriteError`."""
    def wrapped(conn: sqlite3.Connection) -> Any:
        try:
            return fn(conn)
        except WriteError:
            raise
        except NotFoundError as error:
            raise WriteError(str(error) or "Record not found", 404) from None
        except sqlite3.Error as error:
            raise from_sqlite(error) from None
        except BAD_INPUT as error:
            raise WriteError(str(error)) from None
    return wrapped


async def write(db: Any, fn: Any) -> Any:
    """Run ``fn(conn)`` on the database's write thread (grouped with concurrent requests, see
    `batching`); bad input, and a COMMIT that fails (a deferred foreign key, say), is a `WriteError`."""
    try:
        return await batching.write(db, run(fn))
    except sqlite3.Error as error:
        raise from_sqlite(error) from None


def sqlite_utils_db(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils on our connection: no PRAGMAs changed, no sqlite-utils plugins run."""
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


def schema(conn: sqlite3.Connection, table: str) -> str | None:
    """The CREATE TABLE statement of a table, or None if there is no such table."""
    row = conn.execute("select sql from sqlite_master where type = 'table' and name = ?", [table]).fetchone()
    return row[0] if row else None


class TableInfo:
    """Columns and primary keys of one table, read on the write connection."""

    def __init__(self, conn: sqlite3.Connection, table: str) -> None:
        create = schema(conn, table)
        if create is None:
            raise WriteError("Table not found", 404)
        rows = conn.execute("select name, pk from pragma_table_info(?)", [table]).fetchall()
        self.name = table
        self.schema = create
        self.columns = [row[0] for row in rows]
        self.explicit_pks = [row[0] for row in sorted((r for r in rows if r[1]), key=lambda r: r[1])]
        self.has_rowid = not _WITHOUT_ROWID.search(create)
        self.pks = self.explicit_pks or ["rowid"]
        self._lower = {column.lower() for column in self.columns}

    def unknown_columns(self, row: dict) -> list[str]:
        """Keys of ``row`` that are not columns of the table (rowid counts as one), sorted."""
        return sorted(key for key in row if key.lower() not in self._lower
                      and not (self.has_rowid and key.lower() in ROWID_NAMES))

    def missing_pks(self, row: dict) -> list[str]:
        """Primary key columns ``row`` lacks."""
        return [pk for pk in self.pks if pk not in row]

    def pk_argument(self) -> str | tuple[str, ...]:
        """The ``pk=`` argument sqlite-utils wants."""
        return self.pks[0] if len(self.pks) == 1 else tuple(self.pks)

    def select_sql(self, by_rowid: bool, with_rowid: bool) -> str:
        """A query for one row, by rowid or by primary key values."""
        columns = "rowid, *" if with_rowid else "*"
        if by_rowid:
            where = "rowid = ?"
        else:
            where = " and ".join(f"{escape_sqlite(pk)} = ?" for pk in self.pks)
        return f"select {columns} from {escape_sqlite(self.name)} where {where}"


def fetch_rows(conn: sqlite3.Connection, info: TableInfo, keys: Iterable[tuple[bool, list]],
               with_rowid: bool = False) -> list[dict]:
    """The rows named by ``(by_rowid, values)`` keys, in order (rows that are gone are left out)."""
    rows = []
    queries = {True: info.select_sql(True, with_rowid), False: info.select_sql(False, with_rowid)}
    for by_rowid, values in keys:
        cursor = conn.execute(queries[by_rowid], values)
        found = cursor.fetchone()
        if found is not None:
            rows.append(dict(zip([d[0] for d in cursor.description], found)))
    return rows
