"""Running facet SQL on a read connection: traced, time-limited, tuples out."""
from __future__ import annotations

from typing import Any, Hashable

from datasette.database import QueryInterrupted
from datasette.tracer import trace
from datasette.utils import sqlite_timelimit
from datasette.utils.sqlite import sqlite3


def time_limit(datasette: Any, ms: int | float | None) -> float:
    """``ms`` capped by ``sql_time_limit_ms`` (0 or None: no limit of its own)."""
    overall = datasette.setting("sql_time_limit_ms") or 0
    if ms and ms > 0 and (not overall or ms < overall):
        return ms
    return overall


def run_query(conn: sqlite3.Connection, database: str, sql: str, params: Any, limit_ms: float,
              max_rows: int | None = None) -> tuple[list[tuple], list[str]]:
    """``(rows, column names)`` of one query, interrupted after ``limit_ms`` (QueryInterrupted)."""
    params = params if params is not None else ()
    with trace("sql", database=database, sql=sql.strip(), params=params):
        cursor = conn.cursor()
        cursor.row_factory = None
        try:
            with sqlite_timelimit(conn, limit_ms):
                cursor.execute(sql, params)
                rows = cursor.fetchmany(max_rows) if max_rows is not None else cursor.fetchall()
        except sqlite3.OperationalError as error:
            if error.args == ("interrupted",):
                raise QueryInterrupted(error, sql, params) from error
            raise
        finally:
            columns = [d[0] for d in cursor.description or ()]
            cursor.close()
    return rows, columns


def params_key(params: Any) -> Hashable | None:
    """A hashable form of query parameters, or None when they cannot be hashed."""
    if params is None:
        return ()
    try:
        key = tuple(sorted(params.items(), key=str)) if isinstance(params, dict) else tuple(params)
        hash(key)
    except TypeError:
        return None
    return key
