"""The SQL of a table page and running it: page query, count and label lookups in one thread hop."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from datasette.database import QueryInterrupted
from datasette.tracer import trace
from datasette.utils import CustomRow, escape_sqlite, sqlite_timelimit, tilde_encode
from datasette.utils.asgi import BadRequest
from datasette.utils.sqlite import sqlite3

from .schema import TableSchema
from .table_options import TableOptions, decode_next

COUNT_LIMIT = 10000


@dataclass
class LabelSpec:
    """How to label one foreign key column: ``select other_column, label from other_table``."""

    column: str
    other_table: str
    other_column: str
    label_column: str

    @property
    def sql_prefix(self) -> str:
        return (f"select {escape_sqlite(self.other_column)}, {escape_sqlite(self.label_column)} "
                f"from {escape_sqlite(self.other_table)} where {escape_sqlite(self.other_column)} in (")


@dataclass
class PageResult:
    rows: list
    more: bool
    next: str | None
    count: int | None
    labels: dict[str, dict[Any, Any]] = field(default_factory=dict)


def _where_sql(clauses: list[str]) -> str:
    return ("where " + " and ".join(clauses) + " ") if clauses else ""


class TableQuery:
    """The SELECT for one table request, and the count and label queries that go with it."""

    def __init__(self, db_name: str, table: TableSchema, options: TableOptions, where_clauses: list[str],
                 params: dict, time_limit_ms: int | None) -> None:
        self.db_name = db_name
        self.table = table
        self.options = options
        self.filter_clauses = list(where_clauses)
        self.filter_params = dict(params)
        self.time_limit_ms = time_limit_ms
        self.from_sql = escape_sqlite(table.name)
        self.columns = options.columns
        self.keys = table.row_keys
        self.sort, self.sort_desc = options.sort, options.sort_desc
        # The sort column is fetched even when hidden by _col/_nocol: _next tokens need it.
        self.hidden_sort = bool(self.sort and self.sort not in self.columns and not table.is_view)
        fetched = self.columns + ([self.sort] if self.hidden_sort else [])
        self.select_sql = ", ".join(escape_sqlite(c) for c in fetched)
        self.offset = 0
        self.next_clause: str | None = None
        self.next_params: dict[str, Any] = {}
        if options.next_token:
            self._apply_next(options.next_token)

    def after(self, token: str) -> "TableQuery":
        """This query continued after ``token`` (a ``_next`` value), without re-deriving its SQL."""
        query = copy.copy(self)
        query.options = replace(self.options, next_token=token)
        query.offset, query.next_clause, query.next_params = 0, None, {}
        query._apply_next(token)
        return query

    # -- SQL -----------------------------------------------------------------------

    @property
    def order_by(self) -> str:
        bits = []
        if self.sort:
            bits.append(escape_sqlite(self.sort) + (" desc" if self.sort_desc else ""))
        if self.keys and (bits or not self.table.is_view):
            bits += [escape_sqlite(k) for k in self.keys if k != self.sort]
        return ("order by " + ", ".join(bits)) if bits else ""

    @property
    def where_clauses(self) -> list[str]:
        return self.filter_clauses + ([self.next_clause] if self.next_clause else [])

    @property
    def params(self) -> dict[str, Any]:
        return {**self.filter_params, **self.next_params}

    def sql(self, limit: int) -> str:
        sql = f"select {self.select_sql} from {self.from_sql} {_where_sql(self.where_clauses)}{self.order_by} limit {limit}"
        return sql + (f" offset {self.offset}" if self.offset else "")

    @property
    def count_sql(self) -> str:
        return f"select count(*) from {self.from_sql} {_where_sql(self.filter_clauses)}"

    def _limited_count_sql(self) -> str:
        return (f"select count(*) from (select 1 from {self.from_sql} {_where_sql(self.filter_clauses)}"
                f"limit {COUNT_LIMIT + 1})")

    # -- keyset pagination ---------------------------------------------------------------

    def _apply_next(self, token: str) -> None:
        if self.table.is_view or not self.keys:
            try:
                self.offset = int(token)
                if self.offset < 0:
                    raise ValueError
            except ValueError:
                raise BadRequest("_next must be a non-negative integer for views") from None
            return
        bits = decode_next(token)
        sort_value = None
        if self.sort:
            if len(bits) != len(self.keys) + 1:
                return
            sort_value, bits = bits[0], bits[1:]
        elif len(bits) != len(self.keys):
            return
        start = len(self.filter_params)
        names = [f"p{start + i}" for i in range(len(self.keys))]
        self.next_params = dict(zip(names, bits))
        keys_after = _keys_after(self.keys, names)
        if not self.sort:
            self.next_clause = keys_after
            return
        column = escape_sqlite(self.sort)
        if sort_value == "$null":
            # NULLs sort first ascending and last descending in SQLite.
            rest = f"{column} is not null or " if not self.sort_desc else ""
            self.next_clause = f"({rest}({column} is null and {keys_after}))"
            return
        sort_param = f"p{start + len(self.keys)}"
        self.next_params[sort_param] = sort_value
        op = "<" if self.sort_desc else ">"
        nulls = f" or {column} is null" if self.sort_desc else ""
        self.next_clause = (f"({column} {op} :{sort_param}{nulls} or "
                            f"({column} = :{sort_param} and {keys_after}))")

    def next_token(self, last_row: Any) -> str:
        """The ``_next`` value that continues after ``last_row`` (raw values, not labelled)."""
        if self.table.is_view or not self.keys:
            return str(self.offset + self.options.page_size)
        bits = [last_row[self.columns.index(k)] for k in self.keys]
        token = ",".join(tilde_encode(str(b)) for b in bits)
        if self.sort:
            value = last_row[-1] if self.hidden_sort else last_row[self.columns.index(self.sort)]
            token = ("$null" if value is None else tilde_encode(str(value))) + "," + token
        return token

    # -- running -------------------------------------------------------------------------

    def _execute(self, conn: sqlite3.Connection, sql: str, params: Any, limit: int | None = None,
                 tuples: bool = False) -> list:
        with trace("sql", database=self.db_name, sql=sql, params=params):
            try:
                with sqlite_timelimit(conn, self.time_limit_ms or 0):
                    cursor = conn.cursor()
                    if tuples:  # plain tuples are cheaper to build than sqlite3.Row
                        cursor.row_factory = None
                    cursor.execute(sql, params)
                    rows = cursor.fetchmany(limit) if limit is not None else cursor.fetchall()
                    cursor.close()
                    return rows
            except sqlite3.OperationalError as error:
                if error.args == ("interrupted",):
                    raise QueryInterrupted(error, sql, params) from error
                raise

    def run(self, conn: sqlite3.Connection, want_count: bool, known_count: int | None,
            labels: list[LabelSpec], tuples: bool = False) -> PageResult:
        """Fetch one page (``page_size + 1`` rows to detect more), the count and the labels.

        ``tuples`` fetches plain tuples instead of `sqlite3.Row`s (streaming wants no names).
        """
        size = self.options.page_size
        rows = self._execute(conn, self.sql(size + 1), self.params, size + 1, tuples)
        more = len(rows) > size
        if more:
            del rows[size:]
        next_token = self.next_token(rows[-1]) if more and rows else None
        if self.hidden_sort:
            rows = [CustomRow(self.columns, zip(self.columns, row)) for row in rows]
        count = known_count
        if want_count and count is None:
            if not more and not self.options.next_token:
                count = len(rows)
            else:
                try:
                    count = self._execute(conn, self._limited_count_sql(), self.filter_params)[0][0]
                except QueryInterrupted:
                    count = None
        return PageResult(rows, more, next_token, count, self.fetch_labels(conn, rows, labels))

    def fetch_labels(self, conn: sqlite3.Connection, rows: list, labels: list[LabelSpec]) -> dict:
        found: dict[str, dict] = {}
        for spec in labels:
            index = self.columns.index(spec.column)
            values = list({row[index] for row in rows} - {None})
            if not values:
                continue
            sql = spec.sql_prefix + ", ".join("?" * len(values)) + ")"
            try:
                found[spec.column] = dict(self._execute(conn, sql, values))
            except (QueryInterrupted, sqlite3.Error):
                found[spec.column] = {}
        return found


def _keys_after(keys: list[str], names: list[str]) -> str:
    if len(keys) == 1:
        return f"{escape_sqlite(keys[0])} > :{names[0]}"
    clauses = []
    for i in range(len(keys)):
        equal = [f"{escape_sqlite(keys[j])} = :{names[j]}" for j in range(i)]
        clauses.append("(" + " and ".join(equal + [f"{escape_sqlite(keys[i])} > :{names[i]}"]) + ")")
    return "(" + "\n  or\n".join(clauses) + ")"


def expand_rows(columns: list[str], rows: list, labels: dict[str, dict]) -> list:
    """Rows with labelled foreign keys as ``{"value", "label"}`` (`CustomRow`s), else unchanged."""
    if not labels:
        return rows
    positions = [(columns.index(column), mapping) for column, mapping in labels.items()]
    expanded = []
    for row in rows:
        values = list(row)
        for index, mapping in positions:
            value = values[index]
            if value is not None and value in mapping:
                values[index] = {"value": value, "label": mapping[value]}
        expanded.append(CustomRow(columns, zip(columns, values)))
    return expanded
