"""``datasette serve --workers N``: several processes on one port, WAL, no lost or failed write."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from datasette.cli import cli

DATASETTE = str(Path(sys.executable).parent / "datasette")
PLUGIN = '''
import os
from datasette import hookimpl
from datasette.utils.asgi import Response

@hookimpl
def register_routes():
    async def pid(datasette, request):
        return Response.json({"pid": os.getpid(), "signed": datasette.sign("hello", "test")})

    async def verify(datasette, request):
        return Response.json({"pid": os.getpid(), "value": datasette.unsign(request.args["v"], "test")})

    async def write(datasette, request):
        db = datasette.get_database("data")
        cursor = await db.execute_write("insert into hits (worker) values (?)", [os.getpid()])
        return Response.json({"id": cursor.lastrowid, "pid": os.getpid()})

    return [(r"^/-/pid$", pid), (r"^/-/verify$", verify), (r"^/-/write$", write)]
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_workers_must_be_positive(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--memory", "--workers", "0"])
    assert result.exit_code == 2 and "Invalid value for '--workers'" in result.output


@pytest.mark.serial
def test_writers_and_readers_across_two_workers(tmp_path):
    db_path = tmp_path / "data.db"
    conn = sqlite3.connect(db_path)
    conn.execute("create table hits (id integer primary key, worker integer)")
    conn.commit()
    conn.close()
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "worker_routes.py").write_text(PLUGIN)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [DATASETTE, "serve", str(db_path), "-p", str(port), "--workers", "2", "--plugins-dir", str(plugins)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "DATASETTE_LOAD_PLUGINS": ""},
        start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/-/pid").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        assert sqlite3.connect(db_path).execute("pragma journal_mode").fetchone()[0] == "wal"

        acknowledged: list[int] = []
        problems: list[str] = []
        pids: set[int] = set()
        lock = threading.Lock()
        stop_at = time.monotonic() + 3.0

        def writer() -> None:
            with httpx.Client(base_url=url, timeout=30) as http:
                while time.monotonic() < stop_at:
                    response = http.post("/-/write")
                    with lock:
                        if response.status_code == 200:
                            acknowledged.append(response.json()["id"])
                            pids.add(response.json()["pid"])
                        else:
                            problems.append(f"write {response.status_code} {response.text[:200]}")

        def reader() -> None:
            with httpx.Client(base_url=url, timeout=30) as http:
                while time.monotonic() < stop_at:
                    page = http.get("/data/hits.json?_sort_desc=id&_size=5")
                    signed = http.get("/-/pid").json()  # signed by one worker...
                    checked = http.get("/-/verify", params={"v": signed["signed"]})  # ...verified by any
                    with lock:
                        pids.add(signed["pid"])
                        for response in (page, checked):
                            if response.status_code != 200:
                                problems.append(f"read {response.status_code} {response.text[:200]}")

        threads = [threading.Thread(target=writer) for _ in range(6)] + [threading.Thread(target=reader) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # A worker that dies is replaced, on the same port, and the other one serves meanwhile
        victim = next(iter(pids))
        os.kill(victim, signal.SIGKILL)
        seen: set[int] = set()
        deadline = time.monotonic() + 30
        while len(seen - {victim}) < 2:
            assert time.monotonic() < deadline, f"no replacement worker: {seen}"
            try:
                with httpx.Client(base_url=url, timeout=10) as http:  # a new connection each time
                    response = http.get("/-/pid")
            except httpx.TransportError:  # a connection queued on the dead worker's socket
                continue
            assert response.status_code == 200
            seen.add(response.json()["pid"])
    finally:
        server.terminate()
        stderr = server.communicate(timeout=20)[1].decode()
    assert problems == []
    assert "locked" not in stderr and "Traceback" not in stderr, stderr[-2000:]
    assert len(pids) == 2  # both workers served
    assert len(acknowledged) > 50  # the load really ran
    conn = sqlite3.connect(db_path)
    stored = [row[0] for row in conn.execute("select id from hits order by id")]
    workers = {row[0] for row in conn.execute("select distinct worker from hits")}
    conn.close()
    assert sorted(acknowledged) == stored  # every acknowledged write, and nothing else
    assert len(workers) == 2
