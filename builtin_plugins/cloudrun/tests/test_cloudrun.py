"""``datasette publish cloudrun``: the files it deploys and the gcloud commands it runs."""
from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

from click.testing import CliRunner

from datasette.cli import cli

from .conftest import helpers

WHEEL = f"wheels/datasette-{importlib.metadata.version('datasette')}-py3-none-any.whl"


def cloudrun(*args: str):
    return CliRunner().invoke(cli, ["publish", "cloudrun", *args])


def test_generate_dir_writes_dockerfile_and_metadata(db_path, tmp_path):
    out = tmp_path / "build"
    result = cloudrun(db_path, "--generate-dir", str(out), "--spatialite", "--apt-get-install", "jq",
                      "--install", "datasette-cluster-map", "--title", "Dogs", "--secret", "topsecret",
                      "--plugin-secret", "datasette-auth-github", "client_secret", "gh-secret",
                      "--memory", "2Gi", "--service", "dogs")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "Dockerfile", "dogs.db", "metadata.json", WHEEL]
    assert json.loads((out / "metadata.json").read_text()) == {
        "title": "Dogs",
        "plugins": {"datasette-auth-github": {"client_secret": {"$env": "DATASETTE_AUTH_GITHUB_CLIENT_SECRET"}}}}
    lines = (out / "Dockerfile").read_text().splitlines()
    assert "    apt-get install -y --no-install-recommends jq libsqlite3-mod-spatialite && \\" in lines
    assert f"RUN pip install {WHEEL} datasette-cluster-map" in lines
    assert "RUN datasette inspect dogs.db --inspect-file inspect-data.json --load-extension=spatialite" in lines
    assert lines[-1] == ("CMD exec datasette serve --host 0.0.0.0 -i dogs.db --cors --inspect-file "
                         "inspect-data.json --metadata metadata.json --load-extension=spatialite "
                         "--setting force_https_urls on --port $PORT")
    # Secrets go to the deploy command's environment, never into a deployed file.
    everything = "".join(p.read_text(errors="ignore") for p in out.rglob("*") if p.is_file())
    assert "gh-secret" not in everything and "topsecret" not in everything
    assert ("gcloud run deploy --allow-unauthenticated --platform=managed --image gcr.io/PROJECT/datasette-dogs "
            "dogs --memory 2Gi --set-env-vars DATASETTE_AUTH_GITHUB_CLIENT_SECRET=***,DATASETTE_SECRET=***"
            ) in result.output


def test_show_files_prints_generated_files(db_path, tmp_path):
    result = cloudrun(db_path, "--generate-dir", str(tmp_path / "b"), "--show-files", "--title", "T")
    assert result.exit_code == 0, result.output
    assert '==== metadata.json ====\n\n{\n  "title": "T"\n}' in result.output
    assert "==== Dockerfile ====\n\nFROM python:3." in result.output


def test_deploys_with_gcloud(db_path, fake_clis):
    fakes = fake_clis(["gcloud"], {"gcloud config": {"stdout": "my-project\n"}})
    result = cloudrun(db_path, "--service", "dogs", "--timeout", "600", "--cpu", "2", "--min-instances", "1",
                      "--max-instances", "3", "--secret", "s1",
                      "--plugin-secret", "datasette-auth-github", "client_secret", "a,b")
    assert result.exit_code == 0, result.output
    config, build, deploy = fakes.calls()
    assert config["argv"] == ["gcloud", "config", "get-value", "project"]
    assert build["argv"] == ["gcloud", "builds", "submit", "--tag", "gcr.io/my-project/datasette-dogs",
                             "--timeout", "600"]
    assert {"Dockerfile", "dogs.db", "metadata.json", WHEEL} <= set(build["files"])
    assert deploy["argv"] == [
        "gcloud", "run", "deploy", "--allow-unauthenticated", "--platform=managed", "--image",
        "gcr.io/my-project/datasette-dogs", "dogs", "--cpu", "2", "--max-instances", "3", "--min-instances", "1",
        "--set-env-vars", "^@~@^DATASETTE_AUTH_GITHUB_CLIENT_SECRET=a,b@~@DATASETTE_SECRET=s1"]
    assert build["cwd"] == deploy["cwd"] and not Path(build["cwd"]).exists()


def test_without_service_uses_name(db_path, fake_clis):
    fakes = fake_clis(["gcloud"], {"gcloud config": {"stdout": "p\n"}})
    assert cloudrun(db_path, "-n", "pets").exit_code == 0
    assert fakes.calls()[1]["argv"][4] == "gcr.io/p/pets"
    assert fakes.calls()[2]["argv"][7] == "pets"


def test_missing_gcloud_is_one_line(db_path, fake_clis):
    fake_clis([])
    result = cloudrun(db_path)
    assert result.exit_code == 1
    assert helpers.error_lines(result) == [
        "Error: Publishing to Google Cloud requires gcloud to be installed and configured: "
        "see https://cloud.google.com/sdk/"]


def test_unset_project_is_one_line(db_path, fake_clis):
    fake_clis(["gcloud"], {"gcloud config": {"stdout": "(unset)\n"}})
    result = cloudrun(db_path)
    assert helpers.error_lines(result) == [
        "Error: No Google Cloud project is set: run gcloud config set project PROJECT_ID"]


def test_missing_database_is_one_line(tmp_path):
    result = cloudrun(str(tmp_path / "gone.db"), "--generate-dir", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert helpers.error_lines(result) == [f"Error: Database file not found: {tmp_path / 'gone.db'}"]


def test_min_above_max_instances_is_one_line(db_path, tmp_path):
    result = cloudrun(db_path, "--min-instances", "3", "--max-instances", "1", "--generate-dir", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert helpers.error_lines(result) == ["Error: --min-instances 3 cannot be greater than --max-instances 1"]


def test_bad_memory_uses_upstream_message(db_path):
    result = cloudrun(db_path, "--memory", "lots")
    assert result.exit_code == 2
    assert "--memory should be a number then Gi/G/Mi/M e.g 1Gi" in result.output


def test_large_database_warns_with_the_limit(db_path, tmp_path, monkeypatch):
    from datasette_builtins.cloudrun import cloudrun as module
    monkeypatch.setattr(module, "SIZE_LIMIT", 1024)
    result = cloudrun(db_path, "--generate-dir", str(tmp_path / "o"))
    assert result.exit_code == 0
    assert "Warning: the databases total" in result.stderr
    assert "over Cloud Run's practical limit of 1.0 KB" in result.stderr
