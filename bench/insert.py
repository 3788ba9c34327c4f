"""Write benchmark: insert throughput through ``/-/insert``, ours against upstream 1.0a19.

Each server gets a fresh copy of a small database and ``--clients`` keep-alive
connections that POST batches of ``--batch`` rows with a ``dstok_`` token
(``datasette create-token root --secret S``, which both servers understand), for
``--duration`` seconds. Meanwhile ``--readers`` connections GET ``--read-path``, so
the report also shows what a write load does to read latency. Rounds alternate
(ours, upstream, upstream, ours, ...). Benchmarks are not tests.

    .venv/bin/python bench/insert.py                         # 16 writers, 2 readers
    .venv/bin/python bench/insert.py --clients 1 --rounds 1  # one writer: disk-bound for both
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import upstream  # noqa: E402

HOST = "127.0.0.1"
SECRET = "bench-insert-secret"
DB_NAME = "writes"


@dataclass
class Round:
    label: str
    rows: int = 0
    elapsed: float = 0.0
    write_ms: list[float] = field(default_factory=list)
    read_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.elapsed if self.elapsed else 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def make_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table t (id integer primary key, name text, n integer, score real)")
    conn.executemany("insert into t (name, n, score) values (?, ?, ?)", [(f"seed {i}", i, i / 3) for i in range(1000)])
    conn.commit()
    conn.close()


def start(executable: Path, db: Path, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["DATASETTE_LOAD_PLUGINS"] = ""
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(executable), "serve", str(db), "--host", HOST, "--port", str(port),
                                 "--secret", SECRET], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/-/versions.json")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{executable} did not start (see {log})")


def token(executable: Path) -> str:
    result = subprocess.run([str(executable), "create-token", "root", "--secret", SECRET],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def measure(label: str, executable: Path, args: argparse.Namespace, workdir: Path) -> Round:
    db = workdir / f"{DB_NAME}.db"
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(workdir / "template.db", db)
    bearer = token(executable)
    proc, port = start(executable, db, workdir / f"{label}.log")
    result = Round(label)
    lock = threading.Lock()
    body = json.dumps({"rows": [{"name": f"row {i}", "n": i, "score": i * 1.5} for i in range(args.batch)]})
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    read_path = args.read_path.format(db=DB_NAME)
    stop_at = time.monotonic() + args.duration

    def note_error(kind: str) -> None:
        with lock:
            result.errors[kind] = result.errors.get(kind, 0) + 1

    def client(method: str, path: str, payload: str | None, wanted: int, latencies: list[float], rows: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=headers if payload else {})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as ex:
                note_error(type(ex).__name__)
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            if response.status != wanted:
                note_error(f"{method} {response.status}")
                continue
            with lock:
                result.rows += rows
                latencies.append((time.perf_counter() - started) * 1000)

    writing = ("POST", f"/{DB_NAME}/t/-/insert", body, 201, result.write_ms, args.batch)
    reading = ("GET", read_path, None, 200, result.read_ms, 0)
    threads = [threading.Thread(target=client, args=writing) for _ in range(args.clients)]
    threads += [threading.Thread(target=client, args=reading) for _ in range(args.readers)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - began
    proc.terminate()
    proc.wait(timeout=30)
    conn = sqlite3.connect(db)
    stored = conn.execute("select count(*) from t").fetchone()[0] - 1000
    conn.close()
    if stored < result.rows:
        result.errors["acknowledged rows missing"] = result.rows - stored
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent writers (default 16)")
    parser.add_argument("--readers", type=int, default=2, help="concurrent readers during the load (default 2)")
    parser.add_argument("--batch", type=int, default=100, help="rows per POST (default 100, the max_insert_rows default)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per server (default 2)")
    parser.add_argument("--read-path", default="/{db}/t.json?_size=10", help="what readers GET")
    parser.add_argument("--ours", type=Path, default=BENCH_DIR.parent / ".venv" / "bin" / "datasette")
    parser.add_argument("--upstream", type=Path, default=None, help="default: bench/.venv-upstream (created if missing)")
    args = parser.parse_args(argv)
    upstream_bin = args.upstream or upstream.ensure_upstream()
    servers = {"ours": args.ours.absolute(), "upstream": Path(upstream_bin).absolute()}
    results: dict[str, list[Round]] = {"ours": [], "upstream": []}
    with tempfile.TemporaryDirectory(prefix="bench-insert-") as tmp:
        workdir = Path(tmp)
        make_db(workdir / "template.db")
        order = []
        for n in range(args.rounds):
            order += ["ours", "upstream"] if n % 2 == 0 else ["upstream", "ours"]
        for label in order:
            outcome = measure(label, servers[label], args, workdir)
            results[label].append(outcome)
            print(f"  {label:8} {outcome.rows_per_s:10,.0f} rows/s  write p50 {percentile(outcome.write_ms, .5):7.1f}ms"
                  f"  p99 {percentile(outcome.write_ms, .99):7.1f}ms  read p99 {percentile(outcome.read_ms, .99):6.1f}ms"
                  f"  errors {outcome.errors or 0}", flush=True)
    summary = {}
    for label, rounds in results.items():
        summary[label] = {
            "rows_per_s": sum(r.rows for r in rounds) / sum(r.elapsed for r in rounds),
            "write_p99_ms": percentile([ms for r in rounds for ms in r.write_ms], .99),
            "read_p99_ms": percentile([ms for r in rounds for ms in r.read_ms], .99),
            "errors": sum(sum(r.errors.values()) for r in rounds),
        }
    ratio = summary["ours"]["rows_per_s"] / summary["upstream"]["rows_per_s"] if summary["upstream"]["rows_per_s"] else 0
    print(f"\ninsert, {args.clients} writers x {args.batch} rows, {args.readers} readers of {args.read_path}")
    for label, values in summary.items():
        print(f"  {label:8} {values['rows_per_s']:10,.0f} rows/s  write p99 {values['write_p99_ms']:.1f}ms"
              f"  read p99 during load {values['read_p99_ms']:.1f}ms  errors {values['errors']}")
    print(f"  ratio ours/upstream: {ratio:.2f}x (target >= 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
