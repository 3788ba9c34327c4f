"""``datasette serve --workers N``: N uvicorn worker processes sharing one listening socket.

uvicorn's process manager starts each worker with ``spawn`` and needs the application as an
import string, so the parent writes the keyword arguments of its `Datasette` to a private
temporary file and every worker builds its own instance from them (`worker_app`). The parent
has already checked the configuration and the databases, so a bad option fails once, before
any worker starts; it also fixes the signing secret, so cookies and tokens signed by one
worker are valid in every other.

SQLite allows one writer at a time per file. Each worker has a single write thread, and its
write connection waits (busy timeout) for the other workers' writers instead of failing with
"database is locked". WAL mode lets readers in every worker carry on while one of them writes,
so mutable file databases are switched to it once, before the workers start.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from datasette.utils.sqlite import sqlite3

CONFIG_ENV = "DATASETTE_WORKER_CONFIG"
APP_FACTORY = "datasette.workers:worker_app"


def enable_wal(ds: Any) -> list[str]:
    """Switch every writable file database (and a file ``--internal`` one) to WAL; their names."""
    switched = []
    for db in [*ds.databases.values(), ds.get_internal_database()]:
        if not db.is_mutable or db.is_memory or not db.path or (db.mode or "rwc") == "ro":
            continue
        conn = sqlite3.connect(db.path, timeout=5.0)
        try:
            mode = conn.execute("PRAGMA journal_mode=wal").fetchone()[0]
        except sqlite3.DatabaseError as error:
            print(f"Warning: could not switch {db.path} to WAL mode: {error}", file=sys.stderr)
            continue
        finally:
            conn.close()
        if mode != "wal":
            print(f"Warning: {db.path} stays in {mode} journal mode; writers in different workers "
                  f"will block readers", file=sys.stderr)
        else:
            switched.append(db.name)
    return switched


def _jsonable(kwargs: dict[str, Any]) -> dict[str, Any]:
    data = dict(kwargs)
    if data.get("config_dir") is not None:
        data["config_dir"] = str(data["config_dir"])
    data["disabled_plugins"] = list(data.get("disabled_plugins") or [])
    data["static_mounts"] = [list(mount) for mount in data.get("static_mounts") or []]
    return data


def run_workers(kwargs: dict[str, Any], options: dict[str, Any], workers: int, root_token: str | None) -> None:
    """Serve with ``workers`` processes until interrupted (uvicorn's supervisor restarts dead ones)."""
    import uvicorn

    fd, path = tempfile.mkstemp(prefix="datasette-workers-", suffix=".json")  # mode 0600: it holds the secret
    try:
        with os.fdopen(fd, "w") as file:
            json.dump({"datasette": _jsonable(kwargs), "root_token": root_token}, file, default=str)
        os.environ[CONFIG_ENV] = path
        uvicorn.run(APP_FACTORY, factory=True, **{**options, "workers": workers})
    finally:
        os.environ.pop(CONFIG_ENV, None)
        os.unlink(path)


def worker_app() -> Any:
    """The ASGI application of one worker process, built from the parent's options."""
    from datasette.app import Datasette

    options = json.loads(Path(os.environ[CONFIG_ENV]).read_text())
    kwargs = options["datasette"]
    kwargs["static_mounts"] = [tuple(mount) for mount in kwargs.get("static_mounts") or []]
    ds = Datasette(**kwargs)
    # A --root login URL works once per worker: the workers share no state.
    ds._root_token = options.get("root_token")
    return ds.app()
