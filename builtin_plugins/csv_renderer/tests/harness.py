"""Stand-in table, row and query views that call ``datasette.render_output``.

Renderer tests use it to drive the renderers through real URLs over a real SQLite
file, following the contract the table/query views implement: ``rows`` are the raw
``sqlite3.Row`` objects, ``data["rows"]`` the JSON-shaped rows (label-expanded
cells are ``{"value", "label"}`` dicts), ``stream_rows(batch_size=)`` yields every
matching row by keyset pagination.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import builtin_plugins, pm
from datasette.utils import escape_sqlite, tilde_decode
from datasette.utils.asgi import NotFound

SCHEMA = """
create table simple_primary_key (id text primary key, content text);
create table compound_primary_key (pk1 text, pk2 text, content text, primary key (pk1, pk2));
create table no_pk (a text, b integer);
create table binary_data (data blob);
create table floats (id integer primary key, f real);
create table js (id integer primary key, j text);
create table [tilde/name.csv] (pk text primary key, content text);
create table cities (id integer primary key, name text);
create table facetable (pk integer primary key, state text, city_id integer references cities(id), t text);
create table big (id integer primary key, name text, value real);
create view simple_view as select id, upper(content) as upper_content from simple_primary_key;
create view blob_view as select data from binary_data;
insert into simple_primary_key values ('1', 'hello'), ('2', 'world'), ('3', ''), ('4', null);
insert into compound_primary_key values ('a', 'b', 'c'), ('a/b', '.c-d', 'c'), ('a,b', 'x y', 'z');
insert into no_pk values ('x', 1), ('y', null);
insert into binary_data values (x'15181A'), (cast('hello' as blob)), (null), (x'FF00');
insert into floats values (1, 1.5), (2, 9e999), (3, -9e999), (4, null);
insert into js values (1, '{"a": [1,2]}'), (2, 'not json'), (3, null), (4, '[1,"x"]');
insert into [tilde/name.csv] values ('3', 'hey');
insert into cities values (1, 'San Francisco'), (2, 'Detroit'), (3, 'Memnonia');
insert into facetable (state, city_id, t) values ('CA', 1, 'a,b'), ('CA', 1, 'line
break'), ('MI', 2, 'q"uote'), ('MC', 3, null), ('ZZ', null, 'n'), ('YY', 99, 'missing');
"""
BIG_ROWS = 5000


def make_db(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    conn.executescript(SCHEMA)
    conn.executemany("insert into big (name, value) values (?, ?)",
                     [(f"name {i}, \"quoted\"", i / 4) for i in range(1, BIG_ROWS + 1)])
    conn.commit()
    conn.close()
    return str(path)


async def _labels(db, table, request):
    """{column index name: {value: label}} lookups for the columns whose labels are asked for."""
    wanted = set(request.args.getlist("_label"))
    all_labels = request.args.get("_labels") in ("on", "1")
    found = {}
    for fk in await db.foreign_keys_for_table(table):
        if not (all_labels or fk["column"] in wanted):
            continue
        label = await db.label_column_for_table(fk["other_table"])
        if label:
            sql = (f"select {escape_sqlite(fk['other_column'])}, {escape_sqlite(label)} "
                   f"from {escape_sqlite(fk['other_table'])}")
            found[fk["column"]] = {r[0]: r[1] for r in (await db.execute(sql)).rows}
    return found


def _expand(rows, columns, labels):
    out = []
    for row in rows:
        values = list(row)
        for index, column in enumerate(columns):
            lookup = labels.get(column)
            if lookup is not None and values[index] in lookup:
                values[index] = {"value": values[index], "label": lookup[values[index]]}
        out.append(values)
    return out


def _check_format(datasette, request):
    if request.url_vars["format"] not in datasette.renderers:
        raise NotFound("Invalid format")


async def table_page(datasette, request):
    _check_format(datasette, request)
    db = datasette.get_database(tilde_decode(request.url_vars["database"]))
    table = tilde_decode(request.url_vars["table"])
    fmt = request.url_vars["format"]
    is_view = await db.view_exists(table)
    if not is_view and not await db.table_exists(table):
        raise NotFound("Table not found")
    pks = [] if is_view else await db.primary_keys(table)
    select = "rowid, *" if not pks and not is_view else "*"
    order = ", ".join(escape_sqlite(pk) for pk in (pks or ([] if is_view else ["rowid"])))
    order_by = f" order by {order}" if order else ""
    size = int(request.args.get("_size", 100))
    sql = f"select {select} from {escape_sqlite(table)}{order_by}"
    results = await db.execute(f"{sql} limit {size + 1}")
    rows, more = results.rows[:size], len(results.rows) > size
    columns = results.columns
    labels = await _labels(db, table, request) if not is_view else {}
    shaped = _expand(rows, columns, labels) if labels else rows
    stream_rows = None
    if order and len(pks) <= 1:
        key = (pks or ["rowid"])[0]

        async def stream_rows(batch_size=1000):
            after = None
            while True:
                where = f" where {escape_sqlite(key)} > :after" if after is not None else ""
                batch = (await db.execute(
                    f"select {select} from {escape_sqlite(table)}{where}{order_by} limit {batch_size}",
                    {"after": after})).rows
                if not batch:
                    return
                yield _expand(batch, columns, labels) if labels else batch
                after = batch[-1][key]
    data = {"ok": True, "next": str(rows[-1][0]) if more else None}
    extras = {e for bit in request.args.getlist("_extra") for e in bit.split(",")}
    if "primary_keys" in extras or request.args.get("_shape") == "object":
        data["primary_keys"] = pks
    if "columns" in extras:
        data["columns"] = columns
    data.update({"rows": [dict(zip(columns, r)) for r in shaped], "truncated": False})
    return await datasette.render_output(
        fmt, columns=columns, rows=rows, sql=sql, query_name=None, database=db.name, table=table,
        request=request, view_name="table", truncated=False, error=None, args=request.args,
        data=data, stream_rows=stream_rows)


async def row_page(datasette, request):
    _check_format(datasette, request)
    resolved = await datasette.resolve_row(request)
    row = resolved.row
    columns = list(row.keys())
    data = {"database": resolved.db.name, "table": resolved.table, "rows": [row], "columns": columns,
            "primary_keys": resolved.pks, "primary_key_values": resolved.pk_values, "ok": True,
            "truncated": False}
    return await datasette.render_output(
        request.url_vars["format"], columns=columns, rows=[row], sql=resolved.sql, query_name=None,
        database=resolved.db.name, table=resolved.table, request=request, view_name="row",
        truncated=False, error=None, args=request.args, data=data)


async def query_page(datasette, request):
    _check_format(datasette, request)
    db = datasette.get_database(tilde_decode(request.url_vars["database"]))
    sql = request.args.get("sql")
    query_name = request.url_vars.get("query")
    if query_name:
        sql = (await datasette.get_canned_query(db.name, query_name, request.actor))["sql"]
    error, rows, columns, truncated = None, [], [], False
    try:
        results = await db.execute(sql, truncate=True)
        rows, columns, truncated = results.rows, results.columns, results.truncated
    except sqlite3.DatabaseError as exc:
        error = str(exc)
    data = {"ok": error is None, "rows": rows, "truncated": truncated, "columns": columns}
    return await datasette.render_output(
        request.url_vars["format"], columns=columns, rows=rows, sql=sql, query_name=query_name,
        database=db.name, table=None, request=request, view_name="query", truncated=truncated,
        error=error, args=request.args, data=data)


class Harness:
    """The stand-in views as a plugin (registered for one test, then removed)."""

    @hookimpl
    def register_routes(self, datasette):
        return [
            (r"/(?P<database>[^/.]+)/-/query\.(?P<format>\w+)$", query_page),
            (r"/(?P<database>[^/.]+)/-/canned/(?P<query>[^/.]+)\.(?P<format>\w+)$", query_page),
            (r"/(?P<database>[^/.]+)/(?P<table>[^/.]+)\.(?P<format>\w+)$", table_page),
            (r"/(?P<database>[^/.]+)/(?P<table>[^/]+?)/(?P<pks>[^/]+?)\.(?P<format>\w+)$", row_page),
        ]


# -- pytest fixtures (the renderer plugins' conftests re-export these) --------------------

@pytest.fixture(autouse=True)
def isolate_plugins():
    """Unregister whatever a test added to the process-wide ``pm`` (plugins-dir files too)."""
    builtin_plugins()  # load the built-ins first, so they are not taken for leftovers
    before = {id(plugin) for plugin in pm.get_plugins()}
    yield
    for plugin in pm.get_plugins():
        if id(plugin) not in before:
            pm.unregister(plugin)


@pytest.fixture
def register():
    """``register(plugin, name)``: add a plugin to ``pm`` for this test only."""
    names = []

    def add(plugin, name):
        pm.register(plugin, name=name)
        names.append(name)

    yield add
    for name in names:
        pm.unregister(name=name)


@pytest.fixture(scope="session")
def db_path(tmp_path_factory):
    """fixtures.db, built once: the renderers only read it."""
    return make_db(tmp_path_factory.mktemp("renderers") / "fixtures.db")


@pytest.fixture
def make_ds(db_path, register):
    """Factory for Datasettes serving fixtures.db through the stand-in views; all closed after."""
    made = []

    def factory(files=None, **kwargs):
        if pm.get_plugin("renderer-harness") is None:
            register(Harness(), "renderer-harness")
        ds = Datasette(files or [db_path], **kwargs)
        made.append(ds)
        return ds

    yield factory
    for ds in made:
        ds.close()


@pytest.fixture
def ds(make_ds):
    """A Datasette with the default plugins and the stand-in views."""
    return make_ds()


@pytest.fixture
def real_ds(db_path):
    """A Datasette serving fixtures.db through the real table, row and query views."""
    ds = Datasette([db_path], config={"databases": {"fixtures": {"queries": {"blobs": "select data from binary_data"}}}})
    yield ds
    ds.close()
