"""Facet classes: ``Facet`` (the base third-party plugins subclass), ``ColumnFacet``,
``DateFacet`` and ``ArrayFacet``. Re-exported by the kernel as ``datasette.facets``.

The constructor and methods are upstream's (``suggest()``, ``facet_results()`` returning
``(results, timed_out)``, ``get_configs()``, ``get_facet_size()``, ``get_querystring_pairs()``,
``get_columns()``, ``get_row_count()``), so facet classes written for upstream Datasette work.
The built-in classes run every facet of a type in one thread hop, reuse counts while the
database is unchanged (``cache``), and take their suggestions from one shared sample
(``suggest``).
"""
from __future__ import annotations

import urllib.parse
from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils import escape_sqlite, get_outbound_foreign_keys
from datasette.utils.asgi import BadRequest, Forbidden
from datasette.utils.introspection import guess_label_column
from datasette.utils.sqlite import sqlite3

from .cache import Job, run_jobs
from .configs import config_column, facet_size, load_facet_configs
from .queries import params_key, run_query, time_limit
from .suggest import SAMPLE_ROWS, column_samples, string_array_columns
from .toggles import Toggles

__all__ = ["Facet", "ColumnFacet", "DateFacet", "ArrayFacet", "load_facet_configs"]


class Facet:
    """A kind of facet. Subclasses set ``type`` and implement ``suggest()`` and ``facet_results()``."""

    type: str | None = None
    suggest_consider = SAMPLE_ROWS

    def __init__(self, ds: Any, request: Any, database: str, sql: str | None = None, table: str | None = None,
                 params: Any = None, table_config: dict | None = None, row_count: int | None = None) -> None:
        assert table or sql, "Must provide either table= or sql="
        self.ds = ds
        self.request = request
        self.database = database
        self.table = table  # None for arbitrary SQL: no foreign key labels then
        self.sql = sql or f"select * from [{table}]"
        self.params = params or []
        self.table_config = table_config
        self.row_count = row_count

    async def suggest(self) -> list[dict]:
        """Suggestions ``[{"name", "toggle_url", "type"?}]`` for this request."""
        return []

    async def facet_results(self) -> tuple[list[dict], list[str]]:
        """``(facet results, names of facets that timed out)`` for the facets of this type."""
        raise NotImplementedError

    def get_querystring_pairs(self) -> list[tuple[str, str]]:
        return urllib.parse.parse_qsl(self.request.query_string, keep_blank_values=True)

    def _table_config(self) -> dict:
        if self.table_config is not None or not self.table:
            return self.table_config or {}
        databases = (self.ds.config or {}).get("databases") or {}
        return ((databases.get(self.database) or {}).get("tables") or {}).get(self.table) or {}

    def get_configs(self) -> list[dict]:
        """This type's facets for the request: ``[{"source", "config"}]``."""
        return load_facet_configs(self.request, self._table_config()).get(self.type) or []

    def get_facet_size(self) -> int:
        return facet_size(self.ds, self.request, self._table_config())

    async def get_columns(self, sql: str, params: Any = None) -> list[str]:
        return (await self.ds.execute(self.database, f"select * from ({sql}) limit 0", params or [])).columns

    async def get_row_count(self) -> int:
        if self.row_count is None:
            sql = f"select count(*) from (select * from ({self.sql}) limit {self.suggest_consider})"
            self.row_count = (await self.ds.execute(self.database, sql, self.params)).rows[0][0]
        return self.row_count


class CountingFacet(Facet):
    """A facet that counts rows per value with one GROUP BY query per faceted column."""

    facet_arg = "_facet"

    def facet_sql(self, column: str, limit: int) -> str:
        """The SQL counting rows per value of ``column``: ``value, count`` pairs, biggest first."""
        raise NotImplementedError

    def filter_arg(self, column: str) -> str:
        """The query-string argument that filters on one value of ``column``."""
        raise NotImplementedError

    def describe(self, column: str, source: str, values: list[dict], truncated: bool, toggles: Toggles) -> dict:
        return {"name": column, "type": self.type, "results": values, "hideable": source != "metadata",
                "toggle_url": toggles.without_facet(self.facet_arg, column), "truncated": truncated}

    async def labels(self, counts: dict[str, list]) -> dict[str, dict]:
        """``{column: {value: label}}`` for columns whose values have labels."""
        return {}

    async def facet_results(self) -> tuple[list[dict], list[str]]:
        configs = self.get_configs()
        if not configs:
            return [], []
        size = self.get_facet_size()
        limit_ms = time_limit(self.ds, self.ds.setting("facet_time_limit_ms"))
        pkey = params_key(self.params)
        facets = [(entry["source"], config_column(entry["config"])) for entry in configs]
        jobs = []
        for _, column in facets:
            sql = self.facet_sql(column, size + 1)
            jobs.append(Job(None if pkey is None else ("facet", self.database, sql, pkey),
                            lambda conn, sql=sql: run_query(conn, self.database, sql, self.params, limit_ms)[0],
                            weight=len))
        found = await run_jobs(self.ds.get_database(self.database), jobs)
        counts: dict[str, list] = {}
        timed_out = []
        for (_, column), rows in zip(facets, found):
            if isinstance(rows, QueryInterrupted):
                timed_out.append(column)
            elif isinstance(rows, sqlite3.Error):
                raise BadRequest(f"Cannot facet by {column}: {rows}")
            elif isinstance(rows, Exception):
                raise rows
            else:
                counts.setdefault(column, rows)
        labels = await self.labels(counts)
        toggles = Toggles(self.ds, self.request)
        results = []
        for source, column in facets:
            rows = counts.get(column)
            if rows is None:
                continue
            column_labels = labels.get(column) or {}
            key = self.filter_arg(column)
            values = []
            for value, count in rows[:size]:
                selected, url = toggles.toggle(key, value)
                values.append({"value": value, "label": column_labels.get(value, value), "count": count,
                               "toggle_url": url, "selected": selected})
            results.append(self.describe(column, source, values, len(rows) > size, toggles))
        return results, timed_out

    def enabled_columns(self) -> set[str]:
        return {config_column(entry["config"]) for entry in self.get_configs()}


class ColumnFacet(CountingFacet):
    """``?_facet=column``: the most common values of a column."""

    type = "column"

    def facet_sql(self, column: str, limit: int) -> str:
        quoted = escape_sqlite(column)
        return (f"select {quoted} as value, count(*) as count from ({self.sql}) where {quoted} is not null "
                f"group by {quoted} order by count desc, value limit {limit}")

    def filter_arg(self, column: str) -> str:
        return f"{column}__exact" if column.startswith("_") else column

    def describe(self, column: str, source: str, values: list[dict], truncated: bool, toggles: Toggles) -> dict:
        return {"name": column, "type": self.type, "hideable": source != "metadata",
                "toggle_url": toggles.without_facet(self.facet_arg, column), "results": values,
                "truncated": truncated}

    async def suggest(self) -> list[dict]:
        samples = await column_samples(self)
        size, enabled = self.get_facet_size(), self.enabled_columns()
        toggles = Toggles(self.ds, self.request)
        return [{"name": column, "toggle_url": toggles.add("_facet", column)}
                for column, sample in samples.items() if column not in enabled and sample.column_facet(size)]

    async def labels(self, counts: dict[str, list]) -> dict[str, dict]:
        """Labels of foreign key values from the other table's label column, where the actor
        may see that table (values stay as they are otherwise)."""
        if not self.table or not counts:
            return {}
        db = self.ds.get_database(self.database)
        table = self.table
        (fks,) = await run_jobs(db, [Job(("facet-fks", table), lambda conn: get_outbound_foreign_keys(conn, table))])
        if isinstance(fks, Exception):
            return {}
        wanted = []
        for fk in fks:
            rows = counts.get(fk["column"])
            if not rows or not await self._may_view(fk["other_table"]):
                continue
            label_column = (await self.ds.table_config(self.database, fk["other_table"])).get("label_column")
            wanted.append((fk, label_column, tuple(row[0] for row in rows)))
        jobs = [Job(("facet-labels", fk["other_table"], fk["other_column"], label, values),
                    lambda conn, fk=fk, label=label, values=values: _fetch_labels(conn, fk, label, values))
                for fk, label, values in wanted]
        found = await run_jobs(db, jobs)
        return {fk["column"]: mapping for (fk, _, _), mapping in zip(wanted, found) if isinstance(mapping, dict)}

    async def _may_view(self, table: str) -> bool:
        try:
            await self.ds.ensure_permissions(self.request.actor, [
                ("view-table", (self.database, table)), ("view-database", self.database), "view-instance"])
        except Forbidden:
            return False
        return True


def _fetch_labels(conn: sqlite3.Connection, fk: dict, label_column: str | None, values: tuple) -> dict:
    label_column = label_column or guess_label_column(conn, fk["other_table"])
    if not label_column:
        return {value: str(value) for value in values}
    other = escape_sqlite(fk["other_column"])
    sql = (f"select {other}, {escape_sqlite(label_column)} from {escape_sqlite(fk['other_table'])} "
           f"where {other} in ({', '.join('?' * len(values))})")
    try:
        return dict(conn.execute(sql, values).fetchall())
    except sqlite3.Error:
        return {}


class DateFacet(CountingFacet):
    """``?_facet_date=column``: rows per day of a date or datetime column."""

    type = "date"
    facet_arg = "_facet_date"

    def facet_sql(self, column: str, limit: int) -> str:
        day = f"date({escape_sqlite(column)})"
        return (f"select {day} as value, count(*) as count from ({self.sql}) where {day} is not null "
                f"group by {day} order by count desc, value limit {limit}")

    def filter_arg(self, column: str) -> str:
        return f"{column}__date"

    async def suggest(self) -> list[dict]:
        samples = await column_samples(self)
        enabled = self.enabled_columns()
        toggles = Toggles(self.ds, self.request)
        return [{"name": column, "type": self.type, "toggle_url": toggles.add(self.facet_arg, column)}
                for column, sample in samples.items() if column not in enabled and sample.date_like]


class ArrayFacet(CountingFacet):
    """``?_facet_array=column``: rows per item of a column holding JSON arrays of strings."""

    type = "array"
    facet_arg = "_facet_array"

    def facet_sql(self, column: str, limit: int) -> str:
        # Each row counts once per distinct item, however often the item repeats in it.
        # Values that are not JSON (blank strings, say) are skipped rather than failing the query.
        quoted = escape_sqlite(column)
        return (f"select value, count(*) as count from (select distinct rows.facet_row, items.value as value "
                f"from (select row_number() over () as facet_row, {quoted} as facet_items from ({self.sql}) "
                f"where json_valid({quoted})) as rows join json_each(rows.facet_items) as items) "
                f"group by value order by count desc, value limit {limit}")

    def filter_arg(self, column: str) -> str:
        return f"{column}__arraycontains"

    async def suggest(self) -> list[dict]:
        samples = await column_samples(self)
        enabled = self.enabled_columns()
        candidates = [column for column, sample in samples.items() if column not in enabled and sample.array_like]
        toggles = Toggles(self.ds, self.request)
        return [{"name": column, "type": self.type, "toggle_url": toggles.add(self.facet_arg, column)}
                for column in await string_array_columns(self, candidates)]
