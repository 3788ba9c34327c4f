"""The ``datasette publish`` group and the ``datasette package`` command."""
from __future__ import annotations

import shutil
import subprocess
from typing import Any

import click

from datasette.plugins import pm

from .deployment import build_directory, prepare_deployment
from .dockerfile import write_dockerfile
from .options import PublishOptions, make_command, publish_options

DOCKER_INSTALL_LINK = "https://docs.docker.com/get-docker/"
DOCKER_INFO_TIMEOUT = 30


class PublishGroup(click.Group):
    """``datasette publish``: its subcommands come from the ``publish_subcommand`` hook.

    The hook runs the first time click lists or looks up a subcommand, and again
    for plugins registered since (plugin test suites ``pm.register`` late).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugins_seen: list[Any] = []

    def _add_targets(self) -> None:
        plugins = pm.get_plugins()
        new = [p for p in plugins if all(p is not seen for seen in self._plugins_seen)]
        if not new or not hasattr(pm.hook, "publish_subcommand"):
            return
        self._plugins_seen.extend(new)
        old = [p for p in plugins if all(p is not n for n in new)]
        pm.subset_hook_caller("publish_subcommand", remove_plugins=old)(publish=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_targets()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        self._add_targets()
        return super().get_command(ctx, name)


def make_publish_group() -> click.Group:
    """A fresh ``publish`` group (one per ``register_commands`` call)."""

    @click.group(cls=PublishGroup)
    def publish() -> None:
        """Publish specified SQLite database files to the internet along with a Datasette-powered interface and API"""

    return publish


def fail_if_no_docker_engine() -> None:
    """One line if the docker CLI is missing or no engine answers ``docker info``."""
    if not shutil.which("docker"):
        raise click.ClickException(f"datasette package requires Docker: see {DOCKER_INSTALL_LINK} "
                                   f"(or use --generate-dir DIR to only write the build directory)")
    try:
        running = subprocess.run(["docker", "info"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 timeout=DOCKER_INFO_TIMEOUT).returncode == 0
    except subprocess.TimeoutExpired:  # an engine that does not answer is as good as none
        running = False
    if not running:
        raise click.ClickException("No Docker engine is running (docker info failed): start Docker, or use "
                                   "--generate-dir DIR to only write the build directory")


def _package_decorators() -> list[Any]:
    options = publish_options(plugin_secret=False, random_secret=False)
    # Upstream's order: -t, the build options, --spatialite, --version-note, --secret, -p, metadata text.
    build, note_and_secret, text = options[:7], options[7:9], options[9:]
    return ([click.argument("files", type=click.Path(), nargs=-1, required=True),
             click.option("-t", "--tag", help="Name for the resulting Docker container, can optionally "
                                               "use name:tag format")]
            + build + [click.option("--spatialite", is_flag=True, help="Enable SpatialLite extension")]
            + note_and_secret
            + [click.option("-p", "--port", default=8001, type=click.IntRange(1, 65535),
                            help="Port to run the server on, defaults to 8001")]
            + text + [click.option("--generate-dir", type=click.Path(file_okay=False, dir_okay=True),
                                   help="Write the build directory (Dockerfile and files) there and stop "
                                        "without building the image")])


def _package(files: tuple[str, ...], tag: str | None, spatialite: bool, port: int,
             generate_dir: str | None, **common: Any) -> None:
    """Package SQLite files into a Datasette Docker container"""
    options = PublishOptions.from_kwargs(files=files, **common)
    if not generate_dir:
        fail_if_no_docker_engine()
    with build_directory(generate_dir) as directory:
        deployment = prepare_deployment(options, directory, spatialite=spatialite, link=not generate_dir)
        # A local image has no deploy step to carry the secret: it is baked in, as upstream does.
        secret = {"DATASETTE_SECRET": options.secret} if options.secret else {}
        write_dockerfile(deployment, port=port, environment=secret)
        if generate_dir:
            click.echo(f"Build directory written to {directory}; build the image with: "
                       f"docker build{f' -t {tag}' if tag else ''} {directory}", err=True)
            return
        result = subprocess.run(["docker", "build"] + (["-t", tag] if tag else []) + ["."], cwd=directory)
        if result.returncode:
            raise click.ClickException(f"docker build failed with exit code {result.returncode}")


def make_package_command() -> click.Command:
    """``datasette package FILES... -t TAG`` (a fresh command object per call)."""

    return make_command("package", _package, _package_decorators())
