"""The generated deployment, run for real: install, inspect and serve from the build directory.

A fresh virtualenv gets the generated wheel of this Datasette and a locally built
plugin wheel (no index, no network), then the Dockerfile's own ``RUN`` and ``CMD``
lines run in the build directory, as ``docker build``/``docker run`` would run them.
Dependencies (pluggy, uvicorn...) are made visible to the venv only after the
install, through a plain path entry: that way pip installs our wheel instead of
seeing the editable install below as already satisfying it.
"""
from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from datasette.cli import cli

from .conftest import helpers

PLUGIN_SOURCE = """
from datasette import hookimpl
from datasette.utils.asgi import Response


async def greeting(datasette):
    config = datasette.plugin_config("datasette-publish-dummy") or {}
    metadata = await datasette.get_instance_metadata()
    names = [row[0] for row in await datasette.get_database("dogs").execute("select name from dogs")]
    return Response.json({"greeting": config.get("greeting"), "title": metadata.get("title"), "names": names})


@hookimpl
def register_routes():
    return [(r"^/-/dummy$", greeting)]
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dockerfile_step(lines: list[str], prefix: str) -> str:
    (line,) = [line for line in lines if line.startswith(prefix)]
    return line[len(prefix):]


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not start")


@pytest.mark.serial
def test_generated_deployment_serves_baked_database(tmp_path, db_path):
    plugin_wheel = helpers.make_plugin_wheel(tmp_path, "datasette_publish_dummy", PLUGIN_SOURCE,
                                             "datasette-publish-dummy")
    plugins_dir = tmp_path / "plugins"
    helpers.write_plugin_module(plugins_dir, "hello.py", """
        from datasette import hookimpl

        @hookimpl
        def extra_template_vars():
            return {"hello": "world"}
    """)
    build = tmp_path / "build"
    result = CliRunner().invoke(cli, [
        "publish", "cloudrun", db_path, "--generate-dir", str(build), "--install", str(plugin_wheel),
        "--plugins-dir", str(plugins_dir), "--title", "Published dogs",
        "--plugin-secret", "datasette-publish-dummy", "greeting", "hello from env"])
    assert result.exit_code == 0, result.output
    assert "hello from env" not in "".join(p.read_text(errors="ignore") for p in build.rglob("*") if p.is_file())
    lines = (build / "Dockerfile").read_text().splitlines()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip_args = shlex.split(_dockerfile_step(lines, "RUN pip install "))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-index",
                    "--no-deps", *pip_args], cwd=build, check=True)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "_dependencies_below.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    imported = subprocess.run([str(python), "-c", "import datasette, datasette_publish_dummy; print(datasette.__file__)"],
                              capture_output=True, text=True, check=True).stdout.strip()
    assert imported.startswith(purelib)  # this Datasette comes from the generated wheel

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATASETTE_")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", PORT=str(port),
               DATASETTE_PUBLISH_DUMMY_GREETING="hello from env", DATASETTE_SECRET="s" * 64)

    # Publishing from a regular (non-editable) install repacks the same wheel.
    subprocess.run(["datasette", "package", db_path, "--generate-dir", str(tmp_path / "again")],
                   env=env, check=True, capture_output=True)
    (wheel_name,) = [p for p in pip_args if p.startswith("wheels/datasette-")]
    with zipfile.ZipFile(build / wheel_name) as first, zipfile.ZipFile(tmp_path / "again" / wheel_name) as again:
        assert sorted(again.namelist()) == sorted(first.namelist())
        assert again.read("datasette/app.py") == first.read("datasette/app.py")
    inspect = "datasette inspect " + _dockerfile_step(lines, "RUN datasette inspect ")
    subprocess.run(["sh", "-c", inspect], cwd=build, env=env, check=True)
    inspected = json.loads((build / "inspect-data.json").read_text())
    assert inspected["dogs"]["tables"]["dogs"] == {"count": 3}
    # Prove serve reads the inspect file: it reports the hash from there, not a fresh one.
    inspected["dogs"]["hash"] = "ab" * 32
    (build / "inspect-data.json").write_text(json.dumps(inspected))

    command = _dockerfile_step(lines, "CMD ")
    process = subprocess.Popen(["sh", "-c", command], cwd=build, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/-/versions.json", process)
        databases = httpx.get(base + "/-/databases.json").json()
        assert [(d["name"], d["is_mutable"], d["hash"]) for d in databases] == [("dogs", False, "ab" * 32)]
        plugins = {p["name"]: p for p in httpx.get(base + "/-/plugins.json").json()}
        assert {"datasette_publish_dummy", "hello.py"} <= set(plugins)
        assert plugins["datasette_publish_dummy"]["version"] == "0.1"
        # The plugin secret arrives through the environment; --title through metadata.json.
        assert httpx.get(base + "/-/dummy").json() == {
            "greeting": "hello from env", "title": "Published dogs", "names": ["dog 0", "dog 1", "dog 2"]}
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
