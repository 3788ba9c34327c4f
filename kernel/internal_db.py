"""The internal database: a catalog of every attached database's schema, and metadata.

The ``catalog_*`` tables are rebuilt for a database whenever its schema changes; plugins query
them (``datasette.get_internal_database()``) instead of introspecting each database. The
``metadata_*`` tables hold the instance, database, resource and column metadata.
"""
from __future__ import annotations

from typing import Any

from .utils.introspection import table_column_details
from .utils.sqlite import sqlite3

__all__ = ["init_internal_db", "populate_schema_tables", "INTERNAL_SCHEMA"]

# In catalog_columns, default_value is the SQL text of the default and is_pk the column's position
# in the primary key (0 if not part of it), as PRAGMA table_xinfo reports them.
INTERNAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS catalog_databases (
    database_name TEXT PRIMARY KEY, path TEXT, is_memory INTEGER, schema_version INTEGER
);
CREATE TABLE IF NOT EXISTS catalog_tables (
    database_name TEXT, table_name TEXT, rootpage INTEGER, sql TEXT,
    PRIMARY KEY (database_name, table_name),
    FOREIGN KEY (database_name) REFERENCES catalog_databases(database_name)
);
CREATE TABLE IF NOT EXISTS catalog_columns (
    database_name TEXT, table_name TEXT, cid INTEGER, name TEXT, type TEXT, "notnull" INTEGER,
    default_value TEXT, is_pk INTEGER, hidden INTEGER,
    PRIMARY KEY (database_name, table_name, name),
    FOREIGN KEY (database_name) REFERENCES catalog_databases(database_name),
    FOREIGN KEY (database_name, table_name) REFERENCES catalog_tables(database_name, table_name)
);
CREATE TABLE IF NOT EXISTS catalog_indexes (
    database_name TEXT, table_name TEXT, seq INTEGER, name TEXT, "unique" INTEGER, origin TEXT, partial INTEGER,
    PRIMARY KEY (database_name, table_name, name),
    FOREIGN KEY (database_name) REFERENCES catalog_databases(database_name),
    FOREIGN KEY (database_name, table_name) REFERENCES catalog_tables(database_name, table_name)
);
CREATE TABLE IF NOT EXISTS catalog_foreign_keys (
    database_name TEXT, table_name TEXT, id INTEGER, seq INTEGER, "table" TEXT, "from" TEXT, "to" TEXT,
    on_update TEXT, on_delete TEXT, match TEXT,
    PRIMARY KEY (database_name, table_name, id, seq),
    FOREIGN KEY (database_name) REFERENCES catalog_databases(database_name),
    FOREIGN KEY (database_name, table_name) REFERENCES catalog_tables(database_name, table_name)
);
CREATE TABLE IF NOT EXISTS metadata_instance (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS metadata_databases (
    database_name TEXT, key TEXT, value TEXT, PRIMARY KEY (database_name, key)
);
CREATE TABLE IF NOT EXISTS metadata_resources (
    database_name TEXT, resource_name TEXT, key TEXT, value TEXT, PRIMARY KEY (database_name, resource_name, key)
);
CREATE TABLE IF NOT EXISTS metadata_columns (
    database_name TEXT, resource_name TEXT, column_name TEXT, key TEXT, value TEXT,
    PRIMARY KEY (database_name, resource_name, column_name, key)
);
"""

_CATALOG_TABLES = ("catalog_foreign_keys", "catalog_indexes", "catalog_columns", "catalog_tables", "catalog_databases")


async def init_internal_db(db: Any) -> None:
    """Create the catalog and metadata tables in the internal database, if they are missing."""
    await db.execute_write_script(INTERNAL_SCHEMA)


def _read_schema(conn: sqlite3.Connection) -> dict[str, Any]:
    """Everything the catalog records about the database ``conn`` is connected to."""
    schema: dict[str, Any] = {"version": conn.execute("PRAGMA schema_version").fetchone()[0],
                              "tables": [], "columns": [], "indexes": [], "foreign_keys": []}
    tables = conn.execute("select name, rootpage, sql from sqlite_master where type = 'table'").fetchall()
    for name, rootpage, sql in tables:
        schema["tables"].append((name, rootpage, sql))
        try:
            columns = [(name, *column) for column in table_column_details(conn, name)]
            indexes = [(name, *row) for row in conn.execute("select * from pragma_index_list(?)", [name])]
            keys = [(name, *row) for row in conn.execute("select * from pragma_foreign_key_list(?)", [name])]
        except sqlite3.OperationalError:  # e.g. a virtual table whose module is not loaded here
            continue
        schema["columns"] += columns
        schema["indexes"] += indexes
        schema["foreign_keys"] += keys
    return schema


async def populate_schema_tables(internal_db: Any, db: Any) -> None:
    """Replace the catalog rows of ``db`` with its current schema, in one write transaction."""
    schema = await db.execute_fn(_read_schema)
    name = db.name

    def replace(conn: sqlite3.Connection) -> None:
        for table in _CATALOG_TABLES:
            conn.execute(f"delete from {table} where database_name = ?", [name])
        conn.execute(
            "insert into catalog_databases (database_name, path, is_memory, schema_version) values (?, ?, ?, ?)",
            [name, db.path, int(bool(db.is_memory)), schema["version"]],
        )
        conn.executemany(
            "insert or replace into catalog_tables (database_name, table_name, rootpage, sql) values (?, ?, ?, ?)",
            [(name, *row) for row in schema["tables"]],
        )
        conn.executemany(
            'insert or replace into catalog_columns (database_name, table_name, cid, name, type, "notnull",'
            " default_value, is_pk, hidden) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(name, *row) for row in schema["columns"]],
        )
        conn.executemany(
            'insert or replace into catalog_indexes (database_name, table_name, seq, name, "unique", origin,'
            " partial) values (?, ?, ?, ?, ?, ?, ?)",
            [(name, *row) for row in schema["indexes"]],
        )
        conn.executemany(
            'insert or replace into catalog_foreign_keys (database_name, table_name, id, seq, "table", "from",'
            ' "to", on_update, on_delete, match) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [(name, *row) for row in schema["foreign_keys"]],
        )

    await internal_db.execute_write_fn(replace)
