"""The ``publish`` group, the ``publish_subcommand`` hook and the public helpers."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from datasette import hookimpl
from datasette.cli import cli
from datasette.plugins import pm

from .conftest import helpers


def test_publish_help_lists_builtin_targets():
    result = CliRunner().invoke(cli, ["publish", "--help"])
    assert result.exit_code == 0, result.output
    commands = result.output.split("Commands:")[1].split()
    assert [c for c in commands if c in ("cloudrun", "fly", "heroku")] == ["cloudrun", "fly", "heroku"]
    assert "Publish specified SQLite database files to the internet" in result.output


@pytest.fixture
def third_party_target():
    """A plugin, registered late as plugin test suites do, adding ``datasette publish demo``."""
    received = {}

    class DemoPublisher:
        __name__ = "datasette_publish_demo"

        @hookimpl
        def publish_subcommand(self, publish):
            from datasette.publish.common import add_common_publish_arguments_and_options

            @publish.command()
            @add_common_publish_arguments_and_options
            @click.option("--region", default="moon")
            def demo(files, region, **common):
                """Publish databases to the demo cloud"""
                received.update(common, files=files, region=region)

    plugin = DemoPublisher()
    pm.register(plugin, name="datasette_publish_demo")
    yield received
    group = cli.get_command(click.Context(cli), "publish")
    group.commands.pop("demo", None)


def test_third_party_publish_subcommand_appears_in_help(third_party_target):
    result = CliRunner().invoke(cli, ["publish", "--help"])
    assert result.exit_code == 0, result.output
    assert "demo      Publish databases to the demo cloud" in result.output


def test_third_party_target_gets_the_common_options(third_party_target, db_path):
    result = CliRunner().invoke(cli, ["publish", "demo", db_path, "--region", "mars", "--title", "T",
                                      "--plugin-secret", "datasette-x", "key", "v", "--install", "datasette-y"])
    assert result.exit_code == 0, result.output
    assert third_party_target["files"] == (db_path,)
    assert third_party_target["region"] == "mars"
    assert third_party_target["title"] == "T"
    assert third_party_target["plugin_secret"] == (("datasette-x", "key", "v"),)
    assert third_party_target["install"] == ("datasette-y",)
    assert len(third_party_target["secret"]) == 64  # a random signing secret unless one is given


def test_plugin_secret_given_twice_differently_is_one_line(db_path, tmp_path):
    result = CliRunner().invoke(cli, ["publish", "heroku", db_path, "--generate-dir", str(tmp_path / "o"),
                                      "--plugin-secret", "p", "k", "one", "--plugin-secret", "p", "k", "two"])
    assert result.exit_code == 1
    assert helpers.error_lines(result) == ["Error: --plugin-secret p k is given twice with different values"]


def test_publish_common_is_lazy_kernel_module():
    import subprocess
    code = ("import sys, datasette.publish.common as c, datasette.utils as u;"
            "before = any(m.startswith('datasette_builtins') for m in sys.modules);"
            "f = c.add_common_publish_arguments_and_options;"
            "print(before, f.__module__, u.temporary_docker_directory.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "datasette_builtins.publish.options", "datasette_builtins.publish.dockerfile"]
    import datasette.publish.common as common
    with pytest.raises(AttributeError, match="no_such_name"):
        common.no_such_name


def test_fail_if_publish_binary_not_installed(fake_clis):
    from datasette.publish.common import fail_if_publish_binary_not_installed
    fake_clis(["present"])
    fail_if_publish_binary_not_installed("present", "Somewhere", "https://x")
    with pytest.raises(click.ClickException) as error:
        fail_if_publish_binary_not_installed("absent", "Somewhere", "https://x")
    assert error.value.message == "Publishing to Somewhere requires absent to be installed and configured: see https://x"


def test_temporary_docker_directory_upstream_api(db_path, tmp_path):
    from datasette.utils import temporary_docker_directory
    metadata = tmp_path / "m.json"
    metadata.write_text(json.dumps({"title": "From file"}))
    before = os.getcwd()
    with open(metadata) as fp, temporary_docker_directory(
            [db_path], "myapp", fp, "--setting x 1", None, None, None, [], ["datasette-z"], False, "note",
            "sek", extra_metadata={"license": "MIT", "source": None},
            environment_variables={"API_KEY": "k"}, port=8080) as directory:
        assert os.getcwd() == directory and Path(directory).name == "myapp"
        dockerfile = Path("Dockerfile").read_text()
        assert json.loads(Path("metadata.json").read_text()) == {"title": "From file", "license": "MIT"}
        assert Path("dogs.db").exists()
    assert os.getcwd() == before and not Path(directory).exists()
    assert 'ENV API_KEY="k"' in dockerfile and 'ENV DATASETTE_SECRET="sek"' in dockerfile
    assert "EXPOSE 8080" in dockerfile and "datasette-z" in dockerfile
    assert "--version-note note --setting x 1 --port $PORT" in dockerfile


def test_size_warning_names_the_limit(db_path, tmp_path):
    from datasette.publish.common import PublishOptions, prepare_deployment, warn_if_too_large
    deployment = prepare_deployment(PublishOptions(files=(db_path,)), tmp_path / "d")
    size = Path(db_path).stat().st_size
    runner_output = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(click, "secho", lambda message, **kw: runner_output.append((message, kw)))
        assert warn_if_too_large(deployment, size, "Host", "docs") is False
        assert warn_if_too_large(deployment, 1024, "Host", "https://host/limits") is True
    (message, options), = runner_output
    assert message == (f"Warning: the databases total {size / 1024:.1f} KB, over Host's practical limit "
                       f"of 1.0 KB (https://host/limits)")
    assert options["err"] is True


def test_publishing_nothing_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["publish", "heroku", "--generate-dir", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert helpers.error_lines(result) == ["Error: Give at least one database file to publish"]
