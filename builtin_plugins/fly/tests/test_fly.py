"""``datasette publish fly``: Dockerfile, fly.toml and the flyctl commands."""
from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from datasette.cli import cli

from .conftest import helpers

tomllib = pytest.importorskip("tomllib")
WHEEL = f"wheels/datasette-{importlib.metadata.version('datasette')}-py3-none-any.whl"


def fly(*args: str):
    return CliRunner().invoke(cli, ["publish", "fly", *args])


def test_generate_dir_writes_dockerfile_and_fly_toml(db_path, tmp_path):
    out = tmp_path / "build"
    result = fly(db_path, "-a", "dogs-app", "--region", "lhr", "--memory", "1GB", "--cpus", "2",
                 "--generate-dir", str(out), "--plugin-secret", "datasette-x", "token", "tok", "--title", "T")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "Dockerfile", "dogs.db", "fly.toml", "metadata.json", WHEEL]
    assert tomllib.loads((out / "fly.toml").read_text()) == {
        "app": "dogs-app", "primary_region": "lhr", "build": {"dockerfile": "Dockerfile"},
        "http_service": {"internal_port": 8080, "force_https": True, "auto_stop_machines": "stop",
                         "auto_start_machines": True, "min_machines_running": 0},
        "vm": [{"memory": "1gb", "cpu_kind": "shared", "cpus": 2}]}
    lines = (out / "Dockerfile").read_text().splitlines()
    assert "ENV PORT=8080" in lines and "EXPOSE 8080" in lines
    assert lines[-1] == ("CMD exec datasette serve --host 0.0.0.0 -i dogs.db --cors --inspect-file "
                         "inspect-data.json --metadata metadata.json --port $PORT")
    assert json.loads((out / "metadata.json").read_text())["plugins"] == {
        "datasette-x": {"token": {"$env": "DATASETTE_X_TOKEN"}}}
    assert "tok\n" not in (out / "Dockerfile").read_text() and "tok" not in (out / "fly.toml").read_text()
    assert "flyctl secrets set --app dogs-app --stage DATASETTE_X_TOKEN=*** DATASETTE_SECRET=***" in result.output


def test_deploys_with_flyctl(db_path, fake_clis):
    fakes = fake_clis(["flyctl"], {"flyctl apps list": {"stdout": json.dumps([{"Name": "other"}])}})
    result = fly(db_path, "-a", "dogs-app", "--org", "personal", "--secret", "s3")
    assert result.exit_code == 0, result.output
    argvs = [c["argv"] for c in fakes.calls()]
    assert argvs == [
        ["flyctl", "apps", "list", "--json"],
        ["flyctl", "apps", "create", "dogs-app", "--org", "personal"],
        ["flyctl", "secrets", "set", "--app", "dogs-app", "--stage", "DATASETTE_SECRET=s3"],
        ["flyctl", "deploy", "--app", "dogs-app", "--config", "fly.toml", "--remote-only", "--ha=false"],
    ]
    deploy = fakes.calls()[-1]
    assert {"Dockerfile", "fly.toml", "dogs.db", WHEEL} <= set(deploy["files"])
    assert not Path(deploy["cwd"]).exists()


def test_existing_app_and_fly_alias(db_path, fake_clis):
    fakes = fake_clis(["fly"], {"fly apps list": {"stdout": json.dumps([{"Name": "dogs-app"}])}})
    assert fly(db_path, "-a", "dogs-app").exit_code == 0
    assert [c["argv"][:2] for c in fakes.calls()] == [["fly", "apps"], ["fly", "secrets"], ["fly", "deploy"]]


def test_missing_flyctl_is_one_line(db_path, fake_clis):
    fake_clis([])
    result = fly(db_path, "-a", "x")
    assert result.exit_code == 1
    assert helpers.error_lines(result) == [
        "Error: Publishing to Fly requires flyctl to be installed and configured: "
        "see https://fly.io/docs/flyctl/install/"]


def test_missing_database_is_one_line(tmp_path):
    result = fly(str(tmp_path / "gone.db"), "-a", "x", "--generate-dir", str(tmp_path / "o"))
    assert helpers.error_lines(result) == [f"Error: Database file not found: {tmp_path / 'gone.db'}"]


def test_bad_memory_and_missing_app(db_path):
    assert "--memory should be a number then mb/gb e.g. 512mb" in fly(db_path, "-a", "x", "--memory", "big").output
    assert "Missing option '-a' / '--app'" in fly(db_path).output


def test_large_database_warns_with_the_limit(db_path, tmp_path, monkeypatch):
    from datasette_builtins.fly import fly as module
    monkeypatch.setattr(module, "SIZE_LIMIT", 1024)
    result = fly(db_path, "-a", "x", "--generate-dir", str(tmp_path / "o"))
    assert result.exit_code == 0
    assert "over Fly's practical limit of 1.0 KB" in result.stderr
