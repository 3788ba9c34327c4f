"""A real ``datasette serve`` in a subprocess, on a free port of 127.0.0.1."""
from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx

_LISTENING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


class Server:
    """``with Server(python, args, env) as server: server.get("/-/plugins.json")``.

    Started with ``-p 0``; the port is read from uvicorn's log. Output is kept in
    ``server.log`` for failure messages. The process is terminated on exit.
    """

    def __init__(self, python: Path, args: list[str], env: dict[str, str], cwd: Path | None = None,
                 timeout: float = 30) -> None:
        self.command = [str(python), "-m", "datasette", "serve", *args, "--host", "127.0.0.1", "-p", "0"]
        self.env, self.cwd, self.timeout = env, cwd, timeout
        self.lines: list[str] = []
        self.url = ""
        self._ready = threading.Event()

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.timeout
        while not self._ready.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"datasette did not start: {' '.join(self.command)}\n{self.log}")
        self.client = httpx.Client(base_url=self.url, timeout=30)
        return self

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            match = _LISTENING.search(line)
            if match:
                self.url = match.group(1)
                self._ready.set()

    def __exit__(self, *exc: Any) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(5)
        self.process.stdout.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, path, **kwargs)
