"""Metadata (titles, descriptions, licences) kept in the internal database, and canned queries."""
from __future__ import annotations

import json
from typing import Any

from datasette.utils.sqlite import sqlite3


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class MetadataMixin:
    """The metadata and canned-query API of ``Datasette``."""

    _metadata_local: dict
    config: dict
    hook: Any
    get_internal_database: Any

    async def _apply_metadata(self) -> None:
        meta = self._metadata_local or {}
        internal = self.get_internal_database()

        rows: list[tuple[str, tuple]] = []
        for key, value in meta.items():
            if key not in ("databases",):
                rows.append(("insert or replace into metadata_instance values (?, ?)", (key, _as_text(value))))
        for db_name, db_meta in (meta.get("databases") or {}).items():
            for key, value in (db_meta or {}).items():
                if key != "tables":
                    rows.append(("insert or replace into metadata_databases values (?, ?, ?)", (db_name, key, _as_text(value))))
            for table, table_meta in ((db_meta or {}).get("tables") or {}).items():
                for key, value in (table_meta or {}).items():
                    if key == "columns":
                        for column, text in (value or {}).items():
                            rows.append(("insert or replace into metadata_columns values (?, ?, ?, 'description', ?)",
                                         (db_name, table, column, _as_text(text))))
                    else:
                        rows.append(("insert or replace into metadata_resources values (?, ?, ?, ?)",
                                     (db_name, table, key, _as_text(value))))

        def write(conn: sqlite3.Connection) -> None:
            for sql, params in rows:
                conn.execute(sql, params)

        if rows:
            await internal.execute_write_fn(write)

    async def _metadata_query(self, sql: str, params: list) -> dict[str, str]:
        rows = await self.get_internal_database().execute(sql, params)
        return {row["key"]: row["value"] for row in rows}

    async def get_instance_metadata(self) -> dict[str, str]:
        return await self._metadata_query("select key, value from metadata_instance", [])

    async def get_database_metadata(self, database_name: str) -> dict[str, str]:
        return await self._metadata_query(
            "select key, value from metadata_databases where database_name = ?", [database_name])

    async def get_resource_metadata(self, database_name: str, resource_name: str) -> dict[str, str]:
        return await self._metadata_query(
            "select key, value from metadata_resources where database_name = ? and resource_name = ?",
            [database_name, resource_name])

    async def get_column_metadata(self, database_name: str, resource_name: str, column_name: str) -> dict[str, str]:
        return await self._metadata_query(
            "select key, value from metadata_columns where database_name = ? and resource_name = ?"
            " and column_name = ?", [database_name, resource_name, column_name])

    async def set_instance_metadata(self, key: str, value: str) -> None:
        await self.get_internal_database().execute_write(
            "insert or replace into metadata_instance (key, value) values (?, ?)", [key, value])

    async def set_database_metadata(self, database_name: str, key: str, value: str) -> None:
        await self.get_internal_database().execute_write(
            "insert or replace into metadata_databases (database_name, key, value) values (?, ?, ?)",
            [database_name, key, value])

    async def set_resource_metadata(self, database_name: str, resource_name: str, key: str, value: str) -> None:
        await self.get_internal_database().execute_write(
            "insert or replace into metadata_resources (database_name, resource_name, key, value)"
            " values (?, ?, ?, ?)", [database_name, resource_name, key, value])

    async def set_column_metadata(self, database_name: str, resource_name: str, column_name: str,
                                  key: str, value: str) -> None:
        await self.get_internal_database().execute_write(
            "insert or replace into metadata_columns (database_name, resource_name, column_name, key, value)"
            " values (?, ?, ?, ?, ?)", [database_name, resource_name, column_name, key, value])

    def metadata(self, key: str | None = None, database: str | None = None, table: str | None = None,
                 fallback: bool = True) -> Any:
        """The pre-1.0a14 synchronous metadata API that plugins (datasette-atom) still call.

        Returns the metadata the instance started with: the instance's, a database's
        (with its configured canned queries under ``queries``, where they used to
        live) or a table's. With ``key``: that value, looked up table, then database,
        then instance unless ``fallback`` is false.
        """
        instance = self._metadata_local or {}
        db_meta = dict(((instance.get("databases") or {}).get(database) or {}) if database else {})
        queries = (((self.config or {}).get("databases") or {}).get(database) or {}).get("queries")
        if queries:
            db_meta["queries"] = {**(db_meta.get("queries") or {}), **queries}
        levels = ([((db_meta.get("tables") or {}).get(table) or {})] if database and table else []) + \
            ([db_meta] if database else []) + [instance]
        if key is None:
            return levels[0]
        return next((level[key] for level in (levels if fallback else levels[:1]) if key in level), None)

    async def get_canned_queries(self, database_name: str, actor: dict | None) -> dict[str, dict]:
        """Canned queries from configuration, overlaid by the ``canned_queries`` hook."""
        configured = ((self.config.get("databases") or {}).get(database_name) or {}).get("queries") or {}
        queries = dict(configured)
        for result in await self.hook.gather("canned_queries", datasette=self, database=database_name,
                                             actor=actor):
            queries.update(result or {})
        return {name: {**({"sql": query} if isinstance(query, str) else query), "name": name}
                for name, query in queries.items()}

    async def get_canned_query(self, database_name: str, query_name: str, actor: dict | None) -> dict | None:
        """One canned query by name, or None."""
        return (await self.get_canned_queries(database_name, actor)).get(query_name)
