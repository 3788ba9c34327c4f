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


class InspectData(dict):
    """``datasette inspect`` output read from a file, with the file's mtime to spot databases modified since."""

    def __init__(self, data: dict, written_ns: int | None = None) -> None:
        super().__init__(data)
        self.written_ns = written_ns


def _well_formed(data: Any) -> bool:
    try:
        return all(type(entry.get("size", 0)) is int and isinstance(entry.get("hash", ""), str) and all(
            type(table["count"]) is int and table["count"] >= 0 for table in entry.get("tables", {}).values())
            for entry in data.values())
    except (AttributeError, TypeError, KeyError):
        return False


def check_inspect_data(inspect_data: Any, databases: Iterable[Any]) -> tuple[dict[str, dict], list[str]]:
    """The entries of ``inspect_data`` that match immutable databases being served, and warnings.

    Only cheap checks run (no hashing, no counting): an entry is ignored when the file's size differs,
    a table it lists is missing, or the file was modified after the inspect file (`InspectData`) was
    written. Tables it does not list are kept under ``"uncounted"``, to be counted when needed.
    Raises `StartupError` when the data is not shaped like ``datasette inspect`` output.
    """
    if inspect_data is None:
        return {}, []
    if not isinstance(inspect_data, dict) or not _well_formed(inspect_data):
        raise StartupError('Invalid inspect data: expected the output of datasette inspect, '
                           '{"<database>": {"hash": "...", "size": <bytes>, "tables": {"<table>": {"count": <rows>}}}}')
    trusted, warnings, written_ns = {}, [], getattr(inspect_data, "written_ns", None)
    for db in databases:
        entry = inspect_data.get(db.name)
        if entry is None or db.is_memory or not db.path:
            continue
        ignore = f"Ignoring inspect data for {db.name}: "
        stat = os.stat(db.path)
        try:
            conn = sqlite3.connect(f"{Path(db.path).absolute().as_uri()}?immutable=1", uri=True)
            names = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
            conn.close()
        except sqlite3.DatabaseError:
            continue  # not a database: check_databases() says so
        missing = sorted(set(entry.get("tables", {})) - names)
        if db.is_mutable:
            warnings.append(ignore + "the database is mutable (serve it with -i)")
        elif entry.get("size", stat.st_size) != stat.st_size:
            warnings.append(ignore + f"it describes a file of {entry['size']} bytes, {db.path} has {stat.st_size}")
        elif missing:
            warnings.append(ignore + f"{db.path} has no table {', '.join(missing)}")
        elif written_ns is not None and stat.st_mtime_ns > written_ns:
            warnings.append(ignore + f"{db.path} was modified after the inspect file was written")
        else:
            uncounted = sorted(names - set(entry["tables"])) if "tables" in entry else []
            if uncounted:
                warnings.append(f"Inspect data for {db.name} has no count for {', '.join(uncounted)}: counting them")
            trusted[db.name] = {**entry, "uncounted": uncounted}
    return trusted, warnings
