"""Write benchmark: insert throughput through ``/-/insert``, ours against upstream 1.0a19.

Each server gets a fresh copy of a small database and ``--clients`` keep-alive
connections that POST batches of ``--batch`` rows with a ``dstok_`` token
(``datasette create-token root --secret S``, which both servers understand), for
``--duration`` seconds. The writers are wrk (C, one thread), so that the load
generator is not what limits a fast server on this 2-core machine; without wrk they
are Python threads, which use a whole core themselves and say so in the report.

Meanwhile ``--readers`` connections each GET ``--read-path`` ``--read-rate`` times a
second, the same for both servers, and the report shows their p99 latency: what a
write load does to reads. (Readers that loop as fast as they can would take more of a
faster server's time, and lower its write figure for being quick at reads.)
Rounds alternate (ours, upstream, upstream, ours, ...). Benchmarks are not tests.

    .venv/bin/python bench/insert.py                         # 16 writers, 2 readers at 20/s
    .venv/bin/python bench/insert.py --clients 1 --rounds 1  # one writer: disk-bound for both
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
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
    write_p50_p99: tuple[float, float] | None = None  # from wrk, which keeps no per-request list

    def write_percentile(self, p: float) -> float:
        if self.write_p50_p99 is not None:
            return self.write_p50_p99[0] if p == .5 else self.write_p50_p99[1]
        return percentile(self.write_ms, p)

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


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
local f = io.open("%(body)s", "rb"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  io.write(string.format('BENCH_JSON {"requests":%%d,"duration_us":%%d,"errors_status":%%d,' ..
    '"errors_other":%%d,"p50_us":%%d,"p99_us":%%d}\\n', summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(wrk: str, url: str, bearer: str, body: str, args: argparse.Namespace, workdir: Path,
            result: Round) -> None:
    """The writers: wrk POSTing the batch; fills ``result`` from its summary line."""
    (workdir / "body.json").write_text(body)
    script = workdir / "insert.lua"
    script.write_text(WRK_SCRIPT % {"token": bearer, "body": workdir / "body.json"})
    out = subprocess.run([wrk, "-t1", f"-c{args.clients}", f"-d{max(1, round(args.duration))}s", "--timeout", "30s",
                          "-s", str(script), url], capture_output=True, text=True)
    line = re.search(r"BENCH_JSON (\{.*\})", out.stdout)
    if not line:
        raise SystemExit(f"wrk failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    summary = json.loads(line.group(1))
    ok = summary["requests"] - summary["errors_status"]
    result.rows = ok * args.batch
    result.elapsed = summary["duration_us"] / 1e6
    result.write_p50_p99 = (summary["p50_us"] / 1000, summary["p99_us"] / 1000)
    if summary["errors_status"]:
        result.errors["non-201 responses"] = summary["errors_status"]
    if summary["errors_other"]:
        result.errors["socket errors"] = summary["errors_other"]


def measure(label: str, executable: Path, args: argparse.Namespace, workdir: Path, wrk: str | None) -> Round:
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

    def client(method: str, path: str, payload: str | None, wanted: int, latencies: list[float], rows: int,
               interval: float = 0.0) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        next_at = time.monotonic()
        while time.monotonic() < stop_at:
            if interval:
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))
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

    reading = ("GET", read_path, None, 200, result.read_ms, 0, 1.0 / args.read_rate)
    threads = [threading.Thread(target=client, args=reading) for _ in range(args.readers)]
    if wrk is None:
        writing = ("POST", f"/{DB_NAME}/t/-/insert", body, 201, result.write_ms, args.batch)
        threads += [threading.Thread(target=client, args=writing) for _ in range(args.clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    if wrk is not None:
        run_wrk(wrk, f"http://{HOST}:{port}/{DB_NAME}/t/-/insert", bearer, body, args, workdir, result)
    for thread in threads:
        thread.join()
    if wrk is None:
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
    parser.add_argument("--read-rate", type=float, default=20.0, help="GETs per second per reader (default 20)")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto",
                        help="writers: wrk (auto when installed) or Python threads")
    parser.add_argument("--batch", type=int, default=100, help="rows per POST (default 100, the max_insert_rows default)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per server (default 2)")
    parser.add_argument("--read-path", default="/{db}/t.json?_size=10", help="what readers GET")
    parser.add_argument("--ours", type=Path, default=BENCH_DIR.parent / ".venv" / "bin" / "datasette")
    parser.add_argument("--upstream", type=Path, default=None, help="default: bench/.venv-upstream (created if missing)")
    args = parser.parse_args(argv)
    upstream_bin = args.upstream or upstream.ensure_upstream()
    wrk = shutil.which("wrk") if args.loadgen != "python" else None
    if wrk is None and args.loadgen == "wrk":
        raise SystemExit("wrk requested but not installed (apt-get install wrk)")
    writers = f"wrk ({args.clients} connections)" if wrk else \
        f"{args.clients} Python threads (they use a core themselves, and may cap a fast server)"
    servers = {"ours": args.ours.absolute(), "upstream": Path(upstream_bin).absolute()}
    results: dict[str, list[Round]] = {"ours": [], "upstream": []}
    with tempfile.TemporaryDirectory(prefix="bench-insert-") as tmp:
        workdir = Path(tmp)
        make_db(workdir / "template.db")
        order = []
        for n in range(args.rounds):
            order += ["ours", "upstream"] if n % 2 == 0 else ["upstream", "ours"]
        for label in order:
            outcome = measure(label, servers[label], args, workdir, wrk)
            results[label].append(outcome)
            print(f"  {label:8} {outcome.rows_per_s:10,.0f} rows/s  write p50 {outcome.write_percentile(.5):7.1f}ms"
                  f"  p99 {outcome.write_percentile(.99):7.1f}ms  read p99 {percentile(outcome.read_ms, .99):6.1f}ms"
                  f"  errors {outcome.errors or 0}", flush=True)
    summary = {}
    for label, rounds in results.items():
        summary[label] = {
            "rows_per_s": sum(r.rows for r in rounds) / sum(r.elapsed for r in rounds),
            "write_p99_ms": max(r.write_percentile(.99) for r in rounds),  # the worst round's
            "read_p99_ms": percentile([ms for r in rounds for ms in r.read_ms], .99),
            "errors": sum(sum(r.errors.values()) for r in rounds),
        }
    ratio = summary["ours"]["rows_per_s"] / summary["upstream"]["rows_per_s"] if summary["upstream"]["rows_per_s"] else 0
    print(f"\ninsert, {writers} x {args.batch} rows; {args.readers} readers of {args.read_path} "
          f"at {args.read_rate:g}/s each")
    for label, values in summary.items():
        print(f"  {label:8} {values['rows_per_s']:10,.0f} rows/s  write p99 {values['write_p99_ms']:.1f}ms"
              f"  read p99 during load {values['read_p99_ms']:.1f}ms  errors {values['errors']}")
    print(f"  ratio ours/upstream: {ratio:.2f}x (target >= 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
