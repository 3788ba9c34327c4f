"""``POST /<db>/<table>/<pks>/-/update`` and ``/-/delete``: change or remove one row."""
from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Request, Response

from . import sqlite_writes, targets
from .body import invalid_keys, json_object
from .errors import WriteError, WriteView, ok
from .sqlite_writes import TableInfo, fetch_rows, sqlite_utils_db
from .tracking import fire, fire_alter

UPDATE_KEYS = frozenset({"update", "return", "alter"})


def update_row(conn: Any, table: str, pk_values: list[str], update: dict, alter: bool,
               return_row: bool) -> tuple[dict | None, str, str]:
    """Update on the write thread; returns ``(the row as it is now, schema before, schema after)``."""
    info = TableInfo(conn, table)
    try:
        sqlite_utils_db(conn).table(table).update(pk_values, update, alter=alter)
    except sqlite_writes.NotFoundError:
        raise WriteError(f"Record not found: {pk_values!r}", 404) from None
    row = None
    if return_row:
        # A new value for a key column moves the row: find it under its new key.
        new_key = [update.get(pk, value) for pk, value in zip(info.pks, pk_values)]
        found = fetch_rows(conn, info, [(False, new_key)], with_rowid=not info.explicit_pks)
        row = found[0] if found else None
    after = sqlite_writes.schema(conn, table) if alter else info.schema
    return row, info.schema, after or info.schema


class UpdateView(WriteView):
    """``{"update": {col: value}, "return"?, "alter"?}`` → 200 ``{"ok": true[, "row": {...}]}``."""

    async def write(self, request: Request, datasette: Any) -> Response:
        target = await targets.row(datasette, request)
        targets.check_mutable(target)
        resource = (target.name, target.table)
        await targets.require(datasette, request, "update-row", resource)
        data = await json_object(datasette, request)
        update = data.get("update")
        if not isinstance(update, dict):
            raise WriteError("JSON must contain an update dictionary")
        invalid = invalid_keys(data, UPDATE_KEYS)
        if invalid:
            raise WriteError(f"Invalid keys: {', '.join(invalid)}")
        alter, return_row = bool(data.get("alter")), bool(data.get("return"))
        if alter:
            await targets.require(datasette, request, "alter-table", resource, "Permission denied for alter-table")
        table, pk_values = target.table, target.pk_values
        row, before, after = await sqlite_writes.write(
            target.db, lambda conn: update_row(conn, table, pk_values, update, alter, return_row))
        await fire(datasette, "update-row", request.actor, database=target.name, table=table, pks=pk_values)
        if alter:
            await fire_alter(datasette, request.actor, target.name, table, before, after)
        result: dict[str, Any] = {"ok": True}
        if return_row:
            result["row"] = row
        return ok(result)


class DeleteView(WriteView):
    """No body needed → 200 ``{"ok": true}``."""

    async def write(self, request: Request, datasette: Any) -> Response:
        target = await targets.row(datasette, request)
        targets.check_mutable(target)
        await targets.require(datasette, request, "delete-row", (target.name, target.table))
        table, pk_values = target.table, target.pk_values

        def delete(conn: Any) -> None:
            TableInfo(conn, table)
            try:
                sqlite_utils_db(conn).table(table).delete(pk_values)
            except sqlite_writes.NotFoundError:
                raise WriteError(f"Record not found: {pk_values!r}", 404) from None

        await sqlite_writes.write(target.db, delete)
        await fire(datasette, "delete-row", request.actor, database=target.name, table=table, pks=pk_values)
        return ok({"ok": True})
