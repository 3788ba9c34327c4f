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

Where the system has ``SO_REUSEPORT`` (Linux, the BSDs) each worker listens on a socket of its
own bound to the same port, and the kernel deals new connections out between them. With one
shared socket, the worker that wakes first accepts a whole burst of keep-alive connections and
the other workers sit idle. The parent holds a bound, never-listening socket on the port, so the
port is checked once and cannot be taken by another program while workers restart. Unix domain
sockets (``--uds``) and systems without ``SO_REUSEPORT`` keep uvicorn's one shared socket.
"""
from __future__ import annotations

import json
import logging
import os
import socket
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


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class OwnSocket:
    """Stands in for the listening socket uvicorn hands every worker: unpickled in a worker
    it becomes a new socket on the same port, which uvicorn then listens on."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return _bind, (self.host, self.port)


def run_workers(kwargs: dict[str, Any], options: dict[str, Any], workers: int, root_token: str | None) -> None:
    """Serve with ``workers`` processes until interrupted (uvicorn's supervisor restarts dead ones)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    fd, path = tempfile.mkstemp(prefix="datasette-workers-", suffix=".json")  # mode 0600: it holds the secret
    try:
        with os.fdopen(fd, "w") as file:
            json.dump({"datasette": kwargs, "root_token": root_token}, file, default=str)
        os.environ[CONFIG_ENV] = path
        if options.get("uds") or not hasattr(socket, "SO_REUSEPORT"):
            uvicorn.run("datasette.workers:worker_app", factory=True, **{**options, "workers": workers})
            return
        config = uvicorn.Config("datasette.workers:worker_app", factory=True, **{**options, "workers": workers})
        config.configure_logging()
        try:
            reserved = _bind(config.host, config.port)
        except OSError as error:
            raise StartupError(f"Cannot listen on {config.host}:{config.port}: {error}") from None
        with reserved:
            logging.getLogger("uvicorn.error").info(
                "Uvicorn running on http://%s:%d with %d workers, one socket each (Press CTRL+C to quit)",
                config.host, config.port, workers)
            Multiprocess(config, sockets=[OwnSocket(config.host, config.port)]).run()  # type: ignore[list-item]
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
