"""A real server (uvicorn in a subprocess): concurrent writers, and a SIGKILL in the middle of a write load."""
from __future__ import annotations

import os
import random
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

from datasette.app import Datasette

DATASETTE = str(Path(sys.executable).parent / "datasette")
SECRET = "write-api-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``datasette serve FILE`` on a free loopback port."""

    def __init__(self, db_path: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [DATASETTE, "serve", db_path, "-p", str(self.port), "--secret", SECRET],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "DATASETTE_LOAD_PLUGINS": ""})
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/-/versions.json").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.process.stderr.read().decode()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)

    def stop(self) -> str:
        """Stop (if still running) and return what the server wrote to stderr."""
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.communicate(timeout=10)[1].decode()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=10)


def make_load_db(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    conn.execute("create table load (id text primary key, client integer, v integer)")
    conn.commit()
    conn.close()
    return str(path)


def root_token() -> str:
    ds = Datasette(secret=SECRET)
    try:
        return ds.create_token("root")
    finally:
        ds.close()


def headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {root_token()}", "content-type": "application/json"}


@pytest.mark.serial
def test_concurrent_clients_lose_nothing(tmp_path):
    db_path = make_load_db(tmp_path / "data.db")
    server = Server(db_path)
    auth = headers()
    inserted: dict[str, int] = {}  # id -> last acknowledged v
    problems: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 3.0

    def client(number: int) -> None:
        mine: list[str] = []
        rng = random.Random(number)
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                if mine and rng.random() < 0.4:
                    row_id = rng.choice(mine)
                    response = http.post(f"/data/load/{row_id}/-/update", json={"update": {"v": n}})
                    expected, acked = 200, (row_id, n)
                elif number % 5 == 0 and rng.random() < 0.2:
                    response = http.get("/data/-/query.json", params={"sql": "select count(*) from load"})
                    expected, acked = 200, None
                else:
                    row_id = f"c{number}-{n}"
                    response = http.post("/data/load/-/insert",
                                         json={"rows": [{"id": row_id, "client": number, "v": n}]})
                    expected, acked = 201, (row_id, n)
                    if response.status_code == 201:
                        mine.append(row_id)
                if response.status_code != expected or "locked" in response.text:
                    with lock:
                        problems.append(f"{response.status_code} {response.text[:200]}")
                elif acked is not None:
                    with lock:
                        inserted[acked[0]] = acked[1]

    threads = [threading.Thread(target=client, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stderr = server.stop()
    assert problems == []
    assert "locked" not in stderr and "Traceback" not in stderr
    assert len(inserted) > 100  # the load really ran
    conn = sqlite3.connect(db_path)
    stored = dict(conn.execute("select id, v from load").fetchall())
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    conn.close()
    assert stored == inserted  # every acknowledged insert and update, nothing else


@pytest.mark.serial
def test_sigkill_during_writes_loses_no_acknowledged_write(tmp_path):
    db_path = make_load_db(tmp_path / "data.db")
    server = Server(db_path)
    auth = headers()
    acknowledged: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()

    def writer(number: int) -> None:
        with httpx.Client(base_url=server.url, headers=auth, timeout=10) as http:
            batch = 0
            while not killed.is_set():
                batch += 1
                ids = [f"w{number}-{batch}-{n}" for n in range(20)]
                try:
                    response = http.post("/data/load/-/insert",
                                         json={"rows": [{"id": i, "client": number, "v": batch} for i in ids]})
                except httpx.TransportError:
                    return  # the server is gone
                if response.status_code == 201:
                    with lock:
                        acknowledged.extend(ids)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    server.kill()
    killed.set()
    for thread in threads:
        thread.join()
    assert len(acknowledged) > 100

    restarted = Server(db_path)  # the same file, hot journal and all
    try:
        with httpx.Client(base_url=restarted.url, headers=auth) as http:
            response = http.post("/data/load/-/insert", json={"row": {"id": "after", "client": 0, "v": 0}})
            assert response.status_code == 201
            count = http.get("/data/-/query.json", params={"sql": "select count(*) as n from load"}).json()
            assert count["rows"][0]["n"] >= len(acknowledged) + 1
    finally:
        restarted.stop()
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    stored = {row[0] for row in conn.execute("select id from load")}
    conn.close()
    assert set(acknowledged) <= stored
