"""What the pages need to know about a database's schema, read once per schema version.

Everything here depends only on the schema (and the static configuration), so it is cached
per `Database` and re-read only when ``PRAGMA schema_version`` changes. Mutable databases are
checked on every request, but the check rides along with the page's own queries (see
`run_checked`), so it costs no extra thread hop.
"""
from __future__ import annotations

import contextvars
import re
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

from datasette.utils import detect_fts, detect_primary_keys, get_all_foreign_keys, table_column_details
from datasette.utils.sqlite import sqlite3

__all__ = ["TableSchema", "DatabaseSchema", "get_schema", "run_checked", "run_traced", "STALE"]

STALE = object()  # returned by a checked thread function when the schema changed under it
_FTS_SQL = re.compile(r"\busing\s+fts[345]\b", re.IGNORECASE)


@dataclass
class TableSchema:
    """One table or view."""

    name: str
    is_view: bool
    columns: list[str]
    details: dict[str, Any]
    pks: list[str]
    outgoing: list[dict]
    incoming: list[dict]
    fts_table: str | None
    sql: str | None
    definition: str | None
    virtual: bool = False
    all_columns: list[str] = field(default_factory=list)  # hidden virtual-table columns too

    @property
    def use_rowid(self) -> bool:
        """Rows are addressed by rowid: a table without a declared primary key."""
        return not self.is_view and not self.pks

    @property
    def row_keys(self) -> list[str]:
        """Primary key columns, or ``["rowid"]`` for rowid tables (empty for views)."""
        return ["rowid"] if self.use_rowid else list(self.pks)

    def column_type(self, column: str) -> str:
        detail = self.details.get(column)
        return (detail.type or "") if detail is not None else ""

    def notnull(self, column: str) -> int:
        detail = self.details.get(column)
        return detail.notnull if detail is not None else 0


@dataclass
class DatabaseSchema:
    """Tables, views, hidden tables and label columns of one database at one schema version."""

    version: int
    tables: dict[str, TableSchema]
    table_names: list[str]
    view_names: list[str]
    hidden: set[str] = field(default_factory=set)
    label_columns: dict[str, str | None] = field(default_factory=dict)
    # The content version (see `content_version`) at which this schema was last confirmed current.
    verified_at: str | None = None

    def get(self, name: str) -> TableSchema | None:
        return self.tables.get(name)

    def confirmed_at(self, version: str | None) -> bool:
        """True if this schema was confirmed current at content version ``version``: nothing committed since."""
        return version is not None and version == self.verified_at

    async def label_column(self, db: Any, table: str) -> str | None:
        """The label column of ``table`` (configured or guessed), cached with the schema."""
        if table not in self.label_columns:
            try:
                self.label_columns[table] = await db.label_column_for_table(table)
            except sqlite3.Error:
                self.label_columns[table] = None
        return self.label_columns[table]


def _read_schema(conn: sqlite3.Connection) -> DatabaseSchema:
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    master = conn.execute(
        "select type, name, tbl_name, sql, rootpage from sqlite_master"
        " where type in ('table', 'view', 'index')").fetchall()
    try:
        foreign_keys = get_all_foreign_keys(conn)
    except sqlite3.Error:
        foreign_keys = {}
    indexes: dict[str, list[str]] = {}
    for type_, name, tbl_name, sql, _ in master:
        if type_ == "index" and sql:
            indexes.setdefault(tbl_name, []).append(sql + ";")
    tables: dict[str, TableSchema] = {}
    table_names, view_names = [], []
    for type_, name, _tbl, sql, rootpage in master:
        if type_ == "index":
            continue
        is_view = type_ == "view"
        try:
            every = table_column_details(conn, name)
            details = [c for c in every if c.hidden != 1]
            pks = [] if is_view else detect_primary_keys(conn, name)
            fts = None if is_view else (name if _FTS_SQL.search(sql or "") else detect_fts(conn, name))
        except sqlite3.Error:  # a virtual table whose module is missing, or a broken view
            every, details, pks, fts = [], [], [], None
        keys = foreign_keys.get(name) or {"incoming": [], "outgoing": []}
        definition = None
        if sql:
            definition = "\n".join([sql + ";"] + indexes.get(name, []))
        tables[name] = TableSchema(
            name=name, is_view=is_view, columns=[c.name for c in details],
            details={c.name: c for c in details}, pks=pks,
            outgoing=[{"column": k["column"], "other_table": k["other_table"], "other_column": k["other_column"]}
                      for k in keys["outgoing"]],
            incoming=list(keys["incoming"]), fts_table=fts, sql=sql, definition=definition,
            virtual=(not is_view and not rootpage), all_columns=[c.name for c in every])
        (view_names if is_view else table_names).append(name)
    return DatabaseSchema(version=version, tables=tables, table_names=sorted(table_names), view_names=view_names)


_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def _load(db: Any) -> DatabaseSchema:
    schema = await db.execute_fn(_read_schema)
    schema.hidden = set(await db.hidden_table_names())
    _cache[db] = schema
    return schema


async def get_schema(db: Any, verify: bool = True) -> DatabaseSchema:
    """The cached schema of ``db``; with ``verify`` a mutable database's version is checked first."""
    schema = _cache.get(db)
    if schema is None:
        return await _load(db)
    if verify and db.is_mutable:
        version = await db.execute_fn(lambda conn: conn.execute("PRAGMA schema_version").fetchone()[0])
        if version != schema.version:
            return await _load(db)
    return schema


async def run_traced(db: Any, fn: Callable[[sqlite3.Connection], Any]) -> Any:
    """Run ``fn(conn)`` in one thread hop, in a copy of the caller's context (so traces are kept)."""
    context = contextvars.copy_context()
    return await db.execute_fn(lambda conn: context.run(fn, conn))


async def run_checked(db: Any, schema: DatabaseSchema, fn: Callable[[sqlite3.Connection], Any],
                      version: str | None = None) -> Any:
    """Run ``fn(conn)`` in one thread hop, after checking the schema is still ``schema``.

    Returns `STALE` (and drops the cached schema) when a mutable database's schema changed;
    the caller reloads with `get_schema` and tries again. ``fn`` runs in a copy of the
    caller's context, so ``datasette.tracer.trace`` records its queries. ``version``, the
    content version read before the call, is recorded as ``schema.verified_at`` when the
    check passes; when the schema was verified at that very version nothing has been
    committed since, and the check is skipped.
    """
    context = contextvars.copy_context()
    check = db.is_mutable and not schema.confirmed_at(version)

    def work(conn: sqlite3.Connection) -> Any:
        if check and conn.execute("PRAGMA schema_version").fetchone()[0] != schema.version:
            return STALE
        return context.run(fn, conn)

    result = await db.execute_fn(work)
    if result is STALE:
        if _cache.get(db) is schema:
            del _cache[db]
    elif version is not None:
        schema.verified_at = version
    return result


_version_readers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def content_version(datasette: Any, db: Any) -> str | None:
    """A token that changes with every commit to a mutable file database, read without SQLite.

    It comes from ``datasette.content_version(db)``, which the ``http_caching`` plugin offers
    (it reads the file's change counter or WAL index); None when that plugin is disabled or
    cannot tell. Pages use it to answer from their result cache without a thread hop.
    """
    reader = _version_readers.get(datasette, False)
    if reader is False:
        reader = _version_readers[datasette] = getattr(datasette, "content_version", None)
    return reader(db) if reader is not None else None
