"""``POST /<db>/<table>/-/drop``: drop a table, once the client confirms."""
from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils import escape_sqlite
from datasette.utils.asgi import Request, Response

from . import sqlite_writes, targets
from .body import lenient_json_object
from .errors import WriteError, WriteView, ok
from .sqlite_writes import sqlite_utils_db
from .tracking import fire

CONFIRM_MESSAGE = 'Pass "confirm": true to confirm'


class DropView(WriteView):
    """Without ``{"confirm": true}``: 200 with the row count and a message; with it: 200 ``{"ok": true}``."""

    async def write(self, request: Request, datasette: Any) -> Response:
        target = await targets.table(datasette, request)
        targets.check_mutable(target)
        await targets.require(datasette, request, "drop-table", (target.name, target.table))
        data = await lenient_json_object(datasette, request)
        table = target.table
        if not data.get("confirm"):
            try:
                count = (await target.db.execute(f"select count(*) from {escape_sqlite(table)}")).single_value()
            except QueryInterrupted:  # too many rows to count in time
                count = None
            return ok({"ok": True, "database": target.name, "table": table, "row_count": count,
                       "message": CONFIRM_MESSAGE})

        def drop(conn: Any) -> None:
            if sqlite_writes.schema(conn, table) is None:
                raise WriteError("Table not found", 404)
            sqlite_utils_db(conn).table(table).drop()

        await sqlite_writes.write(target.db, drop)
        await fire(datasette, "drop-table", request.actor, database=target.name, table=table)
        return ok({"ok": True})
