"""``POST /<db>/<table>/-/insert`` and ``/-/upsert``: add rows in batches, or insert-or-update them by key."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datasette.utils.asgi import Request, Response

from . import sqlite_writes, targets
from .body import invalid_keys, json_object
from .errors import WriteError, WriteView, ok
from .sqlite_writes import TableInfo, fetch_rows, sqlite_utils_db
from .tracking import fire, fire_alter

ROWS_KEYS = frozenset({"row", "rows", "ignore", "replace", "return", "alter"})


@dataclass
class RowsRequest:
    """A validated insert/upsert body."""

    rows: list[dict]
    ignore: bool
    replace: bool
    return_rows: bool
    alter: bool


def parse_rows_request(data: dict, max_rows: int, upsert: bool) -> RowsRequest:
    """Check the body's shape (not yet the columns, which need the table); the first problem is a 400."""
    if "row" not in data and "rows" not in data:
        raise WriteError('JSON must have one or other of "row" or "rows"')
    if "row" in data and "rows" in data:
        raise WriteError('Cannot use "row" and "rows" at the same time')
    if "row" in data:
        if not isinstance(data["row"], dict):
            raise WriteError('"row" must be a dictionary')
        rows, return_rows = [data["row"]], True
    else:
        rows = data["rows"]
        if not isinstance(rows, list):
            raise WriteError('"rows" must be a list')
        if not all(isinstance(row, dict) for row in rows):
            raise WriteError('"rows" must be a list of dictionaries')
        return_rows = bool(data.get("return"))
    if len(rows) > max_rows:
        raise WriteError(f"Too many rows, maximum allowed is {max_rows}")
    invalid = invalid_keys(data, ROWS_KEYS)
    if invalid:
        raise WriteError("Invalid parameter: " + ", ".join(f'"{key}"' for key in invalid))
    ignore, replace = bool(data.get("ignore")), bool(data.get("replace"))
    if upsert and (ignore or replace):
        raise WriteError("Upsert does not support ignore or replace")
    if ignore and replace:
        raise WriteError('Cannot use "ignore" and "replace" at the same time')
    return RowsRequest(rows, ignore, replace, return_rows, bool(data.get("alter")))


def row_errors(info: TableInfo, body: RowsRequest, upsert: bool) -> list[str]:
    """One message per row with columns the table lacks (unless ``alter``) or, for upserts, no key."""
    errors = []
    for index, row in enumerate(body.rows):
        if not body.alter:
            unknown = info.unknown_columns(row)
            if unknown:
                errors.append(f"Row {index} has invalid columns: {', '.join(unknown)}")
        if upsert:
            missing = info.missing_pks(row)
            if missing:
                errors.append(f"Row {index} is missing primary key column(s): "
                              + ", ".join(f'"{pk}"' for pk in missing))
    return errors


def insert_rows(conn: Any, table: str, body: RowsRequest, upsert: bool) -> tuple[list[dict], str, str]:
    """Insert or upsert on the write thread; returns ``(returned rows, schema before, schema after)``."""
    info = TableInfo(conn, table)
    errors = row_errors(info, body, upsert)
    if errors:
        raise WriteError(errors)
    sqlite_table = sqlite_utils_db(conn).table(table)
    returned: list[dict] = []
    if upsert:
        sqlite_table.upsert_all(body.rows, pk=info.pk_argument(), alter=body.alter)
        if body.return_rows:
            keys = [(False, [row[pk] for pk in info.pks]) for row in body.rows]
            returned = fetch_rows(conn, info, keys, with_rowid=not info.explicit_pks)
    elif body.return_rows:
        returned = fetch_rows(conn, info, _insert_one_by_one(conn, info, sqlite_table, body))
    else:
        sqlite_table.insert_all(body.rows, ignore=body.ignore, replace=body.replace, alter=body.alter)
    after = sqlite_writes.schema(conn, table) if body.alter else info.schema
    return returned, info.schema, after or info.schema


def _insert_one_by_one(conn: Any, info: TableInfo, sqlite_table: Any, body: RowsRequest) -> list[tuple[bool, list]]:
    """Insert row by row, noting how to find each again: its new rowid, or (ignored) its key."""
    keys = []
    for row in body.rows:
        changes = conn.total_changes
        sqlite_table.insert(row, ignore=body.ignore, replace=body.replace, alter=body.alter)
        if conn.total_changes != changes and info.has_rowid:
            keys.append((True, [sqlite_table.last_rowid]))
        elif info.explicit_pks and not info.missing_pks(row):
            keys.append((False, [row[pk] for pk in info.pks]))
    return keys


class RowsView(WriteView):
    """Shared by insert and upsert."""

    upsert = False

    async def check_permissions(self, request: Request, datasette: Any, resource: tuple[str, str]) -> None:
        await targets.require(datasette, request, "insert-row", resource)

    async def write(self, request: Request, datasette: Any) -> Response:
        # The table's existence is checked on the write thread (one thread hop less per
        # request), or here before any other error, which a missing table takes precedence over.
        target = await targets.table(datasette, request, check=False)
        try:
            body = await self.checked_body(request, datasette, target)
        except WriteError:
            await targets.ensure_table(target)
            raise
        table = target.table
        returned, before, after = await sqlite_writes.write(
            target.db, lambda conn: insert_rows(conn, table, body, self.upsert))
        await self.track(datasette, request, target, body)
        if body.alter:
            await fire_alter(datasette, request.actor, target.name, table, before, after)
        result: dict[str, Any] = {"ok": True}
        if body.return_rows:
            result["rows"] = returned
        return ok(result, status=200 if self.upsert else 201)

    async def checked_body(self, request: Request, datasette: Any, target: targets.Target) -> RowsRequest:
        """The request's body, once the database, the permissions and the body itself pass."""
        targets.check_mutable(target)
        resource = (target.name, target.table)
        await self.check_permissions(request, datasette, resource)
        data = await json_object(datasette, request, check_content_type=True)
        body = parse_rows_request(data, datasette.setting("max_insert_rows") or 0, self.upsert)
        if body.replace:
            await targets.require(datasette, request, "update-row", resource,
                                  'Permission denied: need update-row to use "replace"')
        if body.alter:
            await targets.require(datasette, request, "alter-table", resource, "Permission denied for alter-table")
        return body

    async def track(self, datasette: Any, request: Request, target: targets.Target, body: RowsRequest) -> None:
        await fire(datasette, "insert-rows", request.actor, database=target.name, table=target.table,
                   num_rows=len(body.rows), ignore=body.ignore, replace=body.replace)


class InsertView(RowsView):
    """``POST /<db>/<table>/-/insert``: 201 ``{"ok": true[, "rows": [...]]}``."""


class UpsertView(RowsView):
    """``POST /<db>/<table>/-/upsert``: 200; every row carries its primary key (``rowid`` for rowid tables)."""

    upsert = True

    async def check_permissions(self, request: Request, datasette: Any, resource: tuple[str, str]) -> None:
        if not (await targets.allowed(datasette, request, "insert-row", resource)
                and await targets.allowed(datasette, request, "update-row", resource)):
            raise WriteError("Permission denied: need both insert-row and update-row", 403)

    async def track(self, datasette: Any, request: Request, target: targets.Target, body: RowsRequest) -> None:
        await fire(datasette, "upsert-rows", request.actor, database=target.name, table=target.table,
                   num_rows=len(body.rows))
