"""``datasette serve --workers N``: N uvicorn worker processes sharing one listening socket.

uvicorn's process manager starts each worker with ``spawn`` and needs the application as an
import string, so the parent writes the keyword arguments of its `Datasette` to a private
temporary file and every worker builds its own instance from them (`worker_app`). The parent
has already checked the configuration, the inspect data and the databases, so a bad option
fails once, before any worker starts; it also fixes the signing secret, so that cookies and
tokens signed by one worker are valid in every other.

SQLite allows one writer at a time per file. Each worker has a single write thread, whose
connection waits (busy timeout) for the other workers' writers instead of failing with
"database is locked". WAL mode lets readers in every worker carry on while one of them writes,
so writable file databases are switched to it once, before the workers start.

Connections are shared out by the workers' accept calls on the one socket: a worker that wakes
first may accept a whole burst of new keep-alive connections, so a load test with few
connections can find one worker doing all the work (many clients even this out).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from datasette.utils import StartupError
from datasette.utils.sqlite import sqlite3

CONFIG_ENV = "DATASETTE_WORKER_CONFIG"


def enable_wal(ds: Any) -> None:
    """Switch every writable file database (a file ``--internal`` one too) to WAL mode."""
    for db in [*ds.databases.values(), ds.get_internal_database()]:
        if db.is_mutable and not db.is_memory and db.path and db.mode != "ro":
            conn = sqlite3.connect(db.path, timeout=5.0)
            try:
                mode = conn.execute("PRAGMA journal_mode=wal").fetchone()[0]
            except sqlite3.DatabaseError as error:
                raise StartupError(f"Could not switch {db.path} to WAL mode for --workers: {error}") from None
            finally:
                conn.close()
            if mode != "wal":
                raise StartupError(f"{db.path} cannot use WAL mode ({mode}), which --workers needs")


def run_workers(kwargs: dict[str, Any], options: dict[str, Any], workers: int, root_token: str | None) -> None:
    """Serve with ``workers`` processes until interrupted (uvicorn's supervisor restarts dead ones)."""
    import uvicorn

    fd, path = tempfile.mkstemp(prefix="datasette-workers-", suffix=".json")  # mode 0600: it holds the secret
    try:
        with os.fdopen(fd, "w") as file:
            json.dump({"datasette": kwargs, "root_token": root_token}, file, default=str)
        os.environ[CONFIG_ENV] = path
        uvicorn.run("datasette.workers:worker_app", factory=True, **{**options, "workers": workers})
    finally:
        os.environ.pop(CONFIG_ENV, None)
        os.unlink(path)


def worker_app() -> Any:
    """The ASGI application of one worker process, built from the parent's options."""
    from datasette.app import Datasette

    options = json.loads(Path(os.environ[CONFIG_ENV]).read_text())
    ds = Datasette(**options["datasette"])
    ds._root_token = options["root_token"]  # a --root login URL works once per worker: they share no state
    return ds.app()
