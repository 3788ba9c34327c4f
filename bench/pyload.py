"""Fallback HTTP load generator (standard library asyncio, raw sockets).

Used by ``bench/run.py`` only when ``wrk`` is unavailable. It mimics the
``wrk`` + ``report.lua`` interface: N keep-alive HTTP/1.1 connections hammer
one URL for a fixed duration, then a single ``BENCH_JSON {...}`` line is
printed with the same keys as ``report.lua`` (latencies in microseconds).

It is much less efficient than wrk (one Python process, one core), so with
very fast servers it can become the bottleneck: results produced with it are
labelled ``python-asyncio (fallback)`` in the runner's output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Stats:
    latencies_us: list[float] = field(default_factory=list)
    bytes: int = 0
    errors_connect: int = 0
    errors_read: int = 0
    errors_write: int = 0
    errors_status: int = 0
    errors_timeout: int = 0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Read one HTTP/1.1 response; return (status, bytes read, keep_alive)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    total = len(head)
    if "content-length" in headers:
        n = int(headers["content-length"])
        if n:
            await reader.readexactly(n)
        total += n
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            total += len(size_line)
            await reader.readexactly(size + 2)  # chunk data + CRLF
            total += size + 2
            if size == 0:
                break
    else:
        body = await reader.read()  # read until close
        total += len(body)
        return status, total, False
    keep_alive = headers.get("connection", "").lower() != "close"
    return status, total, keep_alive


async def _worker(
    host: str, port: int, request: bytes, deadline: float, timeout: float, stats: Stats
) -> None:
    while time.perf_counter() < deadline:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        except (OSError, asyncio.TimeoutError):
            stats.errors_connect += 1
            await asyncio.sleep(0.01)
            continue
        try:
            await _keep_alive_loop(reader, writer, request, deadline, timeout, stats)
        finally:
            writer.close()


async def _keep_alive_loop(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    request: bytes,
    deadline: float,
    timeout: float,
    stats: Stats,
) -> None:
    """Send requests on one connection until the deadline or a connection error."""
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            writer.write(request)
            await writer.drain()
        except OSError:
            stats.errors_write += 1
            return
        try:
            status, nbytes, keep_alive = await asyncio.wait_for(_read_response(reader), timeout)
        except asyncio.TimeoutError:
            stats.errors_timeout += 1
            return
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            stats.errors_read += 1
            return
        stats.latencies_us.append((time.perf_counter() - start) * 1e6)
        stats.bytes += nbytes
        if not 200 <= status < 400:
            stats.errors_status += 1
        if not keep_alive:
            return


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    idx = min(len(sorted_values) - 1, int(round(pct / 100 * (len(sorted_values) - 1))))
    return sorted_values[idx]


async def run(
    url: str, connections: int, duration: float, timeout: float, headers: list[str] | None = None
) -> dict[str, float]:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    extra = "".join(f"{header}\r\n" for header in headers or [])
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"User-Agent: bench-pyload\r\nAccept: */*\r\n{extra}\r\n"
    ).encode("latin-1")
    stats = Stats()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(
        *(_worker(host, port, request, deadline, timeout, stats) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    lat = sorted(stats.latencies_us)
    n = len(lat)
    mean = sum(lat) / n if n else 0.0
    stdev = (sum((x - mean) ** 2 for x in lat) / n) ** 0.5 if n else 0.0
    return {
        "requests": n,
        "duration_us": round(elapsed * 1e6),
        "bytes": stats.bytes,
        "errors_connect": stats.errors_connect,
        "errors_read": stats.errors_read,
        "errors_write": stats.errors_write,
        "errors_status": stats.errors_status,
        "errors_timeout": stats.errors_timeout,
        "lat_mean_us": round(mean, 1),
        "lat_stdev_us": round(stdev, 1),
        "lat_max_us": round(lat[-1]) if lat else 0,
        "p50_us": round(_percentile(lat, 50), 1),
        "p90_us": round(_percentile(lat, 90), 1),
        "p99_us": round(_percentile(lat, 99), 1),
        "p999_us": round(_percentile(lat, 99.9), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="fallback asyncio HTTP load generator")
    parser.add_argument("url")
    parser.add_argument("-c", "--connections", type=int, default=8)
    parser.add_argument("-d", "--duration", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("-H", "--header", action="append", default=[], help="extra request header")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.url, args.connections, args.duration, args.timeout, args.header))
    print("BENCH_JSON " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
