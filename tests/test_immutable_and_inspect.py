"""Immutable databases: inspect files are checked before they are trusted; hashes never hold up a request."""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time

import pytest
from click.testing import CliRunner

from datasette.app import Datasette
from datasette.cli import cli
from datasette.inspect import InspectData, inspect_files
from datasette.utils import StartupError


@pytest.fixture
def frozen(tmp_path) -> str:
    path = str(tmp_path / "frozen.db")
    conn = sqlite3.connect(path)
    conn.executescript("create table a (id integer primary key); create table b (id integer primary key);"
                       "insert into a values (1), (2), (3); insert into b values (1);")
    conn.close()
    return path


def made(frozen: str, **changes) -> dict:
    data = inspect_files([frozen])
    data["frozen"].update(changes)
    return data


@pytest.mark.asyncio
async def test_matching_inspect_data_is_used_without_counting_or_hashing(frozen, monkeypatch):
    data = made(frozen, tables={"a": {"count": 3000}, "b": {"count": 1}})  # a count only the file can give
    ds = Datasette(immutables=[frozen], inspect_data=data)
    try:
        monkeypatch.setattr("datasette.database.file_hash", lambda path: pytest.fail("hashed"))
        db = ds.get_database("frozen")
        assert await db.table_counts() == {"a": 3000, "b": 1}
        assert db.hash == data["frozen"]["hash"] and db.color == data["frozen"]["hash"][:6]
    finally:
        ds.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("changes, warning", [
    ({"size": 1}, "it describes a file of 1 bytes"),
    ({"tables": {"a": {"count": 3}, "b": {"count": 1}, "gone": {"count": 5}}}, "has no table gone"),
])
async def test_mismatched_inspect_data_is_ignored_with_a_warning(frozen, capsys, changes, warning):
    ds = Datasette(immutables=[frozen], inspect_data=made(frozen, hash="f" * 64, **changes))
    try:
        assert f"Ignoring inspect data for frozen: " in capsys.readouterr().err
        db = ds.get_database("frozen")
        assert await db.table_counts() == {"a": 3, "b": 1}  # counted, not read from the file
        assert db.hash != "f" * 64
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_tables_missing_from_inspect_data_are_counted(frozen, capsys):
    ds = Datasette(immutables=[frozen], inspect_data=made(frozen, tables={"a": {"count": 30}}))
    try:
        assert "Inspect data for frozen has no count for b: counting them" in capsys.readouterr().err
        assert await ds.get_database("frozen").table_counts() == {"a": 30, "b": 1}
    finally:
        ds.close()


def test_a_file_modified_after_its_inspect_file_is_not_trusted(frozen, tmp_path, capsys):
    inspect_file = tmp_path / "counts.json"
    inspect_file.write_text(json.dumps(made(frozen)))
    later = os.stat(inspect_file).st_mtime_ns + 10**9
    os.utime(frozen, ns=(later, later))
    ds = Datasette(immutables=[frozen], inspect_data=InspectData(json.loads(inspect_file.read_text()),
                                                                 os.stat(inspect_file).st_mtime_ns))
    try:
        assert "frozen.db was modified after the inspect file was written" in capsys.readouterr().err
        assert ds._inspected_databases == {}
    finally:
        ds.close()


def test_inspect_data_for_a_mutable_database_is_not_used(frozen, capsys):
    ds = Datasette([frozen], inspect_data=made(frozen))
    try:
        assert "the database is mutable (serve it with -i)" in capsys.readouterr().err
        assert ds.get_database("frozen").size == os.path.getsize(frozen)
    finally:
        ds.close()


@pytest.mark.parametrize("data", [
    [1, 2], {"frozen": "nope"}, {"frozen": {"tables": {"a": {"count": "3"}}}},
    {"frozen": {"tables": {"a": {}}}}, {"frozen": {"size": "big"}}, {"frozen": {"tables": []}},
])
def test_malformed_inspect_data_is_a_startup_error(frozen, data):
    with pytest.raises(StartupError, match="Invalid inspect data: expected the output of datasette inspect"):
        Datasette(immutables=[frozen], inspect_data=data)


def test_cli_reports_bad_inspect_files(frozen, tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"frozen": {"tables": {"a": {"count": -1}}}}))
    result = runner.invoke(cli, ["serve", "-i", frozen, "--inspect-file", str(bad), "--get", "/"])
    assert result.exit_code == 1 and "Invalid inspect data" in result.output
    good = tmp_path / "good.json"
    runner.invoke(cli, ["inspect", frozen, "--inspect-file", str(good)])
    result = runner.invoke(cli, ["serve", "-i", frozen, "--inspect-file", str(good), "--get", "/frozen.json"])
    assert result.exit_code == 0, result.output
    assert {t["name"]: t["count"] for t in json.loads(result.output)["tables"]} == {"a": 3, "b": 1}


@pytest.mark.asyncio
async def test_large_files_are_hashed_in_the_background(frozen, monkeypatch):
    import datasette.database as database_module

    release = threading.Event()
    real = database_module.file_hash

    def slow_hash(path):
        release.wait(10)
        return real(path)

    monkeypatch.setattr(database_module, "file_hash", slow_hash)
    ds = Datasette(immutables=[frozen])
    try:
        started = time.perf_counter()
        response = await ds.client.get("/frozen/a.json")  # startup begins the hash
        assert response.status_code == 200 and time.perf_counter() - started < 5
        db = ds.get_database("frozen")
        assert db.cached_hash is None and len(db.color) == 6  # a placeholder colour meanwhile
        assert [t.name for t in threading.enumerate() if t.name == "hash database frozen"]
        release.set()
        assert db.hash == real(frozen) and db.cached_hash == db.hash and db.color == db.hash[:6]
    finally:
        release.set()
        ds.close()
