"""CSV stream benchmark: every row of the 1M-row table as CSV, ours against upstream 1.0a19.

For each server (fresh process, same database, same mode) it downloads
``/bench/bench.csv?_stream=on&_size=max`` once per round, counts the rows, and reads the
server's peak resident memory (``VmHWM`` from /proc) afterwards. Rounds alternate
(ours, upstream, upstream, ours, ...). Benchmarks are not tests.

    .venv/bin/python bench/csv_stream.py                 # immutable, 2 rounds
    .venv/bin/python bench/csv_stream.py --mode mutable
"""
from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import make_db  # noqa: E402
import upstream  # noqa: E402

PATH = "/bench/bench.csv?_stream=on&_size=max"  # what the table page's CSV export link requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(executable: Path, db: Path, mode: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    db_args = ["-i", str(db)] if mode == "immutable" else [str(db)]
    process = subprocess.Popen([str(executable), "serve", *db_args, "-p", str(port),
                                "--setting", "max_csv_mb", "0", "--setting", "sql_time_limit_ms", "20000"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/-/versions.json")
            if conn.getresponse().status == 200:
                conn.close()
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{executable} did not start")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def download(port: int) -> tuple[int, float, int]:
    """(data rows, seconds, bytes) for one full stream."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", PATH)
    response = conn.getresponse()
    lines = size = 0
    while chunk := response.read(1 << 20):
        lines += chunk.count(b"\n")
        size += len(chunk)
    conn.close()
    return lines - 1, time.perf_counter() - started, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["immutable", "mutable"], default="immutable")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ours", default=str(ROOT / ".venv" / "bin" / "datasette"))
    args = parser.parse_args()
    db = make_db.BENCH_DB if make_db.BENCH_DB.exists() else make_db.build_bench_db()
    servers = {"ours": Path(args.ours), "upstream": upstream.ensure_upstream(quiet=True)}
    order = ["ours", "upstream", "upstream", "ours"] * args.rounds
    results: dict[str, list[tuple[int, float, int, float]]] = {"ours": [], "upstream": []}
    for name in order[: 2 * args.rounds]:
        process, port = start(servers[name], Path(db), args.mode)
        try:
            rows, seconds, size = download(port)
            results[name].append((rows, seconds, size, peak_rss_mb(process.pid)))
            print(f"{name:9} {rows:>9,} rows  {seconds:6.2f} s  {rows / seconds:>11,.0f} rows/s  "
                  f"{size / 1e6:6.1f} MB  peak RSS {results[name][-1][3]:.0f} MB", flush=True)
        finally:
            process.terminate()
            process.wait(20)
    best = {name: max(r[0] / r[1] for r in runs) for name, runs in results.items()}
    rss = {name: max(r[3] for r in runs) for name, runs in results.items()}
    print(f"\nCSV stream [{args.mode}]: ours {best['ours']:,.0f} rows/s (peak RSS {rss['ours']:.0f} MB), "
          f"upstream {best['upstream']:,.0f} rows/s (peak RSS {rss['upstream']:.0f} MB), "
          f"ratio {best['ours'] / best['upstream']:.1f}x (target >= 10x, RSS <= 150 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
