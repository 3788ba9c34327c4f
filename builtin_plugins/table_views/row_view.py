"""The row page: ``/<db>/<table>/<pks>`` as HTML or any output format."""
from __future__ import annotations

import time
import urllib.parse
from typing import Any

from datasette.database import QueryInterrupted
from datasette.tracer import trace
from datasette.utils import escape_sqlite, make_slot_function, path_with_format, sqlite_timelimit, \
    to_css_class, urlsafe_components
from datasette.utils.asgi import NotFound, Request, Response, RowNotFound
from datasette.utils.sqlite import sqlite3

from .cells import CellRenderer
from .metadata import page_metadata
from .responses import available_renderers, check_format, json_url, render_format, render_html
from .page_cache import cache_for, run_cached
from .schema import STALE, TableSchema
from .table_query import expand_rows
from .table_view import load_table


def _fk_link(datasette: Any, database: str, fk: dict, value: Any) -> str:
    column = fk["other_column"]
    key = f"{column}__exact" if column.startswith("_") else column
    query = urllib.parse.urlencode({key: "" if value is None else value})
    return datasette.urls.table(database, fk["other_table"]) + "?" + query


def _fetch(conn: sqlite3.Connection, database: str, table: TableSchema, pk_values: list[str],
           incoming: list[dict], time_limit: int) -> tuple[Any, list, list[int | None]]:
    keys = table.row_keys
    select = ("rowid, " if table.use_rowid else "") + "*"
    where = " and ".join(f"{escape_sqlite(k)} = :p{i}" for i, k in enumerate(keys))
    sql = f"select {select} from {escape_sqlite(table.name)} where {where}"
    params = {f"p{i}": v for i, v in enumerate(pk_values)}
    with trace("sql", database=database, sql=sql, params=params):
        try:
            with sqlite_timelimit(conn, time_limit):
                cursor = conn.execute(sql, params)
                row = cursor.fetchone()
                description = cursor.description
                cursor.close()
        except sqlite3.OperationalError as error:
            if error.args == ("interrupted",):
                raise QueryInterrupted(error, sql, params) from error
            raise
    counts: list[int | None] = []
    if row is not None:
        for fk in incoming:
            count_sql = (f"select count(*) from {escape_sqlite(fk['other_table'])} "
                         f"where {escape_sqlite(fk['other_column'])} = ?")
            try:
                with sqlite_timelimit(conn, time_limit):
                    counts.append(conn.execute(count_sql, [row[fk["column"]]]).fetchone()[0])
            except sqlite3.Error:
                counts.append(None)
    return row, [d[0] for d in description or ()], counts


def _one(result: Any) -> int:
    return 1


async def row_view(datasette: Any, request: Request) -> Any:
    format_ = request.url_vars.get("format")
    db, schema, table = await load_table(datasette, request)
    if format_ == "jsono":
        return Response.redirect(path_with_format(request=request, format="json", replace_format="jsono",
                                                  extra_qs={"_shape": "objects"}))
    check_format(datasette, format_)
    await datasette.ensure_permissions(request.actor, [
        ("view-table", (db.name, table.name)), ("view-database", db.name), "view-instance"])
    if table.is_view:
        raise NotFound("Row not found")
    pk_values = urlsafe_components(request.url_vars["pks"])
    if len(pk_values) != len(table.row_keys):
        raise RowNotFound(db.name, table.name, pk_values)
    extras = {bit for value in request.args.getlist("_extras") for bit in value.split(",")}
    html = format_ is None
    incoming = sorted(table.incoming, key=lambda fk: (fk["other_table"], fk["other_column"])) \
        if html or "foreign_key_tables" in extras else []
    time_limit = datasette.setting("sql_time_limit_ms")
    start = time.perf_counter()
    key = ("row", table.name, tuple(pk_values), tuple((fk["other_table"], fk["other_column"]) for fk in incoming),
           time_limit)

    def fetch(conn: sqlite3.Connection) -> tuple[Any, list, list[int | None]]:
        return _fetch(conn, db.name, table, pk_values, incoming, time_limit)

    result = await run_cached(datasette, db, schema, cache_for(db, "rows"), key, fetch, _one)
    if result is STALE:
        return await row_view(datasette, request)
    query_ms = (time.perf_counter() - start) * 1000
    row, columns, counts = result
    if row is None:
        raise RowNotFound(db.name, table.name, pk_values)
    foreign_key_tables = [{**fk, "count": count, "link": _fk_link(datasette, db.name, fk, row[fk["column"]])}
                          for fk, count in zip(incoming, counts)]
    if html:
        return await _render_row_html(datasette, request, db, schema, table, row, columns, pk_values,
                                      foreign_key_tables, query_ms)
    data: dict[str, Any] = {"database": db.name, "table": table.name, "rows": [dict(zip(columns, row))],
                            "primary_keys": table.row_keys, "primary_key_values": pk_values}
    if "foreign_key_tables" in extras:
        data["foreign_key_tables"] = foreign_key_tables
    data.update({"query_ms": query_ms, "ok": True, "truncated": False, "columns": columns})
    return await render_format(datasette, request, format_, columns=columns, rows=[row], sql=None,
                               query_name=None, database=db.name, table=table.name, view_name="row",
                               truncated=False, error=None, data=data)


async def _outgoing_labels(datasette: Any, request: Request, db: Any, schema: Any, table: TableSchema,
                           row: dict) -> tuple[dict[str, str], dict[str, dict]]:
    """Foreign key columns of a row mapped to their tables, and the labels the actor may see."""
    fks: dict[str, str] = {}
    labels: dict[str, dict] = {}
    for fk in table.outgoing:
        column, value = fk["column"], row.get(fk["column"])
        if column not in row:
            continue
        fks[column] = fk["other_table"]
        label = await schema.label_column(db, fk["other_table"])
        if not label or value is None:
            continue
        visible, _ = await datasette.check_visibility(request.actor, permissions=[
            ("view-table", (db.name, fk["other_table"])), ("view-database", db.name), "view-instance"])
        if not visible:
            continue
        sql = (f"select {escape_sqlite(label)} from {escape_sqlite(fk['other_table'])} "
               f"where {escape_sqlite(fk['other_column'])} = ?")
        try:
            found = (await db.execute(sql, [value])).first()
        except (QueryInterrupted, sqlite3.Error):
            continue
        if found is not None:
            labels[column] = {value: found[0]}
    return fks, labels


async def _render_row_html(datasette: Any, request: Request, db: Any, schema: Any, table: TableSchema,
                           row: Any, columns: list[str], pk_values: list[str], foreign_key_tables: list[dict],
                           query_ms: float) -> Response:
    row_dict = dict(zip(columns, row))
    found = await page_metadata(datasette, db.name, table.name)
    renderer = CellRenderer(datasette, request, db.name, table.name)
    fks, labels = await _outgoing_labels(datasette, request, db, schema, table, row_dict)
    display_rows = await renderer.render_rows(columns, expand_rows(columns, [row], labels), table.pks,
                                              table.use_rowid, fks, False, None)
    display_columns = [{"name": c, "css": to_css_class(c), "type": table.column_type(c) or (
        "integer" if c == "rowid" else ""), "notnull": table.notnull(c), "is_pk": c in table.row_keys,
        "sortable": False} for c in columns]
    actions = []
    for result in await datasette.hook.gather("row_actions", datasette=datasette, actor=request.actor,
                                              request=request, database=db.name, table=table.name, row=row_dict):
        actions.extend(result or [])
    db_css, table_css = to_css_class(db.name), to_css_class(table.name)
    renderers = await available_renderers(datasette, request, columns=columns, rows=[row], sql=None,
                                          query_name=None, database=db.name, table=table.name, view_name="row")
    context = {
        "database": db.name, "table": table.name, "database_color": db.color,
        "primary_key_values": pk_values, "row": row_dict, "columns": columns,
        "display_columns": display_columns, "display_rows": display_rows,
        "foreign_key_tables": foreign_key_tables, "metadata": found["table"], "query_ms": query_ms,
        "renderers": renderers, "actions": actions,
        "top_row": make_slot_function("top_row", datasette, request, database=db.name, table=table.name,
                                      row=row_dict),
        "custom_table_templates": [f"_table-{db_css}-{table_css}.html", f"_table-row-{db_css}-{table_css}.html",
                                   "_table.html"],
        "crumb_items": [{"href": datasette.urls.instance(), "label": "home"},
                        {"href": datasette.urls.database(db.name), "label": db.name},
                        {"href": datasette.urls.table(db.name, table.name), "label": table.name}],
        "body_class": f"row db-{db_css} table-{table_css}",
        "table_css_url": datasette.urls.static_plugins("table_views", "table_views.css"),
    }
    templates = [f"row-{db_css}-{table_css}.html", "row.html"]
    return await render_html(datasette, request, templates, context, "row", alternate=json_url(datasette, request))
