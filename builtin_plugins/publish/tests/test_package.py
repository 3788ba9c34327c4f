"""``datasette package``: the build directory it writes, and its one-line errors."""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sqlite3
from pathlib import Path

import yaml
from click.testing import CliRunner

from datasette.cli import cli

from .conftest import helpers

WHEEL = f"wheels/datasette-{importlib.metadata.version('datasette')}-py3-none-any.whl"


def package(*args: str):
    return CliRunner().invoke(cli, ["package", *args])


def dockerfile_lines(directory: Path) -> list[str]:
    return (directory / "Dockerfile").read_text().splitlines()


def test_generate_dir_writes_build_directory(db_path, tmp_path):
    out = tmp_path / "build"
    result = package(db_path, "-t", "me/dogs", "--generate-dir", str(out), "--title", "Dogs",
                     "--license", "CC0", "--license_url", "https://example.com/cc0", "-p", "8123",
                     "--version-note", "v1 note")
    assert result.exit_code == 0, result.output
    assert f"docker build -t me/dogs {out}" in result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "Dockerfile", "dogs.db", "metadata.json", WHEEL]
    # The database is copied byte for byte (not linked: the dry run must not share the inode).
    assert (out / "dogs.db").read_bytes() == Path(db_path).read_bytes()
    assert (out / "dogs.db").stat().st_ino != Path(db_path).stat().st_ino
    assert json.loads((out / "metadata.json").read_text()) == {
        "title": "Dogs", "license": "CC0", "license_url": "https://example.com/cc0"}
    lines = dockerfile_lines(out)
    assert lines[0].startswith("FROM python:3.") and lines[0].endswith("-slim")
    assert f"RUN pip install {WHEEL}" in lines
    assert lines.index("COPY wheels/ /app/wheels/") < lines.index("COPY . /app")
    assert "RUN datasette inspect dogs.db --inspect-file inspect-data.json" in lines
    assert lines.index("COPY . /app") < lines.index("RUN datasette inspect dogs.db --inspect-file inspect-data.json")
    assert "ENV PORT=8123" in lines and "EXPOSE 8123" in lines
    assert lines[-1] == ("CMD exec datasette serve --host 0.0.0.0 -i dogs.db --cors --inspect-file "
                         "inspect-data.json --metadata metadata.json --version-note 'v1 note' --port $PORT")
    assert not any(line.startswith("ENV DATASETTE_SECRET") for line in lines)
    assert not any("apt-get" in line for line in lines)


def test_secret_spatialite_extra_options_and_assets(db_path, tmp_path):
    templates, plugins, static = tmp_path / "tpl", tmp_path / "plugs", tmp_path / "assets"
    helpers.write_plugin_module(templates, "index.html", "hello")
    helpers.write_plugin_module(plugins, "hello.py", "x = 1\n")
    helpers.write_plugin_module(static, "site.css", "body {}")
    out = tmp_path / "build"
    result = package(db_path, "--generate-dir", str(out), "--secret", "sekrit", "--spatialite",
                     "--extra-options", "--setting sql_time_limit_ms 2500", "--template-dir", str(templates),
                     "--plugins-dir", str(plugins), "--static", f"assets:{static}", "--install", "datasette-x")
    assert result.exit_code == 0, result.output
    assert (out / "templates" / "index.html").read_text() == "hello"
    assert (out / "plugins" / "hello.py").read_text() == "x = 1\n"
    assert (out / "static" / "assets" / "site.css").read_text() == "body {}"
    lines = dockerfile_lines(out)
    assert 'ENV DATASETTE_SECRET="sekrit"' in lines  # a local image: baked, as upstream
    assert "    apt-get install -y --no-install-recommends libsqlite3-mod-spatialite && \\" in lines
    assert f"RUN pip install {WHEEL} datasette-x" in lines
    assert "RUN datasette inspect dogs.db --inspect-file inspect-data.json --load-extension=spatialite" in lines
    assert lines[-1] == ("CMD exec datasette serve --host 0.0.0.0 -i dogs.db --cors --inspect-file "
                         "inspect-data.json --template-dir templates --plugins-dir plugins --static "
                         "assets:static/assets --load-extension=spatialite --setting sql_time_limit_ms 2500 "
                         "--port $PORT")


def test_yaml_metadata_merged_with_text_options(db_path, tmp_path):
    metadata = tmp_path / "metadata.yml"
    metadata.write_text(yaml.safe_dump({"title": "Old", "databases": {"dogs": {"description": "D"}}}))
    out = tmp_path / "build"
    result = package(db_path, "--generate-dir", str(out), "-m", str(metadata), "--title", "New",
                     "--about", "About", "--about_url", "https://a", "--source", "S", "--source_url", "https://s")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "metadata.json").read_text()) == {
        "title": "New", "databases": {"dogs": {"description": "D"}}, "about": "About",
        "about_url": "https://a", "source": "S", "source_url": "https://s"}


def test_local_install_wheel_is_copied(db_path, tmp_path):
    wheel = tmp_path / "datasette_demo-0.1-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    out = tmp_path / "build"
    result = package(db_path, "--generate-dir", str(out), "--install", str(wheel), "--install", "datasette-y")
    assert result.exit_code == 0, result.output
    assert (out / "wheels" / wheel.name).read_bytes() == b"not really a wheel"
    assert (f"RUN pip install {WHEEL} wheels/{wheel.name} "
            f"datasette-y") in dockerfile_lines(out)


def test_no_docker_engine_is_one_line(db_path, fake_clis):
    fakes = fake_clis(["docker"], {"docker info": {"exit": 1}})
    result = package(db_path, "-t", "x")
    assert result.exit_code == 1
    assert helpers.error_lines(result) == [
        "Error: No Docker engine is running (docker info failed): start Docker, or use --generate-dir DIR "
        "to only write the build directory"]
    assert [c["argv"] for c in fakes.calls()] == [["docker", "info"]]


def test_no_docker_cli_is_one_line(db_path, fake_clis):
    fake_clis([])
    result = package(db_path)
    assert result.exit_code == 1
    assert helpers.error_lines(result) == [
        "Error: datasette package requires Docker: see https://docs.docker.com/get-docker/ "
        "(or use --generate-dir DIR to only write the build directory)"]


def test_docker_build_runs_in_build_directory(db_path, fake_clis):
    fakes = fake_clis(["docker"])
    result = package(db_path, "-t", "me/dogs:1")
    assert result.exit_code == 0, result.output
    info, build = fakes.calls()
    assert build["argv"] == ["docker", "build", "-t", "me/dogs:1", "."]
    assert {"Dockerfile", "dogs.db"} <= set(build["files"])
    assert not Path(build["cwd"]).exists()  # the temporary build directory is cleaned up


def test_missing_database_is_one_line(tmp_path):
    result = package(str(tmp_path / "nope.db"), "--generate-dir", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert helpers.error_lines(result) == [f"Error: Database file not found: {tmp_path / 'nope.db'}"]


def test_not_a_database_and_duplicate_names(db_path, tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"x" * 200)
    result = package(str(bogus), "--generate-dir", str(tmp_path / "out"))
    assert helpers.error_lines(result)[0].startswith(f"Error: {bogus} is not a SQLite database")
    other = tmp_path / "sub"
    other.mkdir()
    twin = helpers.make_database(other / "dogs.db")
    result = package(db_path, twin, "--generate-dir", str(tmp_path / "out2"))
    assert result.exit_code == 1
    lines = helpers.error_lines(result)
    assert len(lines) == 1 and lines[0].startswith("Error: Two databases are named dogs.db")


def test_generate_dir_must_be_empty(db_path, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = package(db_path, "--generate-dir", str(out))
    assert helpers.error_lines(result) == [f"Error: --generate-dir {out} is not empty: give a new or empty directory"]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_static_mount_given_twice_is_one_line(db_path, tmp_path):
    result = package(db_path, "--generate-dir", str(tmp_path / "o"), "--static", f"a:{tmp_path}",
                     "--static", f"a:{tmp_path}")
    assert helpers.error_lines(result) == ["Error: --static mount 'a' is given twice"]


def test_missing_local_install_is_one_line(db_path, tmp_path):
    result = package(db_path, "--generate-dir", str(tmp_path / "o"), "--install", "./missing.whl")
    assert helpers.error_lines(result) == ["Error: --install ./missing.whl: no such file or directory"]


def test_inspect_command_matches_kernel_inspect(db_path, tmp_path):
    # The Dockerfile's inspect line, run here, gives the hash and counts serve will use.
    out = tmp_path / "build"
    assert package(db_path, "--generate-dir", str(out)).exit_code == 0
    result = CliRunner().invoke(cli, ["inspect", str(out / "dogs.db"), "--inspect-file", str(tmp_path / "i.json")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "i.json").read_text())["dogs"]
    assert data["hash"] == hashlib.sha256(Path(db_path).read_bytes()).hexdigest()
    assert data["tables"]["dogs"] == {"count": 3}
    assert sqlite3.connect(out / "dogs.db").execute("select count(*) from dogs").fetchone() == (3,)


def test_local_install_directory_is_copied_without_vcs(db_path, tmp_path):
    project = tmp_path / "my-plugin"
    (project / ".git").mkdir(parents=True)
    (project / ".git" / "HEAD").write_text("ref")
    (project / "pyproject.toml").write_text("[project]\nname = 'my-plugin'\n")
    out = tmp_path / "build"
    result = package(db_path, "--generate-dir", str(out), "--install", str(project))
    assert result.exit_code == 0, result.output
    assert (out / "wheels" / "my-plugin" / "pyproject.toml").exists()
    assert not (out / "wheels" / "my-plugin" / ".git").exists()
    assert f"RUN pip install {WHEEL} ./wheels/my-plugin" in dockerfile_lines(out)
