"""``datasette publish heroku``: the buildpack files and the heroku commands."""
from __future__ import annotations

import importlib.metadata
import json
import os
import sys
from pathlib import Path

from click.testing import CliRunner

from datasette.cli import cli

from .conftest import helpers

WHEEL = f"wheels/datasette-{importlib.metadata.version('datasette')}-py3-none-any.whl"


def heroku(*args: str):
    return CliRunner().invoke(cli, ["publish", "heroku", *args])


def test_generate_dir_writes_buildpack_files(db_path, tmp_path):
    out = tmp_path / "build"
    static = tmp_path / "css"
    static.mkdir()
    (static / "x.css").write_text("p {}")
    result = heroku(db_path, "--generate-dir", str(out), "--install", "datasette-vega", "--static", f"css:{static}",
                    "--plugin-secret", "datasette-auth-github", "client_id", "cid", "--extra-options", "--crossdb")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".python-version", "Procfile", "bin/post_compile", "dogs.db", "metadata.json", "requirements.txt",
        "static/css/x.css", WHEEL]
    assert (out / "requirements.txt").read_text() == f"{WHEEL}\ndatasette-vega\n"
    assert (out / ".python-version").read_text() == f"{sys.version_info.major}.{sys.version_info.minor}\n"
    assert (out / "Procfile").read_text() == (
        "web: datasette serve --host 0.0.0.0 -i dogs.db --cors --inspect-file inspect-data.json "
        "--metadata metadata.json --static css:static/css --crossdb --port $PORT\n")
    post_compile = out / "bin" / "post_compile"
    assert post_compile.read_text() == "#!/usr/bin/env bash\ndatasette inspect dogs.db --inspect-file inspect-data.json\n"
    assert os.access(post_compile, os.X_OK)
    assert json.loads((out / "metadata.json").read_text()) == {
        "plugins": {"datasette-auth-github": {"client_id": {"$env": "DATASETTE_AUTH_GITHUB_CLIENT_ID"}}}}
    assert "cid" not in "".join(p.read_text(errors="ignore") for p in out.rglob("*") if p.is_file())
    assert "DATASETTE_AUTH_GITHUB_CLIENT_ID, DATASETTE_SECRET" in result.output


def test_deploys_with_heroku_cli(db_path, fake_clis):
    fakes = fake_clis(["heroku"], {
        "heroku plugins": {"stdout": "heroku-builds 0.0.28\n"},
        "heroku apps:list": {"stdout": json.dumps([{"name": "other"}])},
        "heroku apps:create": {"stdout": json.dumps({"name": "dogs-app"})},
    })
    result = heroku(db_path, "-n", "dogs-app", "--tar", "/usr/bin/gtar", "--secret", "s2",
                    "--plugin-secret", "p", "k", "v")
    assert result.exit_code == 0, result.output
    argvs = [c["argv"] for c in fakes.calls()]
    assert argvs == [
        ["heroku", "plugins"],
        ["heroku", "apps:list", "--json"],
        ["heroku", "apps:create", "dogs-app", "--json"],
        ["heroku", "config:set", "-a", "dogs-app", "P_K=v", "DATASETTE_SECRET=s2"],
        ["heroku", "builds:create", "-a", "dogs-app", "--include-vcs-ignore", "--tar=/usr/bin/gtar"],
    ]
    build = fakes.calls()[-1]
    assert {"Procfile", "requirements.txt", "bin/post_compile", "dogs.db", WHEEL} <= set(build["files"])
    assert not Path(build["cwd"]).exists()


def test_existing_app_and_missing_builds_plugin(db_path, fake_clis):
    fakes = fake_clis(["heroku"], {"heroku apps:list": {"stdout": json.dumps([{"name": "datasette"}])}})
    result = heroku(db_path)
    assert result.exit_code == 0, result.output
    argvs = [c["argv"][:2] for c in fakes.calls()]
    assert argvs == [["heroku", "plugins"], ["heroku", "plugins:install"], ["heroku", "apps:list"],
                     ["heroku", "config:set"], ["heroku", "builds:create"]]


def test_failing_heroku_command_is_one_line(db_path, fake_clis):
    fake_clis(["heroku"], {"heroku plugins": {"stdout": "heroku-builds", "exit": 0},
                           "heroku apps:list": {"stdout": "[]"}, "heroku apps:create": {"exit": 3}})
    result = heroku(db_path, "--secret", "do-not-print-me")
    assert result.exit_code == 1
    assert helpers.error_lines(result) == ["Error: heroku apps:create failed with exit code 3"]


def test_missing_heroku_cli_is_one_line(db_path, fake_clis):
    fake_clis([])
    result = heroku(db_path)
    assert result.exit_code == 1
    assert helpers.error_lines(result) == [
        "Error: Publishing to Heroku requires heroku to be installed and configured: see https://cli.heroku.com"]


def test_tar_with_generate_dir_conflicts(db_path, tmp_path):
    result = heroku(db_path, "--tar", "gtar", "--generate-dir", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert helpers.error_lines(result) == ["Error: --tar and --generate-dir cannot be used together"]
    assert not (tmp_path / "o").exists()


def test_missing_database_is_one_line(tmp_path):
    result = heroku(str(tmp_path / "gone.db"), "--generate-dir", str(tmp_path / "o"))
    assert helpers.error_lines(result) == [f"Error: Database file not found: {tmp_path / 'gone.db'}"]


def test_large_database_warns_with_the_limit(db_path, tmp_path, monkeypatch):
    from datasette_builtins.heroku import heroku as module
    monkeypatch.setattr(module, "SIZE_LIMIT", 2048)
    result = heroku(db_path, "--generate-dir", str(tmp_path / "o"))
    assert result.exit_code == 0
    assert "over Heroku's practical limit of 2.0 KB (slug size, https://devcenter.heroku.com/" in result.stderr
