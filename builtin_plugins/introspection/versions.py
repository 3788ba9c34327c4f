"""The /-/versions data, computed once per process."""
from __future__ import annotations

import functools
import sys
from typing import Any

from datasette.utils.sqlite import sqlite3, using_pysqlite3
from datasette.version import __version__


@functools.lru_cache(maxsize=1)
def sqlite_details() -> dict:
    conn = sqlite3.connect(":memory:")
    try:
        fts_versions = []
        for fts in ("FTS5", "FTS4", "FTS3"):
            try:
                conn.execute(f"CREATE VIRTUAL TABLE v{fts} USING {fts} (data)")
                fts_versions.append(fts)
            except sqlite3.OperationalError:
                continue
        extensions: dict[str, Any] = {}
        try:
            conn.execute("select json('{}')")
            extensions["json1"] = None
        except sqlite3.OperationalError:
            pass
        return {
            "version": conn.execute("select sqlite_version()").fetchone()[0],
            "fts_versions": fts_versions,
            "extensions": extensions,
            "compile_options": [r[0] for r in conn.execute("pragma compile_options").fetchall()],
        }
    finally:
        conn.close()


@functools.lru_cache(maxsize=1)
def _base_versions() -> dict:
    try:
        import uvicorn
        uvicorn_version = uvicorn.__version__
    except ImportError:  # pragma: no cover - uvicorn is a dependency
        uvicorn_version = None
    info = {
        "python": {"version": ".".join(map(str, sys.version_info[:3])), "full": sys.version},
        "datasette": {"version": __version__},
        "asgi": "3.0",
        "uvicorn": uvicorn_version,
        "sqlite": sqlite_details(),
    }
    if using_pysqlite3:
        import pysqlite3  # type: ignore[import-not-found]
        info["pysqlite3"] = getattr(pysqlite3, "__version__", None)
    return info


def versions(datasette: Any) -> dict:
    """``{"python", "datasette", "asgi", "uvicorn", "sqlite"}`` as upstream reports them."""
    info = _base_versions()
    if datasette.version_note:
        info = {**info, "datasette": {**info["datasette"], "note": datasette.version_note}}
    return info
