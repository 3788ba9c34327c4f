"""``POST /<db>/-/create``: create a table from columns or from rows (rows into an existing table are inserted)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from datasette.utils.asgi import Request, Response

from . import sqlite_writes, targets
from .body import invalid_keys, json_object
from .errors import WriteError, WriteView, ok
from .sqlite_writes import TableInfo, sqlite_utils_db
from .tracking import fire, fire_alter

CREATE_KEYS = frozenset({"table", "rows", "row", "columns", "pk", "pks", "ignore", "replace", "alter"})
COLUMN_TYPES = {"text": str, "integer": int, "float": float, "blob": bytes}
_VALID_TABLE_NAME = re.compile(r"^(?!sqlite_)[^\n]+$")


@dataclass
class CreateRequest:
    """A validated ``/-/create`` body."""

    table: str
    columns: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    pks: list[str] = field(default_factory=list)
    ignore: bool = False
    replace: bool = False
    alter: bool = False

    def pk_argument(self) -> str | tuple[str, ...] | None:
        if not self.pks:
            return None
        return self.pks[0] if len(self.pks) == 1 else tuple(self.pks)


def parse_create_request(data: dict, max_rows: int) -> CreateRequest:
    """Check a ``/-/create`` body; the first problem found is a 400."""
    invalid = invalid_keys(data, CREATE_KEYS)
    if invalid:
        raise WriteError(f"Invalid keys: {', '.join(invalid)}")
    table = data.get("table")
    if table is None or table == "":
        raise WriteError("Table is required")
    if not isinstance(table, str) or not _VALID_TABLE_NAME.match(table):
        raise WriteError("Invalid table name")
    has_rows = "rows" in data or "row" in data
    if "rows" in data and "row" in data:
        raise WriteError("Cannot specify both rows and row")
    if "columns" in data and has_rows:
        raise WriteError("Cannot specify columns with rows or row")
    ignore, replace = bool(data.get("ignore")), bool(data.get("replace"))
    if ignore and replace:
        raise WriteError("ignore and replace are mutually exclusive")
    if (ignore or replace) and not has_rows:
        raise WriteError("ignore and replace require row or rows")
    if (ignore or replace) and not (data.get("pk") or data.get("pks")):
        raise WriteError("ignore and replace require pk or pks")
    if not (data.get("columns") or data.get("rows") or data.get("row")):
        raise WriteError("columns, rows or row is required")
    request = CreateRequest(table, ignore=ignore, replace=replace, alter=bool(data.get("alter")))
    if "columns" in data:
        request.columns = _columns(data["columns"])
    else:
        request.rows = _rows([data["row"]] if "row" in data else data["rows"], max_rows)
    request.pks = _pks(data)
    return request


def _columns(columns: Any) -> list[dict]:
    if not isinstance(columns, list):
        raise WriteError("columns must be a list")
    if not all(isinstance(column, dict) for column in columns):
        raise WriteError("columns must be a list of objects")
    seen = set()
    for column in columns:
        name = column.get("name")
        if not isinstance(name, str) or not name:
            raise WriteError("Column name is required")
        column_type = column.get("type", "text")
        if column_type not in COLUMN_TYPES:
            raise WriteError(f"Unsupported column type: {column_type}")
        if name in seen:
            raise WriteError(f"Duplicate column name: {name}")
        seen.add(name)
    return columns


def _rows(rows: Any, max_rows: int) -> list[dict]:
    if not isinstance(rows, list):
        raise WriteError("rows must be a list")
    if not all(isinstance(row, dict) for row in rows):
        raise WriteError("rows must be a list of objects")
    if len(rows) > max_rows:
        raise WriteError(f"Too many rows, maximum allowed is {max_rows}")
    return rows


def _pks(data: dict) -> list[str]:
    pk, pks = data.get("pk"), data.get("pks")
    if pk and pks:
        raise WriteError("Cannot specify both pk and pks")
    if pk:
        if not isinstance(pk, str):
            raise WriteError("pk must be a string")
        return [pk]
    if pks:
        if not isinstance(pks, list):
            raise WriteError("pks must be a list")
        if not all(isinstance(name, str) for name in pks):
            raise WriteError("pks must be a list of strings")
        return list(pks)
    return []


@dataclass
class Created:
    """What the write thread did: the schema now, whether the table was new, the schema before."""

    schema: str
    existed: bool
    before_schema: str | None


def create_table(conn: Any, body: CreateRequest) -> Created:
    """Create (or, for rows and an existing table, insert into) the table, on the write thread."""
    sqlite_table = sqlite_utils_db(conn).table(body.table)
    before = sqlite_writes.schema(conn, body.table)
    if before is not None and body.rows:
        info = TableInfo(conn, body.table)
        if body.pks and body.pks != info.pks:
            raise WriteError("pk cannot be changed for existing table")
        sqlite_table.insert_all(body.rows, ignore=body.ignore, replace=body.replace, alter=body.alter)
    elif body.rows:  # a new table takes every column its rows have
        sqlite_table.insert_all(body.rows, pk=body.pk_argument(), ignore=body.ignore, replace=body.replace,
                                alter=True)
    else:
        sqlite_table.create({c["name"]: COLUMN_TYPES[c.get("type", "text")] for c in body.columns},
                            pk=body.pk_argument())
    return Created(sqlite_writes.schema(conn, body.table) or "", before is not None, before)


class CreateView(WriteView):
    """201 ``{"ok": true, "database", "table", "table_url", "table_api_url", "schema"[, "row_count"]}``."""

    async def write(self, request: Request, datasette: Any) -> Response:
        target = await targets.database(datasette, request)
        targets.check_mutable(target)
        db_name = target.name
        await targets.require(datasette, request, "create-table", db_name)
        data = await json_object(datasette, request, not_object="JSON must be an object")
        body = parse_create_request(data, datasette.setting("max_insert_rows") or 0)
        if body.rows:
            await targets.require(datasette, request, "insert-row", db_name, "Permission denied: need insert-row")
        if body.replace:
            await targets.require(datasette, request, "update-row", db_name, "Permission denied: need update-row")
        if body.alter and body.rows and await target.db.table_exists(body.table):
            await targets.require(datasette, request, "alter-table", db_name, "Permission denied: need alter-table")
        created = await sqlite_writes.write(target.db, lambda conn: create_table(conn, body))
        actor = request.actor
        if created.existed:
            await fire(datasette, "insert-rows", actor, database=db_name, table=body.table,
                       num_rows=len(body.rows), ignore=body.ignore, replace=body.replace)
            await fire_alter(datasette, actor, db_name, body.table, created.before_schema, created.schema)
        else:
            await fire(datasette, "create-table", actor, database=db_name, table=body.table, schema=created.schema)
        table_path = datasette.urls.table(db_name, body.table)
        result: dict[str, Any] = {
            "ok": True,
            "database": db_name,
            "table": body.table,
            "table_url": datasette.absolute_url(request, table_path),
            "table_api_url": datasette.absolute_url(request, datasette.urls.table(db_name, body.table, format="json")),
            "schema": created.schema,
        }
        if body.rows:
            result["row_count"] = len(body.rows)
        return ok(result, status=201)
