"""Running a read-only query for the query page, with its time limit and error handling."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils.asgi import BadRequest
from datasette.utils.sqlite import sqlite3
from datasette.views.base import DatasetteError

INTERRUPTED_HTML = (
    "<p>SQL query took too long. The time limit is controlled by the\n"
    '<a href="https://docs.datasette.io/en/stable/settings.html#sql-time-limit-ms">sql_time_limit_ms</a>\n'
    "configuration option.</p>\n"
    '<textarea style="width: 90%">{sql}</textarea>\n'
    "<script>\n"
    'let ta = document.querySelector("textarea");\n'
    'ta.style.height = ta.scrollHeight + "px";\n'
    "</script>"
)


@dataclass
class QueryResult:
    """Rows and columns of a query, or the SQLite error message that stopped it."""

    columns: list[str] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    truncated: bool = False
    error: str | None = None


def time_limit(request: Any) -> int | None:
    """The ``?_timelimit=`` in milliseconds; it can only lower ``sql_time_limit_ms`` (0 or less: ignored)."""
    value = request.args.get("_timelimit")
    if value is None or value == "":
        return None
    try:
        limit = int(value)
    except ValueError:
        raise BadRequest("_timelimit must be an integer") from None
    return limit if limit > 0 else None


def interrupted(sql: str) -> DatasetteError:
    """The 400 "SQL Interrupted" error page for a query that ran out of time."""
    return DatasetteError(INTERRUPTED_HTML.format(sql=html.escape(sql)), title="SQL Interrupted",
                          status=400, message_is_html=True)


async def run_query(db: Any, sql: str, params: dict[str, Any], custom_time_limit: int | None) -> QueryResult:
    """Run ``sql`` on a read-only connection, at most ``max_returned_rows`` rows.

    SQLite errors come back as ``QueryResult.error``; running out of time raises
    the "SQL Interrupted" `DatasetteError`.
    """
    try:
        results = await db.execute(sql, params, truncate=True, custom_time_limit=custom_time_limit,
                                   log_sql_errors=False)
    except QueryInterrupted:
        raise interrupted(sql) from None
    except (sqlite3.Error, OverflowError) as error:  # OverflowError: an integer too big for SQLite
        return QueryResult(error=str(error))
    return QueryResult(results.columns, results.rows, results.truncated)
