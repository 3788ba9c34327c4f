"""Benchmark runner: this project's Datasette ("ours") against upstream 1.0a19.

For every selected scenario both servers are driven in alternation (ours,
upstream, ours, upstream, ...) by the same load generator with the same
concurrency, and requests/s plus p50/p99 latency are reported for each, along
with the ratio ours/upstream. Results go to ``bench/results/latest.json``.

Benchmarks are not tests: the numbers depend on the machine and its load.

Examples::

    .venv/bin/python bench/run.py                       # every default scenario
    .venv/bin/python bench/run.py --scenario versions --duration 3
    .venv/bin/python bench/run.py --list
    .venv/bin/python bench/run.py --ours bench/.venv-upstream/bin/datasette  # harness self-check
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import make_db  # noqa: E402
import upstream  # noqa: E402

RESULTS_DIR = BENCH_DIR / "results"
LOG_DIR = RESULTS_DIR / "logs"
REPORT_LUA = BENCH_DIR / "report.lua"
PYLOAD = BENCH_DIR / "pyload.py"
DEFAULT_OURS = REPO_DIR / ".venv" / "bin" / "datasette"
HOST = "127.0.0.1"
READY_PATH = "/-/versions.json"
MODES = ("immutable", "mutable")


# --------------------------------------------------------------------------
# Scenarios: the single place where benchmarked requests are defined.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    mode: str  # "immutable" (-i file) or "mutable" (positional file)
    description: str
    target: float | None = None  # wanted minimum ratio ours/upstream (req/s)
    needs_wide: bool = False  # serve bench/data/wide.db too
    default: bool = True  # part of a plain run without --scenario
    headers: tuple[str, ...] = ()  # request headers; "{etag}" = the ETag of a plain GET of the path
    ours_args: tuple[str, ...] = ()  # extra `serve` arguments for ours only (own server pair)

    @property
    def key(self) -> str:
        return f"{self.name}[{self.mode}]"


def _in_modes(
    name: str,
    path: str,
    description: str,
    target: float | None = None,
    needs_wide: bool = False,
    default: bool = True,
    headers: tuple[str, ...] = (),
    ours_args: tuple[str, ...] = (),
) -> list[Scenario]:
    return [
        Scenario(name, path, mode, description, target, needs_wide, default, headers, ours_args)
        for mode in MODES
    ]


SCENARIOS: list[Scenario] = [
    *_in_modes(
        "versions",
        "/-/versions.json",
        "pure framework cost: routing, one tiny JSON response, no table query",
        target=3.0,
    ),
    *_in_modes(
        "table_json",
        "/bench/bench.json?_size=100",
        "first page of 100 rows of a 1M-row table as JSON (plus count)",
    ),
    *_in_modes(
        "table_html",
        "/bench/bench",
        "the HTML table page (template rendering, default page size, facet suggestions)",
    ),
    *_in_modes(
        "filter_sort",
        "/bench/bench.json?state=CA&_sort_desc=amount",
        "indexed equality filter plus sort on an unindexed column",
    ),
    *_in_modes(
        "search",
        f"/bench/bench.json?_search={make_db.SEARCH_WORD}",
        "FTS5 full-text search via the content= table bench_fts",
    ),
    *_in_modes(
        "labels",
        "/bench/bench.json?_labels=on",
        "foreign-key label expansion (customer_id -> customers.name)",
    ),
    *_in_modes(
        "row_json",
        "/bench/bench/12345.json",
        "single row by primary key",
    ),
    *_in_modes(
        "facets",
        "/bench/bench.json?_facet=state&_facet=category",
        "two facets (GROUP BY counts) over 1M rows",
    ),
    # Caching, compression and workers (issue 7). Their targets compare ours with ours
    # (see COMPARISONS); upstream has no ETags, no gzip and no --workers, so its side of
    # these scenarios is a plain full render.
    *_in_modes(
        "table_html_304",
        "/bench/bench",
        "revalidation of the HTML table page: If-None-Match with its ETag (304, no SQL)",
        headers=("If-None-Match: {etag}",),
    ),
    *_in_modes(
        "table_html_gzip",
        "/bench/bench",
        "the HTML table page, gzip-compressed (Accept-Encoding: gzip)",
        headers=("Accept-Encoding: gzip",),
    ),
    *_in_modes(
        "table_json_gzip",
        "/bench/bench.json?_size=100",
        "100 rows as JSON, gzip-compressed (Accept-Encoding: gzip)",
        headers=("Accept-Encoding: gzip",),
    ),
    *_in_modes(
        "table_json_workers2",
        "/bench/bench.json?_size=100",
        "100 rows as JSON with ours on `--workers 2` (upstream: one process)",
        ours_args=("--workers", "2"),
    ),
    *_in_modes(
        "wide_html",
        "/wide/wide",
        "HTML page of a 100-column x 200k-row table: facet-suggestion cost",
        needs_wide=True,
        default=False,
    ),
    *_in_modes(
        "wide_suggest",
        "/wide/wide.json?_extra=suggested_facets",
        "JSON suggested facets for the 100-column table",
        needs_wide=True,
        default=False,
    ),
]



@dataclass(frozen=True)
class Comparison:
    """A ratio between two of our own scenarios measured in the same run and mode."""

    name: str
    numerator: str
    denominator: str
    description: str
    target: float | None = None


COMPARISONS = [
    Comparison("304_vs_render", "table_html_304", "table_html",
               "304 revalidation vs full render of the same page", target=10.0),
    Comparison("workers2_vs_1", "table_json_workers2", "table_json",
               "--workers 2 vs one worker, table JSON", target=1.6),
    Comparison("gzip_html", "table_html_gzip", "table_html", "gzip vs identity, table HTML"),
    Comparison("gzip_json", "table_json_gzip", "table_json", "gzip vs identity, table JSON"),
]

STARTUP = "startup"  # the special scenario: time to the first 200 on a 1 GB immutable database
STARTUP_PATH = "/big"  # the database page: table counts and the database colour (its hash)


# --------------------------------------------------------------------------
# HTTP probing
# --------------------------------------------------------------------------


@dataclass
class Probe:
    status: int | None
    elapsed_ms: float
    nbytes: int = 0
    content_type: str = ""
    error: str = ""
    notes: list[str] = field(default_factory=list)
    etag: str = ""


def response_notes(body: bytes, content_type: str) -> list[str]:
    """Flag responses that are cheap for the wrong reason (timeouts, truncation)."""
    if "json" not in content_type:
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return ["invalid JSON"]
    if not isinstance(data, dict):
        return []
    notes = []
    facets = data.get("facet_results")
    if isinstance(facets, dict) and facets.get("timed_out"):
        notes.append(f"facets timed out: {facets['timed_out']}")
    if data.get("truncated"):
        notes.append("truncated")
    if data.get("ok") is False:
        notes.append(f"ok=false: {data.get('error') or data.get('errors')}")
    return notes


def http_get(
    port: int, path: str, timeout: float = 30.0, headers: Sequence[str] = ()
) -> Probe:
    """One GET without following redirects (``headers`` as "Name: value" lines)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    sent = {"User-Agent": "bench-probe"}
    sent.update(dict(h.split(": ", 1) for h in headers))
    try:
        conn.request("GET", path, headers=sent)
        resp = conn.getresponse()
        body = resp.read()
        content_type = resp.getheader("content-type", "")
        compressed = bool(resp.getheader("content-encoding"))
        return Probe(
            status=resp.status,
            elapsed_ms=(time.perf_counter() - start) * 1000,
            nbytes=len(body),
            content_type=content_type,
            notes=response_notes(body, content_type)
            if resp.status == 200 and not compressed
            else ([f"{resp.getheader('content-encoding')} encoded"] if compressed else []),
            etag=resp.getheader("etag", ""),
        )
    except (OSError, http.client.HTTPException) as ex:
        return Probe(None, (time.perf_counter() - start) * 1000, error=repr(ex))
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------
# Server processes
# --------------------------------------------------------------------------


_LIVE: list[Server] = []


class Server:
    """A datasette server in its own process group, always cleaned up."""

    def __init__(
        self,
        label: str,
        executable: Path,
        db_args: Sequence[str],
        extra_args: Sequence[str],
        log_path: Path,
        cpu: str | None = None,
    ) -> None:
        self.label = label
        self.executable = executable.absolute()  # servers run with another cwd
        self.port = free_port()
        self.cmd = [
            str(self.executable),
            "serve",
            *db_args,
            "--host",
            HOST,
            "--port",
            str(self.port),
            *extra_args,
        ]
        if cpu is not None:
            self.cmd = ["taskset", "-c", cpu, *self.cmd]
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.error = ""
        self.startup_s: float | None = None
        self.version: str | None = None

    @property
    def ready(self) -> bool:
        return self.startup_s is not None and not self.error

    def start(self) -> None:
        if not self.executable.exists():
            self.error = f"executable not found: {self.executable}"
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                self.cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: killpg on cleanup
                cwd=self.log_path.parent,  # neutral cwd, not the repo root
                env=env,
            )
        except OSError as ex:
            self.error = f"could not start: {ex}"
            return
        finally:
            log.close()
        self._started_at = time.perf_counter()
        _LIVE.append(self)

    def wait_ready(self, timeout: float = 60.0) -> None:
        if self.proc is None:
            return
        deadline = self._started_at + timeout
        last = ""
        while time.perf_counter() < deadline:
            code = self.proc.poll()
            if code is not None:
                self.error = f"exited with code {code} before answering"
                return
            probe = http_get(self.port, READY_PATH, timeout=5)
            if probe.status == 200:
                self.startup_s = time.perf_counter() - self._started_at
                self.version = self._read_version()
                return
            last = f"status {probe.status}" if probe.status else probe.error
            time.sleep(0.1)
        self.error = f"no HTTP 200 on {READY_PATH} within {timeout:.0f}s (last: {last})"

    def _read_version(self) -> str | None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            conn.request("GET", READY_PATH)
            data = json.loads(conn.getresponse().read())
            return str(data.get("datasette", {}).get("version"))
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def cpu_seconds(self) -> float:
        """CPU time (user+system) used so far by the server's process group."""
        if self.proc is None:
            return 0.0
        return process_group_cpu_seconds(self.proc.pid)

    def wait_idle(self, max_wait: float = 60.0, window: float = 0.25, busy: float = 0.05) -> float:
        """Block until the server stops burning CPU; return seconds waited.

        When the load generator stops, requests it abandoned may still be
        running inside the server (slow SQL in worker threads). Measuring the
        other server meanwhile would penalise whichever one goes second.
        """
        start = time.perf_counter()
        while time.perf_counter() - start < max_wait:
            before = self.cpu_seconds()
            time.sleep(window)
            if (self.cpu_seconds() - before) / window < busy:
                break
        return time.perf_counter() - start

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            # Leader gone; make sure no stragglers survive in its group.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc = None
        if self in _LIVE:
            _LIVE.remove(self)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_group_cpu_seconds(pgid: int) -> float:
    """Sum utime+stime of every process in a process group (Linux /proc)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        # fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / _CLOCK_TICKS


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already included in user
    return total - idle, total


def background_cpu(seconds: float = 1.0) -> float:
    """Fraction (0..1) of the machine's CPU busy with other work right now."""
    busy0, total0 = _cpu_times()
    time.sleep(seconds)
    busy1, total1 = _cpu_times()
    return (busy1 - busy0) / max(1, total1 - total0)


def stop_all_servers() -> None:
    for server in list(_LIVE):
        server.stop()


# --------------------------------------------------------------------------
# Load generators
# --------------------------------------------------------------------------


class LoadGen:
    name = "abstract"

    def __init__(self, connections: int, timeout: float, cpu: str | None) -> None:
        self.connections = connections
        self.timeout = timeout
        self.cpu = cpu

    def command(self, url: str, duration: int, headers: Sequence[str] = ()) -> list[str]:
        raise NotImplementedError

    def run(self, url: str, duration: int, headers: Sequence[str] = ()) -> dict[str, Any]:
        cmd = self.command(url, duration, headers)
        if self.cpu is not None:
            cmd = ["taskset", "-c", self.cpu, *cmd]
        # subprocess.run kills the child if we are interrupted.
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=duration + self.timeout + 30,
            check=False,
        )
        for line in proc.stdout.splitlines():
            if line.startswith("BENCH_JSON "):
                result: dict[str, Any] = json.loads(line[len("BENCH_JSON ") :])
                return result
        raise RuntimeError(
            f"{self.name} produced no result (exit {proc.returncode}):\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )


class WrkLoadGen(LoadGen):
    def __init__(self, binary: str, connections: int, timeout: float, cpu: str | None) -> None:
        super().__init__(connections, timeout, cpu)
        self.binary = binary
        self.name = f"wrk ({wrk_version(binary)})"

    def command(self, url: str, duration: int, headers: Sequence[str] = ()) -> list[str]:
        return [
            self.binary,
            "-t1",  # 2-core machine: one load thread, the server gets the other core
            f"-c{self.connections}",
            f"-d{duration}s",
            f"--timeout={self.timeout:g}s",
            *(arg for header in headers for arg in ("-H", header)),
            "-s",
            str(REPORT_LUA),
            url,
        ]


class PyLoadGen(LoadGen):
    name = "python-asyncio (fallback: slower than wrk, may cap fast servers)"

    def command(self, url: str, duration: int, headers: Sequence[str] = ()) -> list[str]:
        return [
            sys.executable,
            str(PYLOAD),
            url,
            "-c",
            str(self.connections),
            "-d",
            str(duration),
            "--timeout",
            str(self.timeout),
            *(arg for header in headers for arg in ("-H", header)),
        ]


def wrk_version(binary: str) -> str:
    proc = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    first = (proc.stdout + proc.stderr).strip().splitlines()
    return first[0].split(" [")[0] if first else "unknown version"


def find_or_install_wrk(allow_install: bool) -> str | None:
    found = shutil.which("wrk")
    if found or not allow_install:
        return found
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return None
    print("[bench] wrk not found; trying apt-get install -y wrk", flush=True)
    try:
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(
                cmd,
                check=True,
                timeout=300,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as ex:
        print(f"[bench] could not install wrk: {ex}", flush=True)
        return None
    return shutil.which("wrk")


# --------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------


@dataclass
class SideResult:
    """One server's result for one scenario."""

    label: str
    probe_status: int | None = None
    probe_ms: float | None = None
    probe_bytes: int | None = None
    probe_notes: list[str] = field(default_factory=list)
    na_reason: str = ""  # non-empty: not measured
    rounds: list[dict[str, Any]] = field(default_factory=list)
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    rps_min: float | None = None
    rps_max: float | None = None
    non_2xx: int = 0
    socket_errors: int = 0

    def summarise(self) -> None:
        if not self.rounds:
            return
        requests = sum(r["requests"] for r in self.rounds)
        seconds = sum(r["duration_us"] for r in self.rounds) / 1e6
        if requests == 0:
            self.na_reason = "no request completed within a round: raise --duration"
            return
        per_round = [r["requests"] / (r["duration_us"] / 1e6) for r in self.rounds]
        self.rps = requests / seconds if seconds else 0.0
        self.rps_min, self.rps_max = min(per_round), max(per_round)
        self.p50_ms = statistics.fmean(r["p50_us"] for r in self.rounds) / 1000
        self.p99_ms = statistics.fmean(r["p99_us"] for r in self.rounds) / 1000
        self.non_2xx = sum(int(r["errors_status"]) for r in self.rounds)
        self.socket_errors = sum(
            int(r[k])
            for r in self.rounds
            for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout")
        )


@dataclass
class ScenarioResult:
    name: str
    mode: str
    path: str
    description: str
    target: float | None
    ours: SideResult
    upstream: SideResult
    ratio: float | None = None
    target_met: bool | None = None


def resolve_headers(scenario: Scenario, server: Server) -> list[str]:
    """The scenario's headers; "{etag}" becomes the ETag of a plain GET (dropped if there is none)."""
    resolved = []
    for header in scenario.headers:
        if "{etag}" in header:
            etag = http_get(server.port, scenario.path).etag
            if not etag:
                continue
            header = header.replace("{etag}", etag)
        resolved.append(header)
    return resolved


def measure(
    scenario: Scenario,
    servers: dict[str, Server],
    loadgen: LoadGen,
    duration: int,
    warmup: int,
    rounds: int,
) -> ScenarioResult:
    sides = {label: SideResult(label) for label in servers}
    active: list[str] = []
    headers: dict[str, list[str]] = {}
    for label, server in servers.items():
        side = sides[label]
        if not server.ready:
            side.na_reason = f"server not running ({server.error})"
            continue
        headers[label] = resolve_headers(scenario, server)
        probe = http_get(server.port, scenario.path, headers=headers[label])
        side.probe_status, side.probe_ms, side.probe_bytes = (
            probe.status,
            round(probe.elapsed_ms, 2),
            probe.nbytes,
        )
        side.probe_notes = probe.notes
        if probe.status not in (200, 304):
            side.na_reason = f"status {probe.status}" if probe.status is not None else probe.error
            continue
        active.append(label)

    def url(label: str) -> str:
        return f"http://{HOST}:{servers[label].port}{scenario.path}"

    def load(label: str, seconds: int) -> dict[str, Any]:
        result = loadgen.run(url(label), seconds, headers[label])
        # Let abandoned in-flight requests drain before the next measurement.
        result["drain_s"] = round(servers[label].wait_idle(), 3)
        return result

    if warmup > 0:
        for label in active:
            load(label, warmup)
    for i in range(rounds):
        # Alternate servers in ABBA order (ours, upstream, upstream, ours, ...)
        # so slow drifts and "who goes first" effects cancel out.
        for label in active if i % 2 == 0 else active[::-1]:
            sides[label].rounds.append(load(label, duration))
    for side in sides.values():
        side.summarise()

    result = ScenarioResult(
        scenario.name,
        scenario.mode,
        scenario.path,
        scenario.description,
        scenario.target,
        sides["ours"],
        sides["upstream"],
    )
    if result.ours.rps and result.upstream.rps:
        result.ratio = result.ours.rps / result.upstream.rps
        if scenario.target is not None:
            result.target_met = result.ratio >= scenario.target
    return result


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _cell(side: SideResult, attr: str, fmt: str) -> str:
    if side.na_reason:
        return "n/a"
    return _num(getattr(side, attr), fmt)


def _ratio_text(result: ScenarioResult) -> str:
    if result.ratio is None:
        return "n/a"
    text = f"{result.ratio:.2f}x"
    if result.target is not None:
        text += f" (target >= {result.target:g}x: {'MET' if result.target_met else 'MISSED'})"
    return text


def print_scenario(result: ScenarioResult) -> None:
    print(f"\n== {result.name} [{result.mode}]  GET {result.path}")
    print(f"   {result.description}")
    print(
        f"   {'server':<9} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} "
        f"{'rounds req/s':>19} {'first GET':>18}"
    )
    for side in (result.ours, result.upstream):
        if side.na_reason:
            print(f"   {side.label:<9} {'n/a (' + side.na_reason + ')'}")
            continue
        spread = f"{_num(side.rps_min, '.0f')}-{_num(side.rps_max, '.0f')}"
        first = f"{side.probe_status} {_num(side.probe_ms, '.1f')}ms {side.probe_bytes}B"
        print(
            f"   {side.label:<9} {_cell(side, 'rps', '.1f'):>10} {_cell(side, 'p50_ms', '.2f'):>9} "
            f"{_cell(side, 'p99_ms', '.2f'):>9} {spread:>19} {first:>18}"
        )
        if side.probe_notes:
            print(f"   {'':<9} NOTE: {'; '.join(side.probe_notes)}")
        if side.non_2xx or side.socket_errors:
            print(
                f"   {'':<9} WARNING: {side.non_2xx} non-2xx/3xx responses, "
                f"{side.socket_errors} socket errors/timeouts during load"
            )
    print(f"   ratio ours/upstream (req/s): {_ratio_text(result)}")


def print_summary(results: Iterable[ScenarioResult], loadgen: LoadGen) -> None:
    rows = list(results)
    print(f"\n== summary  (load generator: {loadgen.name}, {loadgen.connections} connections)")
    print(
        f"{'scenario':<24} {'ours req/s':>11} {'up req/s':>10} {'ratio':>7} "
        f"{'ours p50':>9} {'up p50':>8} {'ours p99':>9} {'up p99':>8}  note"
    )
    for r in rows:
        notes = []
        for side in (r.ours, r.upstream):
            if side.na_reason:
                notes.append(f"{side.label}: n/a ({side.na_reason})")
            elif side.non_2xx:
                notes.append(f"{side.label}: {side.non_2xx} non-2xx")
            if side.probe_notes:
                notes.append(f"{side.label}: {'; '.join(side.probe_notes)}")
        if r.target is not None and r.ratio is not None:
            notes.append(f"target >= {r.target:g}x {'MET' if r.target_met else 'MISSED'}")
        ratio = "n/a" if r.ratio is None else f"{r.ratio:.2f}x"
        print(
            f"{r.name + '[' + r.mode + ']':<24} {_cell(r.ours, 'rps', '.1f'):>11} "
            f"{_cell(r.upstream, 'rps', '.1f'):>10} {ratio:>7} "
            f"{_cell(r.ours, 'p50_ms', '.2f'):>9} {_cell(r.upstream, 'p50_ms', '.2f'):>8} "
            f"{_cell(r.ours, 'p99_ms', '.2f'):>9} {_cell(r.upstream, 'p99_ms', '.2f'):>8}  "
            f"{'; '.join(notes)}"
        )
    ratios = [r.ratio for r in rows if r.ratio]
    if ratios:
        print(
            f"geometric mean ratio ours/upstream over {len(ratios)} scenarios: "
            f"{statistics.geometric_mean(ratios):.2f}x"
        )


# --------------------------------------------------------------------------
# Comparisons between our own scenarios, and the startup benchmark
# --------------------------------------------------------------------------


def compare(results: Sequence[ScenarioResult]) -> list[dict[str, Any]]:
    """Each comparison of COMPARISONS whose two scenarios were measured, per mode."""
    by_key = {(r.name, r.mode): r for r in results}
    rows = []
    for c in COMPARISONS:
        for mode in MODES:
            num, den = by_key.get((c.numerator, mode)), by_key.get((c.denominator, mode))
            if num is None or den is None or not num.ours.rps or not den.ours.rps:
                continue
            ratio = num.ours.rps / den.ours.rps
            rows.append(
                {
                    "name": c.name,
                    "mode": mode,
                    "description": c.description,
                    "numerator": c.numerator,
                    "denominator": c.denominator,
                    "numerator_rps": round(num.ours.rps, 1),
                    "denominator_rps": round(den.ours.rps, 1),
                    "numerator_bytes": num.ours.probe_bytes,
                    "denominator_bytes": den.ours.probe_bytes,
                    "ratio": round(ratio, 2),
                    "target": c.target,
                    "target_met": None if c.target is None else ratio >= c.target,
                }
            )
    return rows


def print_comparisons(rows: Sequence[dict[str, Any]], results: Sequence[ScenarioResult]) -> None:
    print("\n== ours vs ours (same run)")
    print(
        f"{'comparison':<26} {'req/s':>19} {'ratio':>7} {'response bytes':>21}  note"
    )
    for row in rows:
        rps = f"{row['numerator_rps']:.0f} / {row['denominator_rps']:.0f}"
        size = f"{row['numerator_bytes']} / {row['denominator_bytes']}"
        note = row["description"]
        if row["target"] is not None:
            note += f"; target >= {row['target']:g}x {'MET' if row['target_met'] else 'MISSED'}"
        print(
            f"{row['name'] + '[' + row['mode'] + ']':<26} {rps:>19} {row['ratio']:>6.2f}x {size:>21}  {note}"
        )


def ensure_inspect_file(ours: Path, db: Path) -> tuple[Path, float | None]:
    """``big-inspect.json`` next to the database, written by our ``datasette inspect`` when missing
    or older than the database; returns it and how long inspecting took (None if cached)."""
    path = db.with_name(db.stem + "-inspect.json")
    if path.exists() and path.stat().st_mtime_ns > db.stat().st_mtime_ns:
        return path, None
    start = time.perf_counter()
    subprocess.run([str(ours.absolute()), "inspect", str(db), "--inspect-file", str(path)], check=True)
    return path, time.perf_counter() - start


def time_to_first_200(server: Server, path: str, timeout: float = 300.0) -> tuple[float | None, Any]:
    """Seconds from process start to the first 200 on ``path``, and the count of the big table then."""
    deadline = server._started_at + timeout
    while time.perf_counter() < deadline:
        if server.proc is None or server.proc.poll() is not None:
            return None, "exited"
        probe = http_get(server.port, path, timeout=timeout)
        if probe.status == 200:
            elapsed = time.perf_counter() - server._started_at
            conn = http.client.HTTPConnection(HOST, server.port, timeout=60)
            try:
                conn.request("GET", path + ".json")
                tables = json.loads(conn.getresponse().read()).get("tables", [])
                count = next((t.get("count") for t in tables if t.get("name") == "big"), None)
            except (OSError, ValueError, http.client.HTTPException):
                count = "?"
            finally:
                conn.close()
            return elapsed, count
        time.sleep(0.005)
    return None, "timeout"


def measure_startup(ours: Path, upstream_exe: Path, rounds: int) -> dict[str, Any]:
    """Startup to the first 200 of the database page of a 1 GB immutable file, for both servers,
    with and without an inspect file (alternating, ``rounds`` times; medians reported)."""
    big = make_db.ensure_big_db()
    inspect_file, inspect_s = ensure_inspect_file(ours, big)
    print(f"\n== startup: -i {big.name} ({big.stat().st_size / 1e9:.2f} GB), first 200 on {STARTUP_PATH}")
    if inspect_s is not None:
        print(f"   (our `datasette inspect` wrote {inspect_file.name} in {inspect_s:.1f}s)")
    configs = [
        (label, exe, with_inspect)
        for label, exe in (("ours", ours), ("upstream", upstream_exe))
        for with_inspect in (True, False)
    ]
    times: dict[str, list[float]] = {}
    counts: dict[str, Any] = {}
    for i in range(rounds):
        for label, exe, with_inspect in configs if i % 2 == 0 else configs[::-1]:
            key = f"{label} {'with' if with_inspect else 'without'} inspect file"
            db_args = ["-i", str(big)] + (["--inspect-file", str(inspect_file)] if with_inspect else [])
            server = Server(label, exe, db_args, [], LOG_DIR / f"startup-{label}.log")
            server.start()
            try:
                elapsed, count = time_to_first_200(server, STARTUP_PATH)
            finally:
                server.stop()
            if elapsed is not None:
                times.setdefault(key, []).append(elapsed)
            counts[key] = count
    result = {}
    for key, values in times.items():
        median = statistics.median(values)
        result[key] = {"median_s": round(median, 3), "runs_s": [round(v, 3) for v in values],
                       "count_shown": counts.get(key)}
        target = "  (target <= 1 s: " + ("MET" if median <= 1.0 else "MISSED") + ")" \
            if key == "ours with inspect file" else ""
        print(f"   {key:<32} {median:6.2f}s  runs {', '.join(f'{v:.2f}' for v in values)}; "
              f"rows shown for big: {counts.get(key)}{target}")
    return result


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def select_scenarios(names: Sequence[str], modes: Sequence[str], wide: bool) -> list[Scenario]:
    known = {s.name for s in SCENARIOS} | {STARTUP}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(
            f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    selected = []
    for s in SCENARIOS:
        if s.mode not in modes:
            continue
        if names:
            if s.name in names:
                selected.append(s)
        elif s.default or (wide and s.needs_wide):
            selected.append(s)
    return selected


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Benchmark this project's datasette against upstream datasette 1.0a19."
    )
    p.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this scenario (repeatable; default: all default scenarios)",
    )
    p.add_argument(
        "--mode",
        action="append",
        choices=MODES,
        default=[],
        help="only this database mode (repeatable; default: both)",
    )
    p.add_argument(
        "--duration",
        type=int,
        default=5,
        metavar="SECONDS",
        help="seconds per measured round per server (default 5)",
    )
    p.add_argument(
        "--rounds", type=int, default=2, help="alternating rounds per server (default 2)"
    )
    p.add_argument(
        "--warmup",
        type=int,
        default=2,
        metavar="SECONDS",
        help="warm-up seconds per server per scenario (default 2, 0 = none)",
    )
    p.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    p.add_argument("--timeout", type=float, default=10.0, help="per-request timeout seconds")
    p.add_argument(
        "--ours",
        type=Path,
        default=DEFAULT_OURS,
        help=f"datasette executable for 'ours' (default {DEFAULT_OURS.relative_to(REPO_DIR)})",
    )
    p.add_argument(
        "--upstream",
        type=Path,
        default=None,
        help="datasette executable for upstream (default: bench/.venv-upstream, made on demand)",
    )
    p.add_argument(
        "--server-args",
        default="",
        help='extra arguments for both servers, e.g. "--setting sql_time_limit_ms 5000"',
    )
    p.add_argument(
        "--wide", action="store_true", help="also build wide.db and run the wide-table scenarios"
    )
    p.add_argument(
        "--startup",
        action="store_true",
        help="also measure startup on a 1 GB immutable database (built in bench/data/ on first use)",
    )
    p.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator (auto: wrk, installing it with apt-get if missing, else python)",
    )
    p.add_argument(
        "--pin",
        action="store_true",
        help="pin the load generator to CPU 0 and the servers to CPU 1 (taskset)",
    )
    p.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    p.add_argument(
        "--fail-on-target",
        action="store_true",
        help="exit 1 if a scenario with a target ratio misses it",
    )
    p.add_argument("--list", action="store_true", help="list scenarios and exit")
    args = p.parse_args(argv)
    if args.duration < 1 or args.rounds < 1 or args.warmup < 0 or args.connections < 1:
        p.error("--duration/--rounds/--connections must be >= 1 and --warmup >= 0")
    return args


def make_loadgen(args: argparse.Namespace, cpu: str | None) -> LoadGen:
    if args.loadgen in ("auto", "wrk"):
        wrk = find_or_install_wrk(allow_install=True)
        if wrk:
            return WrkLoadGen(wrk, args.connections, args.timeout, cpu)
        if args.loadgen == "wrk":
            raise SystemExit("wrk requested but not available")
        print("[bench] WARNING: wrk unavailable, using the python-asyncio fallback load generator")
    return PyLoadGen(args.connections, args.timeout, cpu)


def db_args(dbs: Sequence[Path | None], mode: str) -> list[str]:
    args: list[str] = []
    for db in dbs:
        if db is not None:
            args += ["-i", str(db)] if mode == "immutable" else [str(db)]
    return args


def report_server(server: Server) -> dict[str, Any]:
    """Print how a server started; return its JSON record."""
    if server.ready:
        print(
            f"[bench] {server.label:<8} datasette {server.version} on port {server.port}, "
            f"ready in {server.startup_s:.2f}s: {shlex.join(server.cmd)}"
        )
    else:
        print(
            f"[bench] {server.label:<8} FAILED TO START: {server.error}\n"
            f"         command: {shlex.join(server.cmd)}"
        )
        tail = server.log_tail()
        if tail:
            indented = "\n".join("           " + line for line in tail.splitlines())
            print(f"         log tail:\n{indented}")
    return {
        "command": server.cmd,
        "version": server.version,
        "startup_s": server.startup_s,
        "error": server.error,
        "log": str(server.log_path),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    modes = args.mode or list(MODES)
    run_startup = STARTUP in args.scenario or args.startup
    scenarios = select_scenarios([n for n in args.scenario if n != STARTUP], modes, args.wide)
    if args.scenario == [STARTUP]:
        scenarios = []
    if args.list:
        for s in SCENARIOS:
            flags = [f"target>={s.target:g}x"] if s.target else []
            if not s.default:
                flags.append("needs --wide or --scenario")
            if s.headers:
                flags.append("headers: " + "; ".join(s.headers))
            if s.ours_args:
                flags.append("ours: " + shlex.join(s.ours_args))
            print(f"{s.name:<20} {s.mode:<10} {s.path:<50} {' '.join(flags)}")
        for c in COMPARISONS:
            target = f"target>={c.target:g}x" if c.target else ""
            print(f"{'(compare) ' + c.name:<20} {c.numerator} / {c.denominator}: {c.description} {target}")
        print(f"{STARTUP:<20} {'-i big.db':<10} {STARTUP_PATH:<50} time to the first 200, "
              "with and without an inspect file (--startup or --scenario startup)")
        return 0
    if not scenarios and not run_startup:
        raise SystemExit("no scenarios selected")

    # SIGTERM/SIGHUP behave like Ctrl-C: stop servers, keep partial results.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.default_int_handler)
    atexit.register(stop_all_servers)

    upstream_exe = args.upstream or upstream.ensure_upstream()
    bench_db = make_db.ensure_bench_db()
    need_wide = any(s.needs_wide for s in scenarios)
    wide_db = make_db.ensure_wide_db() if need_wide else None

    pin = args.pin and shutil.which("taskset") is not None
    loadgen = make_loadgen(args, "0" if pin else None)
    cpu = "1" if pin else None
    extra = shlex.split(args.server_args)

    other_load = background_cpu()
    if other_load > 0.10:
        print(
            f"[bench] WARNING: {other_load:.0%} of the CPU is busy with other processes; "
            "results will be noisy (load average "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
            + ")"
        )
    est = len(scenarios) * 2 * (args.warmup + args.rounds * args.duration)
    print(
        f"[bench] {len(scenarios)} scenario(s), load generator {loadgen.name}, "
        f"{args.connections} connections, {args.rounds} x {args.duration}s rounds "
        f"+ {args.warmup}s warm-up per server; about {est}s of load"
    )

    results: list[ScenarioResult] = []
    server_info: dict[str, dict[str, Any]] = {}
    interrupted = False
    try:
        for mode, ours_args in dict.fromkeys((s.mode, s.ours_args) for s in scenarios):
            group = [s for s in scenarios if s.mode == mode and s.ours_args == ours_args]
            dbs = [bench_db] + ([wide_db] if wide_db and any(s.needs_wide for s in group) else [])
            for db in dbs:  # a --workers group leaves them in WAL mode
                make_db.use_rollback_journal(db)
            suffix = "".join(f"-{a.lstrip('-')}" for a in ours_args)
            servers = {
                label: Server(
                    label,
                    exe,
                    db_args(dbs, mode),
                    [*extra, *(ours_args if label == "ours" else ())],
                    LOG_DIR / f"{label}-{mode}{suffix}.log",
                    cpu,
                )
                for label, exe in (("ours", args.ours), ("upstream", upstream_exe))
            }
            try:
                for server in servers.values():
                    server.start()
                for server in servers.values():
                    server.wait_ready()
                print(f"\n#### mode: {mode}" + (f" (ours: {shlex.join(ours_args)})" if ours_args else ""))
                for server in servers.values():
                    server_info[f"{server.label}-{mode}{suffix}"] = report_server(server)
                for scenario in group:
                    result = measure(
                        scenario, servers, loadgen, args.duration, args.warmup, args.rounds
                    )
                    results.append(result)
                    print_scenario(result)
            finally:
                for server in servers.values():
                    server.stop()
    except KeyboardInterrupt:
        interrupted = True
        print("\n[bench] interrupted; servers stopped, writing partial results")
    finally:
        stop_all_servers()
        for db in (bench_db, wide_db):
            if db is not None:
                make_db.use_rollback_journal(db)

    if results:
        print_summary(results, loadgen)
    comparisons = compare(results)
    if comparisons:
        print_comparisons(comparisons, results)
    startup: dict[str, Any] = {}
    if run_startup and not interrupted:
        try:
            startup = measure_startup(args.ours, upstream_exe, args.rounds)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            stop_all_servers()
    payload = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "interrupted": interrupted,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "background_cpu_at_start": round(other_load, 3),
            "loadavg_at_end": os.getloadavg(),
        },
        "settings": {
            "loadgen": loadgen.name,
            "connections": args.connections,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "warmup_s": args.warmup,
            "pinned": pin,
            "server_args": extra,
            "ours": str(args.ours.absolute()),
            "upstream": str(upstream_exe),
        },
        "servers": server_info,
        "results": [asdict(r) for r in results],
        "comparisons": comparisons,
        "startup": startup,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"[bench] results written to {args.output}")
    if interrupted:
        return 130
    missed = [c for c in comparisons if c["target_met"] is False]
    if args.fail_on_target and (any(r.target_met is False for r in results) or missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
