"""Schema introspection: pure functions on a ``sqlite3.Connection``.

`Database` runs these on its read connections; plugins import them from ``datasette.utils``.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, NamedTuple

from .sqlite import sqlite3, sqlite_timelimit, supports_table_list, supports_table_xinfo

__all__ = [
    "Column",
    "table_columns",
    "table_column_details",
    "detect_primary_keys",
    "detect_fts",
    "detect_json1",
    "detect_spatialite",
    "get_outbound_foreign_keys",
    "get_all_foreign_keys",
    "fts_content_table",
    "is_fts_sql",
    "count_table_rows",
    "hidden_table_names",
    "guess_label_column",
]


FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_docsize", "_content", "_config", "_segdir", "_segments", "_stat")
SPATIALITE_TABLES = frozenset(
    """ElementaryGeometries KNN KNN2 SpatialIndex data_licenses geom_cols_ref_sys geometry_columns
    geometry_columns_auth geometry_columns_field_infos geometry_columns_statistics geometry_columns_time
    spatial_ref_sys spatial_ref_sys_aux spatialite_history sql_statements_log sqlite_sequence
    views_geometry_columns views_geometry_columns_auth views_geometry_columns_field_infos
    views_geometry_columns_statistics virts_geometry_columns virts_geometry_columns_auth
    virts_geometry_columns_field_infos virts_geometry_columns_statistics""".split()
)


class Column(NamedTuple):
    """One column of a table, as reported by ``PRAGMA table_xinfo``."""

    cid: int
    name: str
    type: str
    notnull: int
    default_value: Any
    is_pk: int
    hidden: int


def table_column_details(conn: sqlite3.Connection, table: str) -> list[Column]:
    """Every column of ``table``, including hidden and generated ones where SQLite can tell."""
    if supports_table_xinfo():
        rows = conn.execute("select * from pragma_table_xinfo(?)", [table]).fetchall()
        return [Column(*row) for row in rows]
    rows = conn.execute("select * from pragma_table_info(?)", [table]).fetchall()
    return [Column(*row, 0) for row in rows]


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """Names of the columns ``select *`` returns (virtual-table hidden columns left out)."""
    return [c.name for c in table_column_details(conn, table) if c.hidden != 1]


def detect_primary_keys(conn: sqlite3.Connection, table: str) -> list[str]:
    """Primary key column names of ``table`` in key order; empty for rowid tables."""
    rows = conn.execute(
        "select name from pragma_table_info(?) where pk > 0 order by pk", [table]
    ).fetchall()
    return [row[0] for row in rows]


_fts_using = re.compile(r"\busing\s+fts[345]\b", re.IGNORECASE)
_content_option = re.compile(
    r"""\bcontent\s*=\s*(?:"((?:[^"]|"")*)"|'((?:[^']|'')*)'|\[([^\]]*)\]|`([^`]*)`|([^\s,)]+))""",
    re.IGNORECASE,
)


def is_fts_sql(create_sql: str | None) -> bool:
    """True if ``create_sql`` creates an FTS3, FTS4 or FTS5 virtual table."""
    return bool(create_sql) and _fts_using.search(create_sql) is not None


def fts_content_table(create_sql: str | None) -> str | None:
    """The ``content=`` table named by an FTS virtual table's CREATE statement, or None.

    Returns ``""`` for a contentless table (``content=''``).
    """
    if not is_fts_sql(create_sql):
        return None
    match = _content_option.search(create_sql)  # type: ignore[arg-type]
    if match is None:
        return None
    double, single, bracket, backtick, bare = match.groups()
    if double is not None:
        return double.replace('""', '"')
    if single is not None:
        return single.replace("''", "'")
    return bracket if bracket is not None else backtick if backtick is not None else bare


def _fts_tables(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute(
        "select name, sql from sqlite_master where type = 'table' and rootpage = 0"
        " and sql like '%using fts%'"
    ).fetchall()


def detect_fts(conn: sqlite3.Connection, table: str) -> str | None:
    """Name of the FTS3/4/5 table indexing ``table`` (``content=table`` or named ``{table}_fts``)."""
    conventional = None
    for name, sql in _fts_tables(conn):
        if not is_fts_sql(sql):
            continue
        if fts_content_table(sql) == table:
            return name
        if name == f"{table}_fts":
            conventional = name
    return conventional


def detect_json1(conn: sqlite3.Connection | None = None) -> bool:
    """True if the JSON1 functions are available (on ``conn``, or on a fresh connection)."""
    own = conn is None
    if own:
        conn = sqlite3.connect(":memory:")
    try:
        conn.execute("select json('{}')")
        return True
    except Exception:
        return False
    finally:
        if own:
            conn.close()


def detect_spatialite(conn: sqlite3.Connection) -> bool:
    """True if the database carries SpatiaLite metadata tables."""
    row = conn.execute(
        "select 1 from sqlite_master where type = 'table' and name = 'geometry_columns'"
    ).fetchone()
    return row is not None


def get_outbound_foreign_keys(conn: sqlite3.Connection, table: str) -> list[dict[str, str]]:
    """Single-column foreign keys of ``table``: ``[{column, other_table, other_column}]``.

    Compound foreign keys are left out; a key that names no target column points at the other
    table's primary key.
    """
    rows = conn.execute(
        'select id, seq, "table", "from", "to" from pragma_foreign_key_list(?)', [table]
    ).fetchall()
    compound = {row[0] for row in rows if row[1] > 0}
    keys = []
    for fk_id, _seq, other_table, column, other_column in rows:
        if fk_id in compound:
            continue
        if other_column is None:
            pks = detect_primary_keys(conn, other_table)
            other_column = pks[0] if len(pks) == 1 else "rowid"
        keys.append({"column": column, "other_table": other_table, "other_column": other_column})
    return keys


def get_all_foreign_keys(conn: sqlite3.Connection) -> dict[str, dict[str, list[dict[str, str]]]]:
    """``{table: {"incoming": [...], "outgoing": [...]}}`` for every table of the database.

    Outgoing items are ``{other_table, column, other_column}`` seen from the table itself;
    incoming items mirror them, so ``column`` is this table's column and ``other_column`` the
    referencing one.
    """
    names = [
        row[0]
        for row in conn.execute("select name from sqlite_master where type = 'table' order by name")
    ]
    result: dict[str, dict[str, list[dict[str, str]]]] = {
        name: {"incoming": [], "outgoing": []} for name in names
    }
    for name in names:
        try:
            keys = get_outbound_foreign_keys(conn, name)
        except sqlite3.OperationalError:  # e.g. a virtual table whose module is not loaded
            continue
        for fk in keys:
            result[name]["outgoing"].append(
                {"other_table": fk["other_table"], "column": fk["column"], "other_column": fk["other_column"]}
            )
            if fk["other_table"] in result:
                result[fk["other_table"]]["incoming"].append(
                    {"other_table": name, "column": fk["other_column"], "other_column": fk["column"]}
                )
    return result


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_table_rows(conn: sqlite3.Connection, limit_ms: float, cap: int,
                     names: Iterable[str] | None = None) -> dict[str, int | None]:
    """``{table: rows}`` for every table (or those ``names``), counting at most ``cap`` rows and for at
    most ``limit_ms`` per table (None when that ran out, or the table cannot be read)."""
    if names is None:
        names = [row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")]
    counts: dict[str, int | None] = {}
    for name in names:
        try:
            with sqlite_timelimit(conn, limit_ms):
                sql = f"select count(*) from (select * from {_quote(name)} limit {int(cap)})"
                counts[name] = conn.execute(sql).fetchone()[0]
        except sqlite3.Error:  # interrupted, or a virtual table whose module is missing
            counts[name] = None
    return counts


def hidden_table_names(conn: sqlite3.Connection, configured: Iterable[str] = ()) -> list[str]:
    """Tables to leave out of listings: ``configured`` ones, ``_``-prefixed, ``sqlite_stat*``,
    FTS shadow tables and FTS tables with ``content=``, and SpatiaLite internals."""
    rows = conn.execute("select name, sql from sqlite_master where type = 'table'").fetchall()
    names = {row[0] for row in rows}
    hidden = names & set(configured)
    hidden.update(name for name in names if name.startswith(("_", "sqlite_stat")))
    for name, sql in rows:
        if is_fts_sql(sql):
            if fts_content_table(sql) is not None:
                hidden.add(name)
            hidden.update(name + suffix for suffix in FTS_SHADOW_SUFFIXES if name + suffix in names)
    if supports_table_list():
        shadow = conn.execute("select name from pragma_table_list where schema = 'main' and type = 'shadow'")
        hidden.update(row[0] for row in shadow)
    if detect_spatialite(conn):
        hidden.update(name for name in names if name in SPATIALITE_TABLES or name.startswith("idx_"))
    return sorted(hidden)


def _text_affinity(declared: str | None) -> bool:
    """True for columns SQLite gives TEXT affinity, and for columns with no declared type."""
    declared = (declared or "").upper()
    if not declared:
        return True
    return "INT" not in declared and any(word in declared for word in ("CHAR", "CLOB", "TEXT"))


def guess_label_column(conn: sqlite3.Connection, table: str) -> str | None:
    """The column that best labels a row, as upstream picks it: the one column with a
    single-column unique index (primary keys included) and text affinity; else the first
    column called ``name`` or ``title``; else, in a two-column table where one column is
    ``id`` or ``pk``, the other one; None if nothing fits."""
    columns = [c for c in table_column_details(conn, table) if c.hidden != 1]
    by_name = {c.name: c for c in columns}
    unique_text = []
    for (index,) in conn.execute('select name from pragma_index_list(?) where "unique"', [table]):
        indexed = conn.execute("select name from pragma_index_info(?)", [index]).fetchall()
        if len(indexed) == 1 and indexed[0][0] in by_name and _text_affinity(by_name[indexed[0][0]].type):
            unique_text.append(indexed[0][0])
    if len(unique_text) == 1:
        return unique_text[0]
    for column in columns:
        if column.name.lower() in ("name", "title"):
            return column.name
    names = [c.name for c in columns]
    if len(names) == 2 and ("id" in names or "pk" in names):
        return next(name for name in names if name not in ("id", "pk")) if set(names) != {"id", "pk"} else None
    return None
