"""What a write request addresses (database, table, row) and whether the actor may write to it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datasette.utils import detect_primary_keys, escape_sqlite, tilde_decode, urlsafe_components
from datasette.utils.asgi import NotFound, Request

from .errors import WriteError

IMMUTABLE = "Database is immutable"
DENIED = "Permission denied"


@dataclass
class Target:
    """A database, and a table in it (``table`` is None for ``/-/create``)."""

    db: Any
    table: str | None = None
    pks: list[str] | None = None  # primary key columns; ["rowid"] for rowid tables
    pk_values: list[str] | None = None

    @property
    def name(self) -> str:
        return self.db.name


async def database(datasette: Any, request: Request) -> Target:
    """The database of the URL: 404 "Database not found"."""
    try:
        return Target(await datasette.resolve_database(request))
    except NotFound:
        raise WriteError("Database not found", 404) from None


async def table(datasette: Any, request: Request, check: bool = True) -> Target:
    """The table of the URL (views do not count): 404 "Table not found".

    With ``check=False`` the table is not looked up yet: the caller's write function finds
    out on the write thread, which saves a thread hop, and `ensure_table` gives the 404
    first on the paths that fail before that.
    """
    target = await database(datasette, request)
    target.table = tilde_decode(request.url_vars["table"])
    if check:
        await ensure_table(target)
    return target


async def ensure_table(target: Target) -> None:
    """404 "Table not found" unless the target's table exists."""
    if not await target.db.table_exists(target.table):
        raise WriteError("Table not found", 404)


async def row(datasette: Any, request: Request) -> Target:
    """The row of ``/<db>/<table>/<pks>/-/...``: 404 "Table not found: t" or "Record not found: ['1']"."""
    target = await database(datasette, request)
    name = tilde_decode(request.url_vars["table"])
    pk_values = urlsafe_components(request.url_vars["pks"])

    def find(conn: Any) -> tuple[bool, list[str], bool]:
        exists = conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", [name]).fetchone()
        if not exists:
            return False, [], False
        pks = detect_primary_keys(conn, name) or ["rowid"]
        if len(pks) != len(pk_values):
            return True, pks, False
        where = " and ".join(f"{escape_sqlite(pk)} = ?" for pk in pks)
        found = conn.execute(f"select 1 from {escape_sqlite(name)} where {where}", pk_values).fetchone()
        return True, pks, found is not None

    table_exists, pks, found = await target.db.execute_fn(find)
    if not table_exists:
        raise WriteError(f"Table not found: {name}", 404)
    target.table, target.pks, target.pk_values = name, pks, pk_values
    if not found:
        raise WriteError(f"Record not found: {pk_values!r}", 404)
    return target


def check_mutable(target: Target) -> None:
    """403 "Database is immutable" for databases opened with ``-i``."""
    if not target.db.is_mutable:
        raise WriteError(IMMUTABLE, 403)


async def allowed(datasette: Any, request: Request, action: str, resource: Any) -> bool:
    """Whether the request's actor may perform ``action`` on ``resource`` (no opinion means no)."""
    return bool(await datasette.permission_allowed(request.actor, action, resource=resource))


async def require(datasette: Any, request: Request, action: str, resource: Any, message: str = DENIED) -> None:
    """403 ``message`` unless the actor may perform ``action`` on ``resource``."""
    if not await allowed(datasette, request, action, resource):
        raise WriteError(message, 403)
