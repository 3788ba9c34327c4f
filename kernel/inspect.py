"""``datasette inspect``: hash, size and exact table counts of database files."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Iterable

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


def _malformed(where: str, problem: str) -> StartupError:
    return StartupError(f"Invalid inspect data: {where} {problem} (expected the output of datasette inspect)")


def _check_entry(name: str, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise _malformed(repr(name), "is not an object")
    if "size" in entry and (not isinstance(entry["size"], int) or isinstance(entry["size"], bool)):
        raise _malformed(f"{name}.size", "is not an integer")
    if "hash" in entry and not (isinstance(entry["hash"], str) and entry["hash"]):
        raise _malformed(f"{name}.hash", "is not a hex digest")
    tables = entry.get("tables", {})
    if not isinstance(tables, dict):
        raise _malformed(f"{name}.tables", "is not an object")
    for table, info in tables.items():
        count = info.get("count") if isinstance(info, dict) else None
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _malformed(f"{name}.tables.{table}.count", "is not a non-negative integer")


def _table_names(path: str) -> set[str]:
    conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?immutable=1", uri=True)
    try:
        return {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    finally:
        conn.close()


def check_inspect_data(inspect_data: Any, databases: Iterable[Any]) -> tuple[dict[str, dict], list[str]]:
    """The entries of ``inspect_data`` that match the immutable databases served, and warnings.

    Only cheap checks run (no hashing, no counting): the size must match the file and every table
    listed must exist. Tables the data does not list are recorded under ``"uncounted"`` and counted
    when needed. Raises `StartupError` when the data is not shaped like ``datasette inspect`` output.
    """
    if inspect_data is None:
        return {}, []
    if not isinstance(inspect_data, dict):
        raise StartupError("Invalid inspect data: expected a JSON object of databases, as datasette inspect writes")
    for name, entry in inspect_data.items():
        _check_entry(name, entry)
    trusted: dict[str, dict] = {}
    warnings = []
    for db in databases:
        entry = inspect_data.get(db.name)
        if entry is None or db.is_memory or not db.path:
            continue
        if db.is_mutable:
            warnings.append(f"Inspect data for {db.name} is not used: the database is mutable (serve it with -i)")
            continue
        size = os.path.getsize(db.path)
        if "size" in entry and entry["size"] != size:
            warnings.append(f"Ignoring inspect data for {db.name}: it describes a file of {entry['size']} bytes, "
                            f"{db.path} has {size} (run datasette inspect again)")
            continue
        try:
            names = _table_names(db.path)
        except sqlite3.DatabaseError:
            continue  # not a database: check_databases() says so
        listed = set(entry.get("tables", {}))
        if listed - names:
            warnings.append(f"Ignoring inspect data for {db.name}: {db.path} has no table "
                            f"{', '.join(sorted(listed - names))} (run datasette inspect again)")
            continue
        uncounted = sorted(names - listed) if "tables" in entry else []
        if uncounted:
            warnings.append(f"Inspect data for {db.name} has no count for {', '.join(uncounted)}: counting them")
        trusted[db.name] = {**entry, "uncounted": uncounted}
    return trusted, warnings


def drop_modified_entries(inspect_data: Any, files: Iterable[str], inspect_file: str) -> tuple[Any, list[str]]:
    """Leave out the entries of files modified after ``inspect_file`` was written (a cheap staleness check)."""
    if not isinstance(inspect_data, dict):
        return inspect_data, []
    written = os.stat(inspect_file).st_mtime_ns
    kept, warnings = dict(inspect_data), []
    for file in files:
        name = Path(file).stem
        if name in kept and os.stat(file).st_mtime_ns > written:
            del kept[name]
            warnings.append(f"Ignoring inspect data for {name}: {file} was modified after {inspect_file} "
                            f"was written (run datasette inspect again)")
    return kept, warnings
