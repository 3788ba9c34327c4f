"""Metadata for a page (instance, database, table, column descriptions) in one internal-DB hop."""
from __future__ import annotations

from typing import Any

from datasette.utils.sqlite import sqlite3

FOOTER_KEYS = ("title", "description", "description_html", "license", "license_url", "source", "source_url",
               "about", "about_url")


def _pairs(conn: sqlite3.Connection, sql: str, params: list) -> dict[str, Any]:
    try:
        return {row[0]: row[1] for row in conn.execute(sql, params)}
    except sqlite3.Error:  # metadata tables not created yet
        return {}


async def page_metadata(datasette: Any, database: str | None = None, table: str | None = None,
                        instance: bool = False) -> dict[str, dict]:
    """``{"instance", "database", "table", "columns"}`` metadata dicts (empty where not asked for)."""

    def read(conn: sqlite3.Connection) -> dict[str, dict]:
        result: dict[str, dict] = {"instance": {}, "database": {}, "table": {}, "columns": {}}
        if instance:
            result["instance"] = _pairs(conn, "select key, value from metadata_instance", [])
        if database is not None:
            result["database"] = _pairs(
                conn, "select key, value from metadata_databases where database_name = ?", [database])
        if database is not None and table is not None:
            result["table"] = _pairs(
                conn, "select key, value from metadata_resources where database_name = ? and resource_name = ?",
                [database, table])
            result["columns"] = _pairs(
                conn, "select column_name, value from metadata_columns where database_name = ?"
                " and resource_name = ? and key = 'description'", [database, table])
        return result

    return await datasette.get_internal_database().execute_fn(read)
