"""Test helpers shared by the publish targets' tests: databases and fake provider CLIs.

The cloudrun, heroku and fly test suites load this file by path (their conftest.py).
"""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
import textwrap
from pathlib import Path

FAKE_CLI = """\
#!{python} -S
# A stand-in for a provider CLI: logs argv, cwd and the files there; prints canned output.
import json, os, sys
log, replies = os.environ["FAKE_CLI_LOG"], json.loads(os.environ.get("FAKE_CLI_REPLIES", "{{}}"))
name, args = os.path.basename(sys.argv[0]), sys.argv[1:]
files = sorted(os.path.relpath(os.path.join(d, f), os.getcwd()) for d, _, fs in os.walk(".") for f in fs)
with open(log, "a") as fp:
    fp.write(json.dumps({{"argv": [name] + args, "cwd": os.getcwd(), "files": files}}) + "\\n")
for prefix, reply in replies.items():
    words = prefix.split()
    if [name] + args[:len(words) - 1] == words:
        sys.stdout.write(reply.get("stdout", ""))
        sys.exit(reply.get("exit", 0))
"""


def make_database(path: Path, rows: int = 3) -> str:
    """A small real SQLite database: a table with rows, a view, a compound primary key."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        create table dogs (id integer primary key, name text, age integer);
        create table tags (dog_id integer, tag text, primary key (dog_id, tag));
        create view old_dogs as select * from dogs where age > 5;
    """)
    conn.executemany("insert into dogs (name, age) values (?, ?)", [(f"dog {i}", i) for i in range(rows)])
    conn.execute("insert into tags values (1, 'good')")
    conn.commit()
    conn.close()
    return str(path)


class FakeCLIs:
    """Fake provider binaries on PATH; ``calls()`` returns what they were asked to do."""

    def __init__(self, directory: Path, monkeypatch, names: list[str], replies: dict | None = None,
                 keep_path: bool = False) -> None:
        self.bin = directory / "bin"
        self.bin.mkdir()
        self.log = directory / "calls.jsonl"
        for name in names:
            script = self.bin / name
            script.write_text(FAKE_CLI.format(python=sys.executable))
            script.chmod(script.stat().st_mode | stat.S_IEXEC)
        path = str(self.bin) + (os.pathsep + os.environ.get("PATH", "") if keep_path else "")
        monkeypatch.setenv("PATH", path)
        monkeypatch.setenv("FAKE_CLI_LOG", str(self.log))
        monkeypatch.setenv("FAKE_CLI_REPLIES", json.dumps(replies or {}))

    def calls(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def error_lines(result) -> list[str]:
    """Non-empty lines of a CliRunner result's output (stdout and stderr)."""
    return [line for line in result.output.splitlines() if line.strip()]


def write_plugin_module(directory: Path, name: str, source: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(source))
    return path


def make_plugin_wheel(directory: Path, module: str, source: str, dist: str, version: str = "0.1") -> Path:
    """A real installable plugin wheel: one module, registered in the ``datasette`` entry-point group."""
    import base64
    import hashlib
    import zipfile

    distinfo = f"{dist.replace('-', '_')}-{version}.dist-info"
    files = {
        f"{module}.py": textwrap.dedent(source),
        f"{distinfo}/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n",
        f"{distinfo}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{distinfo}/entry_points.txt": f"[datasette]\n{dist} = {module}\n",
    }
    record = "".join(
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()},"
        f"{len(text.encode())}\n" for name, text in files.items())
    files[f"{distinfo}/RECORD"] = record + f"{distinfo}/RECORD,,\n"
    path = directory / f"{dist.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    return path
