"""``POST /<db>/<query>`` for canned queries with ``write: true``.

The route is tried before the table and canned-query pages and passes on every request
that is not a POST to a writable canned query (a table or view of the same name wins).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datasette.database import QueryInterrupted
from datasette.router import PassToNextRoute
from datasette.tracer import trace
from datasette.utils import tilde_decode
from datasette.utils.asgi import Forbidden, NotFound, Request, Response
from datasette.utils.sqlite import sqlite3

from . import batching
from .body import form_or_json
from .errors import WriteError
from .magic import MagicUnavailable, resolve_magic

CANNED_QUERY_ROUTE = r"^/(?P<database>[^/.]+)/(?P<table>[^/.]+)(\.(?P<format>\w+))?$"


@dataclass
class Outcome:
    """What the client is told: ``{"ok", "message", "redirect"}``."""

    ok: bool
    message: str
    redirect: str | None
    status: int = 200


async def writable_query(datasette: Any, request: Request) -> tuple[Any, dict]:
    """The database and canned query this POST is for; `PassToNextRoute` if it is not one of ours."""
    if request.method != "POST":
        raise PassToNextRoute()
    try:
        db = await datasette.resolve_database(request)
    except NotFound:
        raise PassToNextRoute() from None
    name = tilde_decode(request.url_vars["table"])
    canned = await datasette.get_canned_query(db.name, name, request.actor)
    if not canned or not canned.get("write"):
        raise PassToNextRoute()
    shadowed = await db.execute("select 1 from sqlite_master where name = ? and type in ('table', 'view')", [name])
    if shadowed.rows:
        raise PassToNextRoute()
    return db, canned


def wants_json(request: Request, submitted: dict) -> bool:
    """JSON instead of a redirect: ``Accept: application/json``, ``?_json=`` or a ``_json`` field."""
    accept = request.headers.get("accept", "").split(",")[0].strip()
    return accept == "application/json" or "_json" in request.args or "_json" in submitted


def execute_counting(conn: sqlite3.Connection, sql: str, params: dict) -> int:
    """Run one statement; the number of rows it changed."""
    cursor = conn.execute(sql, params)
    if cursor.description is not None:
        cursor.fetchall()  # a RETURNING clause: step it to the end so it has done its work
    return cursor.rowcount


def affected_message(count: int) -> str:
    return f"Query executed, {count} row{'' if count == 1 else 's'} affected"


async def run_write(datasette: Any, request: Request, db: Any, canned: dict, submitted: dict) -> Outcome:
    """Execute the query with the submitted values (as strings) and the magic parameters."""
    sql = str(canned.get("sql") or "")
    params = {key: value if isinstance(value, str) else str(value) for key, value in submitted.items()}
    try:
        await resolve_magic(datasette, request, sql, params)
        with trace("sql", database=db.name, sql=sql.strip(), params=params):
            rowcount = await batching.write(db, lambda conn: execute_counting(conn, sql, params))
    except (sqlite3.Error, sqlite3.Warning, OverflowError, MagicUnavailable) as error:
        return Outcome(False, canned.get("on_error_message") or str(error), canned.get("on_error_redirect"))
    message = canned.get("on_success_message") or affected_message(rowcount)
    message_sql = canned.get("on_success_message_sql")
    if message_sql:
        try:
            message = str((await db.execute(message_sql, params)).first()[0])
        except (sqlite3.Error, QueryInterrupted, TypeError, IndexError):
            pass  # keep the plain message rather than fail a write that happened
    return Outcome(True, message, canned.get("on_success_redirect"))


async def canned_write_view(datasette: Any, request: Request) -> Response:
    """Run a writable canned query; reply with JSON or a flash message and a 302."""
    db, canned = await writable_query(datasette, request)
    visible, _ = await datasette.check_visibility(
        request.actor, permissions=[("view-query", (db.name, canned["name"])), ("view-database", db.name),
                                    "view-instance"])
    if not visible:
        raise Forbidden("view-query")
    if not db.is_mutable:
        raise Forbidden("Database is immutable")
    submitted: dict = {}
    try:
        submitted = await form_or_json(datasette, request)
    except WriteError as error:
        outcome = Outcome(False, error.errors[0], None, error.status)
    else:
        outcome = await run_write(datasette, request, db, canned, submitted)
    if wants_json(request, submitted):
        return Response.json({"ok": outcome.ok, "message": outcome.message, "redirect": outcome.redirect},
                             status=outcome.status)
    datasette.add_message(request, outcome.message, datasette.INFO if outcome.ok else datasette.ERROR)
    return Response.redirect(outcome.redirect or request.path)
