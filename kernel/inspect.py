"""``datasette inspect``: hash, size and exact table counts of database files."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

from datasette.utils import StartupError, escape_sqlite
from datasette.utils.sqlite import sqlite3


def file_hash(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def inspect_files(files: Iterable[str], sqlite_extensions: Iterable[str] = ()) -> dict:
    """``{name: {"hash", "size", "file", "tables": {table: {"count": n}}}}`` for each file."""
    data = {}
    for file in files:
        path = Path(file)
        try:
            conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
            try:
                if sqlite_extensions:
                    if not hasattr(conn, "enable_load_extension"):
                        raise StartupError("This Python's sqlite3 module cannot load SQLite extensions")
                    conn.enable_load_extension(True)
                    for extension in sqlite_extensions:
                        ext_path, _, entrypoint = extension.partition(":")
                        conn.execute("select load_extension(?, ?)", [ext_path, entrypoint or None])
                tables = [r[0] for r in conn.execute(
                    "select name from sqlite_master where type = 'table'")]
                counts = {}
                for table in tables:
                    try:
                        counts[table] = {"count": conn.execute(
                            f"select count(*) from {escape_sqlite(table)}").fetchone()[0]}
                    except sqlite3.OperationalError:  # e.g. a virtual table needing an extension
                        continue
            finally:
                conn.close()
        except sqlite3.DatabaseError as error:
            raise StartupError(f"Could not inspect {file}: {error}") from None
        data[path.stem] = {"hash": file_hash(path), "size": path.stat().st_size,
                           "file": str(path), "tables": counts}
    return data
