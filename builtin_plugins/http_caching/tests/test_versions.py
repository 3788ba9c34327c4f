"""Content versions: every commit changes them, in rollback-journal and WAL mode, whoever commits."""
from __future__ import annotations

import gc
import os
import sqlite3

import pytest

from datasette_builtins.http_caching import versions
from datasette_builtins.http_caching.versions import FileVersion, content_version

from .conftest import make_db


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_every_commit_changes_the_version_even_when_nothing_else_does(tmp_path, journal_mode):
    # Same-size updates in quick succession: file size and (coarse) mtime alone would not change.
    path = make_db(tmp_path / "data.db", journal_mode)
    writer = sqlite3.connect(path)
    reader = sqlite3.connect(path)  # keeps the -shm in place, as a serving process does
    reader.execute("select count(*) from items").fetchall()
    version = FileVersion(path)
    try:
        seen = [version.read()]
        for i in range(60):
            writer.execute("update items set price = ? where id = 1", [i % 2])
            writer.commit()
            if journal_mode == "wal" and i % 20 == 19:
                writer.execute("pragma wal_checkpoint(restart)").fetchall()  # the WAL starts over
            seen.append(version.read())
        assert None not in seen
        changes = [a != b for a, b in zip(seen, seen[1:])]
        checkpoints = [i for i in range(60) if journal_mode == "wal" and i % 20 == 19]
        assert all(changes[i] for i in range(60) if i not in checkpoints)
        assert len(set(seen)) >= 60  # no state came back either
        assert version.read() == version.read()  # and reading changes nothing
    finally:
        version.close()
        writer.close()
        reader.close()


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_two_readers_agree(tmp_path, journal_mode):
    path = make_db(tmp_path / "data.db", journal_mode)
    keep_open = sqlite3.connect(path)
    keep_open.execute("select 1 from items").fetchall()
    one, two = FileVersion(path), FileVersion(path)
    try:
        assert one.read() == two.read() is not None
    finally:
        one.close()
        two.close()
        keep_open.close()


def test_wal_without_shm(tmp_path):
    path = make_db(tmp_path / "data.db", "wal")  # closed cleanly: no -wal, no -shm
    version = FileVersion(path)
    try:
        assert not os.path.exists(path + "-shm")
        assert version.read() is not None  # the file alone holds the content
        open(path + "-wal", "wb").close()  # a WAL without its index: cannot tell
        assert version.read() is None
    finally:
        version.close()


def test_missing_file(tmp_path):
    version = FileVersion(str(tmp_path / "gone.db"))
    assert version.read() is None
    version.close()


def test_descriptors_are_shared_and_closed_by_the_last_user(tmp_path):
    path = make_db(tmp_path / "data.db")
    one, two = FileVersion(path), FileVersion(path)
    one.read(), two.read()
    key = (os.stat(path).st_dev, os.stat(path).st_ino)
    fd, users = versions._descriptors[key]
    assert users == 2
    one.close()
    assert versions._descriptors[key] == [fd, 1]
    two.close()
    assert key not in versions._descriptors
    with pytest.raises(OSError):
        os.fstat(fd)


@pytest.mark.asyncio
async def test_content_version_of_each_kind_of_database(make_ds, db_path):
    ds = make_ds([db_path], memory=True)
    mutable = ds.get_database("data")
    assert content_version(ds.get_database("_memory")) is None
    token = content_version(mutable)
    assert token and token == content_version(mutable)
    await mutable.execute_write("insert into items (name) values ('new')")
    assert content_version(mutable) != token
    frozen = make_ds(immutables=[db_path]).get_database("data")
    stat = os.stat(db_path)
    assert content_version(frozen) == f"{stat.st_size}-{stat.st_mtime_ns}-{stat.st_ino}"
    frozen.hash  # noqa: B018
    assert content_version(frozen) == frozen.hash


def test_descriptors_are_released_with_the_database(tmp_path):
    from datasette.app import Datasette

    path = make_db(tmp_path / "data.db")
    ds = Datasette([path])
    content_version(ds.get_database("data"))
    key = (os.stat(path).st_dev, os.stat(path).st_ino)
    assert key in versions._descriptors
    ds.close()
    del ds
    gc.collect()
    assert key not in versions._descriptors
