"""Content versions: a cheap token that changes whenever a transaction is committed to a database.

Immutable files: their sha256 once known (inspect file or background hash), else size, mtime and
inode. Memory databases: none (nothing tells when they change). Mutable files: a token that must
never stay the same across a commit, by any process, and should be the same in every process that
serves the file (``--workers``), so it is read from the files themselves rather than from a
per-connection counter such as ``PRAGMA data_version``:

* rollback-journal mode: the header's *file change counter* (bytes 24-27), which SQLite bumps on
  every commit, and the page count (28-31);
* WAL mode: the wal-index header at the start of the ``-shm`` file (documented in SQLite's
  "WAL-mode file format"), whose ``mxFrame``, salts and frame checksums change on every commit.
  It is kept twice; a reader that sees two different copies retries, as SQLite's own readers do.

The file's size, mtime and inode are mixed in too. The token is read before a page runs its
queries, so the content a page shows is never older than the token it is tagged with.

File descriptors are opened once per file and process and never closed while a `Database` uses
them: closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
included.
"""
from __future__ import annotations

import hashlib
import os
import threading
import weakref
from typing import Any

HEADER_SIZE = 100
WAL_INDEX_HEADER = 48  # one copy of the wal-index header; two copies follow each other
WAL_FORMAT = 2  # header byte 18 (write version): 1 = rollback journal, 2 = WAL
READ_ATTEMPTS = 5

_lock = threading.Lock()
_descriptors: dict[tuple[int, int], list[int]] = {}  # (st_dev, st_ino) -> [fd, users]


def _acquire(path: str) -> tuple[tuple[int, int], int]:
    """A shared read-only descriptor of ``path`` and the key to release it with."""
    st = os.stat(path)
    key = (st.st_dev, st.st_ino)
    with _lock:
        entry = _descriptors.get(key)
        if entry is None:
            fd = os.open(path, os.O_RDONLY)
            opened = os.fstat(fd)
            key = (opened.st_dev, opened.st_ino)  # the file may have been replaced meanwhile
            entry = _descriptors.setdefault(key, [fd, 0])
        entry[1] += 1
        return key, entry[0]


def _release(key: tuple[int, int]) -> None:
    with _lock:
        entry = _descriptors.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del _descriptors[key]
            os.close(entry[0])


def stat_token(path: str) -> str | None:
    """Size, mtime and inode of a file that is never written (an immutable database), or None if missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size}-{st.st_mtime_ns}-{st.st_ino}"


class FileVersion:
    """Reads the commit version of one SQLite database file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._held: dict[str, tuple[tuple[int, int], int]] = {}  # "db" / "shm" -> (key, fd)
        self._stale: list[tuple[int, int]] = []  # descriptors of removed files, given back on close()

    def _open(self, role: str, path: str) -> tuple[int, os.stat_result]:
        """A descriptor of ``path`` and its ``fstat``: cheaper than ``stat`` by path, and a file removed
        since (a ``-shm`` recreated after a last close, a replaced database) shows no links."""
        held = self._held.get(role)
        if held is not None:
            st = os.fstat(held[1])
            if st.st_nlink:
                return held[1], st
            self._stale.append(held[0])  # SQLite may still hold locks through the old file: keep it open
        self._held[role] = _acquire(path)
        fd = self._held[role][1]
        return fd, os.fstat(fd)

    def read(self) -> str | None:
        """The current version token, or None if it cannot be told (missing file, WAL without index)."""
        if not hasattr(os, "pread"):
            return None
        try:
            fd, st = self._open("db", self.path)
            header = os.pread(fd, HEADER_SIZE, 0)
            parts = [b"%d:%d:%d" % (st.st_size, st.st_mtime_ns, st.st_ino), header[24:32]]
            if len(header) == HEADER_SIZE and header[18] == WAL_FORMAT:
                wal_index = self._wal_index_header()
                if wal_index is None:
                    return None
                parts.append(wal_index)
        except OSError:
            return None
        return hashlib.blake2b(b"|".join(parts), digest_size=12).hexdigest()

    def _wal_index_header(self) -> bytes | None:
        try:
            fd, _ = self._open("shm", self.path + "-shm")
        except FileNotFoundError:
            # No connection has the file open (the last one checkpointed and removed the WAL): the
            # database file alone holds the content. A -wal without its -shm is a crash's leftover.
            return None if os.path.exists(self.path + "-wal") else b"no wal"
        for _ in range(READ_ATTEMPTS):
            data = os.pread(fd, 2 * WAL_INDEX_HEADER, 0)
            first, second = data[:WAL_INDEX_HEADER], data[WAL_INDEX_HEADER:]
            if len(second) == WAL_INDEX_HEADER and first == second:
                return first if first[12] == 1 else None  # isInit
        return None  # a writer kept changing it; no token is better than a wrong one

    def close(self) -> None:
        """Give back the descriptors (closed once no other `FileVersion` of the process uses them)."""
        for key in [key for key, _ in self._held.values()] + self._stale:
            _release(key)
        self._held.clear()
        self._stale.clear()


_file_versions: weakref.WeakKeyDictionary[Any, FileVersion] = weakref.WeakKeyDictionary()


def content_version(db: Any) -> str | None:
    """The content version of a `Database`, or None when there is none to tell."""
    if db.is_memory or not db.path:
        return None
    if not db.is_mutable:
        return db.cached_hash or stat_token(db.path)
    version = _file_versions.get(db)
    if version is None or version.path != db.path:
        version = _file_versions[db] = FileVersion(db.path)
        weakref.finalize(db, version.close)  # the database's connections are long closed by then
    return version.read()


def datasette_content_version(datasette: Any, database: Any) -> str | None:
    """``datasette.content_version(db)``: the content version of a `Database` or database name."""
    return content_version(datasette.get_database(database) if isinstance(database, str) else database)
