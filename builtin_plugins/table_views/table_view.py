"""The table (and SQL view) page: ``/<db>/<table>`` as HTML or any output format."""
from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator, Awaitable, Callable

from datasette.router import PassToNextRoute
from datasette.utils import path_with_format, path_with_replaced_args, tilde_decode
from datasette.utils.asgi import Forbidden, Request, Response, TableNotFound

from .filters import FilterArguments
from .page_cache import cache_for, run_cached
from .responses import check_format, render_format, resolve_database
from .schema import STALE, DatabaseSchema, TableSchema, get_schema, run_traced
from .table_extras import plugin_extras, table_data
from .table_html import render_table_html
from .table_options import TableOptions, form_redirect, parse_options
from .table_query import LabelSpec, PageResult, TableQuery, expand_rows

STREAM_BATCH = 1000


class TableContext:
    """One table request: what was asked, the query built for it, and (once run) its results."""

    def __init__(self, datasette: Any, request: Request, db: Any, schema: DatabaseSchema, table: TableSchema,
                 config: dict, options: TableOptions, hook_filters: list[FilterArguments], html: bool) -> None:
        self.ds, self.request, self.db, self.schema, self.table = datasette, request, db, schema, table
        self.datasette = datasette  # the name register_table_extras documents
        self.database_name, self.table_name = db.name, table.name
        self.config, self.options, self.html = config, options, html
        self.hook_filters = hook_filters
        clauses, params = options.filters.build_where_clauses(table.name)
        self.human_extra: list[str] = []
        self.extra_context: dict = {}
        for arguments in hook_filters:
            clauses += list(arguments.where_clauses)
            params.update(arguments.params)
            self.human_extra += list(arguments.human_descriptions)
            self.extra_context.update(arguments.extra_context)
        limit = datasette.setting("sql_time_limit_ms")
        if options.time_limit_ms and (not limit or options.time_limit_ms < limit):
            limit = options.time_limit_ms
        self.query = TableQuery(db.name, table, options, clauses, params, limit)
        self.labels: list[LabelSpec] = []
        self._expandable: list[tuple[dict, str]] | None = None
        self.result: PageResult | None = None
        self.rows: list = []
        self.query_ms = 0.0
        self._cache: dict[str, Any] = {}

    @property
    def columns(self) -> list[str]:
        return self.query.columns

    @property
    def primary_keys(self) -> list[str]:
        return list(self.table.pks)

    @property
    def count(self) -> int | None:
        return self.result.count if self.result else None

    @property
    def plugin_extras(self) -> dict[str, dict]:
        if "plugin_extras" not in self._cache:
            self._cache["plugin_extras"] = plugin_extras(self)
        return self._cache["plugin_extras"]

    def facet_args(self) -> dict[str, Any]:
        """Keyword arguments for an upstream-style ``Facet(datasette, **facet_args())``."""
        query = self.query
        where = " and ".join(query.filter_clauses)
        sql = f"select {query.select_sql} from {query.from_sql}" + (f" where {where}" if where else "")
        return {"request": self.request, "database": self.database_name, "sql": sql, "table": self.table_name,
                "params": dict(query.filter_params), "table_config": self.config, "row_count": self.count}

    @property
    def is_view(self) -> bool:
        return self.table.is_view

    @property
    def filtered(self) -> bool:
        return bool(self.query.filter_clauses)

    def want_count(self) -> bool:
        if self.options.nocount:
            return False
        return self.html or "count" in self.options.extras

    async def load_expandable(self) -> list[tuple[dict, str]]:
        """Foreign keys whose other table has a label column: ``[(fk, label_column)]``."""
        if self._expandable is None:
            self._expandable = []
            for fk in self.table.outgoing:
                label = await self.schema.label_column(self.db, fk["other_table"])
                if label:
                    self._expandable.append((fk, label))
        return self._expandable

    @property
    def expandable(self) -> list[tuple[dict, str]]:
        return self._expandable or []

    async def prepare_labels(self) -> None:
        """Which expandable columns this request labels (only those the actor may see)."""
        wanted = self.options.label_columns
        for fk, label in await self.load_expandable():
            column = fk["column"]
            if column not in self.columns or (wanted is not None and column not in wanted):
                continue
            try:
                await self.ds.ensure_permissions(self.request.actor, [
                    ("view-table", (self.database_name, fk["other_table"])),
                    ("view-database", self.database_name), "view-instance"])
            except Forbidden:
                continue
            self.labels.append(LabelSpec(column, fk["other_table"], fk["other_column"], label))

    async def known_count(self) -> int | None:
        """A cached count for an unfiltered immutable table, if there is one."""
        if self.db.is_mutable or self.filtered or self.is_view:
            return None
        counts = await self.db.table_counts(limit=10)
        return counts.get(self.table_name)

    async def run(self) -> bool:
        """Fetch the page; False when the schema changed underneath (the caller starts again)."""
        want_count = self.want_count()
        known = await self.known_count() if want_count else None
        query, labels = self.query, self.labels
        start = time.perf_counter()
        def page(conn: Any) -> PageResult:
            return query.run(conn, want_count, known, labels)

        result = await run_cached(self.ds, self.db, self.schema, cache_for(self.db),
                                  self._cache_key(want_count, known), page, _result_size)
        self.query_ms = (time.perf_counter() - start) * 1000
        if result is STALE:
            return False
        self.result = result
        self.rows = expand_rows(self.columns, result.rows, result.labels)
        return True

    def _cache_key(self, want_count: bool, known: int | None) -> Any:
        query = self.query
        key = (query.sql(self.options.page_size + 1), tuple(sorted(query.params.items(), key=str)), want_count,
               known, tuple((s.column, s.other_table, s.other_column, s.label_column) for s in self.labels),
               query.time_limit_ms)
        try:
            hash(key)
        except TypeError:
            return None
        return key

    @property
    def next_token(self) -> str | None:
        return self.result.next if self.result else None

    def next_url(self) -> str | None:
        token = self.next_token
        if token is None:
            return None
        added: list[tuple[str, str]] = [("_next", token)]
        if self.options.sort:
            added.append(("_sort_desc" if self.options.sort_desc else "_sort", self.options.sort))
        path = path_with_replaced_args(self.request, added)
        return self.ds.absolute_url(self.request, path)

    def human_description_en(self) -> str:
        description = self.options.filters.human_description_en(extra=self.human_extra)
        if self.options.sort:
            sorted_by = f"sorted by {self.options.sort}" + (" descending" if self.options.sort_desc else "")
            description = f"{description} {sorted_by}" if description else sorted_by
        return description

    def json_rows(self) -> list[dict]:
        columns, values = self.columns, dict.values
        return [dict(zip(columns, values(row) if isinstance(row, dict) else row)) for row in self.rows]

    async def stream_rows(self, batch_size: int = STREAM_BATCH,
                          transform: Callable[[list], Any] | None = None) -> AsyncIterator[Any]:
        """Every row matching the filters and sort, in batches, by keyset pagination (offset for views).

        ``transform(rows)``, when given, runs in the database thread on each batch, and its
        results are what is yielded: a renderer can turn rows into output there, which
        frees the event loop and saves a second hand-over of the GIL per batch.
        """
        labels, columns = self.labels, self.columns
        options = TableOptions(**{**self.options.__dict__, "page_size": batch_size, "next_token": None})
        first = TableQuery(self.database_name, self.table, options, self.query.filter_clauses,
                           self.query.filter_params, self.query.time_limit_ms)

        def read(conn: Any, query: TableQuery) -> tuple[str | None, Any]:
            result = query.run(conn, False, None, labels, tuples=True)
            rows = expand_rows(columns, result.rows, result.labels)
            return result.next, (transform(rows) if transform is not None and rows else rows)

        def fetch(query: TableQuery) -> Awaitable[tuple[str | None, Any]]:
            return asyncio.ensure_future(run_traced(self.db, lambda conn: read(conn, query)))

        # The next batch is read (in the database thread) while the caller handles this one.
        pending = fetch(first)
        try:
            while True:
                token, batch = await pending
                if token is not None:
                    pending = fetch(first.after(token))
                if batch:
                    yield batch
                if token is None:
                    return
        finally:
            pending.cancel()


def _result_size(result: PageResult) -> int:
    return len(result.rows) + 1


async def _hook_filters(datasette: Any, request: Request, database: str, table: str) -> list[FilterArguments]:
    results = await datasette.hook.gather("filters_from_request", request=request, database=database,
                                          table=table, datasette=datasette)
    return [r for r in results if r is not None]


async def load_table(datasette: Any, request: Request) -> tuple[Any, DatabaseSchema, TableSchema]:
    """The database, its schema and the table or view the URL names (else PassToNextRoute)."""
    db = resolve_database(datasette, request)
    name = tilde_decode(request.url_vars["table"])
    schema = await get_schema(db, verify=False)
    table = schema.get(name)
    if table is None:
        schema = await get_schema(db, verify=True)
        table = schema.get(name)
        if table is None:
            raise PassToNextRoute(TableNotFound(db.name, name))
    return db, schema, table


async def build_context(datasette: Any, request: Request, html: bool, _retry: bool = True) -> Any:
    """Check permissions, parse the request and run its queries; a Response if it redirects."""
    db, schema, table = await load_table(datasette, request)
    await datasette.ensure_permissions(request.actor, [
        ("view-table", (db.name, table.name)), ("view-database", db.name), "view-instance"])
    redirect = form_redirect(request)
    if redirect is not None:
        return redirect
    config = await datasette.table_config(db.name, table.name)
    options = parse_options(request, datasette, table, config, html)
    hook_filters = await _hook_filters(datasette, request, db.name, table.name)
    context = TableContext(datasette, request, db, schema, table, config, options, hook_filters, html)
    if options.label_columns is None or options.label_columns:
        await context.prepare_labels()
    if not await context.run():
        if not _retry:
            raise RuntimeError("database schema keeps changing")
        return await build_context(datasette, request, html, _retry=False)
    return context


async def table_view(datasette: Any, request: Request) -> Any:
    format_ = request.url_vars.get("format")
    if format_ == "jsono":
        return Response.redirect(path_with_format(request=request, format="json", replace_format="jsono",
                                                  extra_qs={"_shape": "objects"}))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        await load_table(datasette, request)  # a canned query of that name may still take the POST
        return _method_not_allowed(request)
    check_format(datasette, format_)
    context = await build_context(datasette, request, html=format_ is None)
    if isinstance(context, Response):
        return context
    if format_ is None:
        return await render_table_html(context)
    return await render_table_format(context, format_)


def _method_not_allowed(request: Request) -> Response:
    if request.path.endswith(".json"):
        return Response.json({"ok": False, "error": "Method not allowed"}, status=405)
    return Response.text("Method not allowed", status=405)


async def render_table_format(context: TableContext, format_: str) -> Any:
    data = await table_data(context)
    response = await render_format(
        context.ds, context.request, format_, columns=context.columns, rows=context.rows,
        sql=context.query.sql(context.options.page_size + 1), query_name=None,
        database=context.database_name, table=context.table_name, view_name="table",
        truncated=False, error=None, data=data, stream_rows=context.stream_rows,
        expanded_columns=[spec.column for spec in context.labels])
    next_url = context.next_url()
    headers = getattr(response, "headers", None)
    if next_url and isinstance(headers, dict):
        headers["link"] = f'<{next_url}>; rel="next"'
    return response
