"""`Database`: connections to one SQLite database, read pool, single write thread, introspection.

Reads run on the Datasette executor's threads, one read connection per thread (or inline on
the event loop thread when ``num_sql_threads`` is 0; see `datasette.reader`). Writes go through
the database's single write thread (see `datasette.writer`).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import uuid
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

from .inspect import file_hash
from .reader import MultipleValues, QueryInterrupted, ReadPool, Results, in_thread, retry_locked
from .tracer import trace
from .utils import introspection
from .utils.introspection import Column
from .utils.sqlite import sqlite3
from .writer import WriteQueue, WriteTask, execute_statement

__all__ = ["Database", "Results", "QueryInterrupted", "MultipleValues", "DatabaseIsImmutable", "AttachedDatabase",
           "WriteTask"]

INTERNAL_DB_NAME = "__INTERNAL__"
BUSY_TIMEOUT_SECONDS = 5.0  # other processes' writers are waited for instead of "database is locked"


class DatabaseIsImmutable(Exception):
    """A write was attempted on an immutable database ("Database is immutable")."""


class AttachedDatabase(NamedTuple):
    """A database attached to a connection, from ``PRAGMA database_list``."""

    seq: int
    name: str
    file: str


class Database:
    """One SQLite database attached to a `Datasette` instance."""

    count_limit = 10000

    def __init__(self, ds: Any, path: str | os.PathLike | None = None, is_mutable: bool = True,
                 is_memory: bool = False, memory_name: str | None = None, mode: str | None = None) -> None:
        self.name: str | None = None
        self.route: str | None = None
        self.ds = ds
        self.path = str(path) if path is not None else None
        self.is_mutable = is_mutable
        self.is_memory = is_memory or memory_name is not None
        self.memory_name = memory_name
        self.mode = mode
        self.cached_table_counts: dict[str, int | None] | None = None
        self._hash: str | None = None
        self._hash_lock = threading.Lock()
        self._reads = ReadPool(self._connect_reader, lambda: self.name)
        # Named memory databases use a shared cache, whose lock conflicts fail instead of waiting.
        self._run_read = partial(retry_locked, self._reads.execute) if memory_name is not None else self._reads.execute
        self._writes = WriteQueue(self._connect_writer, lambda: f"_execute_writes for database {self.name}")

    def __repr__(self) -> str:
        kind = "memory" if self.is_memory else "mutable" if self.is_mutable else "immutable"
        return f"<Database: {self.name} ({kind})>"

    # Connections -------------------------------------------------------------------------

    def suggest_name(self) -> str:
        """A name for this database: the file stem, the memory name, or ``db``."""
        if self.path:
            return Path(self.path).stem
        return self.memory_name or "db"

    def connect(self, write: bool = False) -> sqlite3.Connection:
        """Open a new connection (read-only unless ``write``). Plugins' prepare_connection is not run."""
        isolation = "IMMEDIATE" if write else ""
        if self.memory_name is not None:
            uri = f"file:{self.memory_name}?mode=memory&cache=shared"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=isolation)
            if not write:
                conn.execute("PRAGMA query_only=1")
        elif self.is_memory:
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=isolation)
        else:
            assert self.path is not None, "a file database needs a path"
            if write:
                options = f"mode={self.mode or 'rwc'}"
            elif self.mode:
                options = f"mode={self.mode}"
            elif self.is_mutable:
                options = "mode=ro&nolock=1" if getattr(self.ds, "nolock", False) else "mode=ro"
            else:
                options = "immutable=1"
            uri = f"{Path(self.path).absolute().as_uri()}?{options}"
            conn = sqlite3.connect(
                uri, uri=True, check_same_thread=False, isolation_level=isolation, timeout=BUSY_TIMEOUT_SECONDS
            )
        conn.row_factory = sqlite3.Row
        cache_size_kb = self.ds.setting("cache_size_kb") if self.ds is not None else 0
        if cache_size_kb:
            conn.execute(f"PRAGMA cache_size=-{int(cache_size_kb)}")
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        if self.name != INTERNAL_DB_NAME and self.ds is not None:
            self.ds._prepare_connection(conn, self.name)

    def _connect_writer(self, prepared: bool) -> sqlite3.Connection:
        conn = self.connect(write=True)
        if prepared:
            self._prepare(conn)
        return conn

    def _connect_reader(self) -> sqlite3.Connection:
        if self.is_mutable and self.path and not self.is_memory and os.path.exists(self.path + "-journal"):
            self._roll_back_hot_journal()
        conn = self.connect()
        try:
            self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _roll_back_hot_journal(self) -> None:
        """After a crash mid-write, a read-only connection cannot read the file ("attempt to write a
        readonly database") until a read-write one has rolled the leftover journal back."""
        conn = self.connect(write=True)
        try:
            conn.execute("select count(*) from sqlite_master").fetchall()
        finally:
            conn.close()

    def close(self) -> None:
        """Close every connection and stop the write thread (after the writes already queued)."""
        self._writes.close(timeout=BUSY_TIMEOUT_SECONDS * 2)
        self._reads.close()

    # Reads -------------------------------------------------------------------------------

    async def execute_fn(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``fn(conn)`` on a read connection (in the executor unless ``num_sql_threads`` is 0)."""
        executor = self.ds.executor
        if executor is None:
            return self._call_on_reader(fn)
        return await in_thread(executor, self._call_on_reader, fn)

    def _call_on_reader(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        return retry_locked(fn, self._reads.connection())

    async def execute(self, sql: str, params: Any = None, truncate: bool = False, custom_time_limit: int | None = None,
                      page_size: int | None = None, log_sql_errors: bool = True) -> Results:
        """Run one read query and return its `Results`.

        The query is interrupted after ``sql_time_limit_ms`` (or ``custom_time_limit`` when
        that is smaller), raising `QueryInterrupted`. With ``truncate`` at most
        ``page_size or max_returned_rows`` rows are returned and ``truncated`` says if there were more.
        """
        ds = self.ds
        limit_ms = ds.setting("sql_time_limit_ms")
        if custom_time_limit is not None and custom_time_limit > 0 and (not limit_ms or custom_time_limit < limit_ms):
            limit_ms = custom_time_limit
        max_rows = (page_size or ds.setting("max_returned_rows")) if truncate else 0
        with trace("sql", database=self.name, sql=sql.strip(), params=params):
            executor = ds.executor
            if executor is None:
                return self._run_read(sql, params, max_rows, limit_ms, log_sql_errors)
            return await in_thread(executor, self._run_read, sql, params, max_rows, limit_ms, log_sql_errors)

    # Writes ------------------------------------------------------------------------------

    def _check_mutable(self) -> None:
        if not self.is_mutable:
            raise DatabaseIsImmutable("Database is immutable")

    async def execute_write(self, sql: str, params: Any = None, block: bool = True) -> Any:
        """Run one write statement on the write thread; returns its cursor (or a task id if not ``block``)."""
        args = () if params is None else params
        with trace("sql", database=self.name, sql=sql.strip(), params=params):
            return await self.execute_write_fn(lambda conn: execute_statement(conn, sql, args), block=block)

    async def execute_write_script(self, sql: str, block: bool = True) -> Any:
        """Run several ``;``-separated statements (``executescript``; not wrapped in a transaction)."""
        with trace("sql", database=self.name, sql=sql.strip(), executescript=True):
            return await self.execute_write_fn(lambda conn: conn.executescript(sql), block=block, transaction=False)

    async def execute_write_many(self, sql: str, params_seq: Iterable[Any], block: bool = True) -> Any:
        """Run one statement once per parameter set, all in one transaction."""
        if self.memory_name is not None and not isinstance(params_seq, (list, tuple)):
            params_seq = list(params_seq)  # the transaction may be retried (see execute_write_fn)
        with trace("sql", database=self.name, sql=sql.strip(), executemany=True):
            return await self.execute_write_fn(lambda conn: conn.executemany(sql, params_seq), block=block)

    async def execute_write_fn(self, fn: Callable[[sqlite3.Connection], Any], block: bool = True,
                               transaction: bool = True) -> Any:
        """Run ``fn(conn)`` on the write connection, after every write queued before it.

        With ``transaction`` everything ``fn`` does is committed together, or rolled back if it
        raises; the exception is re-raised here. With ``block=False`` the write is queued and a
        task id is returned at once. On a named memory database, a transaction that collides with
        a reader on the shared cache's table locks is rolled back and ``fn`` called again.
        """
        self._check_mutable()
        if self.ds.executor is None:
            result = self._writes.run_inline(fn, transaction, isolated=False)
            return result if block else uuid.uuid4()
        return await self._writes.submit(fn, block, transaction, isolated=False)

    async def execute_isolated_fn(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``fn(conn)`` on a fresh write connection (no prepare_connection), closed afterwards.

        It runs on the write thread, so no other write interleaves with it.
        """
        self._check_mutable()
        if self.ds.executor is None:
            return self._writes.run_inline(fn, False, isolated=True)
        return await self._writes.submit(fn, True, False, isolated=True)

    # Introspection -----------------------------------------------------------------------

    def _tables_config(self) -> dict[str, Any]:
        config = getattr(self.ds, "config", None) or {}
        database = (config.get("databases") or {}).get(self.name) or {}
        return database.get("tables") or {}

    def _inspected(self) -> dict[str, Any] | None:
        """This immutable database's ``datasette inspect`` entry, once checked against the file."""
        trusted = getattr(self.ds, "_inspected_databases", None)
        return trusted.get(self.name) if trusted and not self.is_mutable else None

    async def table_counts(self, limit: int = 10) -> dict[str, int | None]:
        """Row count per table, capped at ``count_limit + 1``; None where counting took over ``limit`` ms."""
        if not self.is_mutable:
            if self.cached_table_counts is None:
                inspected = self._inspected()
                if inspected and "tables" in inspected:
                    counts = {t: v["count"] for t, v in inspected["tables"].items()}
                    if inspected.get("uncounted"):  # tables the inspect file left out
                        counts.update(await self.execute_fn(lambda conn: introspection.count_table_rows(
                            conn, limit, self.count_limit + 1, names=inspected["uncounted"])))
                    self.cached_table_counts = counts
            if self.cached_table_counts is not None:
                return dict(self.cached_table_counts)
        counts = await self.execute_fn(lambda conn: introspection.count_table_rows(conn, limit, self.count_limit + 1))
        if not self.is_mutable:
            self.cached_table_counts = dict(counts)
        return counts

    async def attached_databases(self) -> list[AttachedDatabase]:
        """Databases attached to the read connections (not ``main`` or ``temp``)."""
        results = await self.execute("PRAGMA database_list")
        return [AttachedDatabase(*row) for row in results.rows if row[0] > 0 and row[1] != "temp"]

    async def _exists(self, name: str, type_: str) -> bool:
        return bool((await self.execute("select 1 from sqlite_master where type = ? and name = ?", [type_, name])).rows)

    async def table_exists(self, table: str) -> bool:
        """True if a table of that name exists."""
        return await self._exists(table, "table")

    async def view_exists(self, view: str) -> bool:
        """True if a view of that name exists."""
        return await self._exists(view, "view")

    async def _names(self, type_: str) -> list[str]:
        return [row[0] for row in await self.execute("select name from sqlite_master where type = ?", [type_])]

    async def table_names(self) -> list[str]:
        """Names of every table, hidden ones included."""
        return await self._names("table")

    async def view_names(self) -> list[str]:
        """Names of every view."""
        return await self._names("view")

    async def table_columns(self, table: str) -> list[str]:
        """Column names of a table or view."""
        return await self.execute_fn(lambda conn: introspection.table_columns(conn, table))

    async def table_column_details(self, table: str) -> list[Column]:
        """`Column` details of a table or view."""
        return await self.execute_fn(lambda conn: introspection.table_column_details(conn, table))

    async def primary_keys(self, table: str) -> list[str]:
        """Primary key columns in key order."""
        return await self.execute_fn(lambda conn: introspection.detect_primary_keys(conn, table))

    async def fts_table(self, table: str) -> str | None:
        """The FTS table that indexes ``table``, if any."""
        return await self.execute_fn(lambda conn: introspection.detect_fts(conn, table))

    async def foreign_keys_for_table(self, table: str) -> list[dict[str, str]]:
        """Outgoing foreign keys: ``[{column, other_table, other_column}]``."""
        return await self.execute_fn(lambda conn: introspection.get_outbound_foreign_keys(conn, table))

    async def get_all_foreign_keys(self) -> dict[str, dict[str, list[dict[str, str]]]]:
        """Incoming and outgoing foreign keys of every table."""
        return await self.execute_fn(introspection.get_all_foreign_keys)

    async def label_column_for_table(self, table: str) -> str | None:
        """The column that best labels a row: configured ``label_column``, else a guess, else None."""
        explicit = (self._tables_config().get(table) or {}).get("label_column")
        if explicit:
            return explicit
        return await self.execute_fn(lambda conn: introspection.guess_label_column(conn, table))

    async def hidden_table_names(self) -> list[str]:
        """Tables not listed by default: configured hidden, ``_``-prefixed, statistics, FTS and SpatiaLite internals."""
        configured = {name for name, conf in self._tables_config().items() if (conf or {}).get("hidden")}
        return await self.execute_fn(lambda conn: introspection.hidden_table_names(conn, configured))

    async def get_table_definition(self, table: str, type_: str = "table") -> str | None:
        """The CREATE statement of a table (or view), followed by those of its indexes."""
        row = (await self.execute("select sql from sqlite_master where name = ? and type = ?", [table, type_])).first()
        if row is None or row[0] is None:
            return None
        sql = "select sql from sqlite_master where tbl_name = ? and type = 'index' and sql is not null"
        return "\n".join([row[0] + ";"] + [index[0] + ";" for index in await self.execute(sql, [table])])

    async def get_view_definition(self, view: str) -> str | None:
        """The CREATE VIEW statement of a view."""
        return await self.get_table_definition(view, "view")

    # Files -------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """File size in bytes (0 for memory databases)."""
        if self.is_memory or not self.path:
            return 0
        inspected = self._inspected()
        if inspected and "size" in inspected:
            return inspected["size"]
        return os.path.getsize(self.path)

    @property
    def mtime_ns(self) -> int | None:
        """File modification time in nanoseconds (None for memory databases)."""
        if self.is_memory or not self.path:
            return None
        return os.stat(self.path).st_mtime_ns

    @property
    def hash(self) -> str | None:
        """sha256 of an immutable file: from the inspect file, else computed once (waiting for a background hash)."""
        if self.is_mutable or self.is_memory or not self.path:
            return None
        with self._hash_lock:  # a background hash may be under way
            self._hash = self.cached_hash or file_hash(self.path)
        return self._hash

    @property
    def cached_hash(self) -> str | None:
        """The hash if it is known already (inspect file, finished hash): never computes it."""
        inspected = self._inspected() if self._hash is None else None
        return inspected.get("hash") or None if inspected else self._hash

    def hash_in_background(self) -> None:
        """Start hashing an immutable file on a daemon thread, so that no request waits for a large file."""
        if not self.is_mutable and not self.is_memory and self.path and self.cached_hash is None:
            threading.Thread(target=self._hash_quietly, name=f"hash database {self.name}", daemon=True).start()

    def _hash_quietly(self) -> None:
        with contextlib.suppress(OSError):  # the file went away: a later request reports it
            self.hash  # noqa: B018 - computes and caches

    @property
    def color(self) -> str:
        """Six hex digits identifying the database in the UI (from the hash once it is known)."""
        if self.cached_hash:
            return self.cached_hash[:6]
        return hashlib.md5((self.name or "").encode("utf-8"), usedforsecurity=False).hexdigest()[:6]

