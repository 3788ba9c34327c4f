"""``datasette publish heroku``: buildpack files, then ``heroku builds:create``.

Heroku's Python buildpack installs ``requirements.txt`` (this Datasette's wheel,
shipped in ``wheels/``, and the ``--install`` packages), runs ``bin/post_compile``
(``datasette inspect``) and starts the ``web`` process of the ``Procfile``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from datasette.publish.common import (
    Deployment,
    PublishOptions,
    add_common_publish_arguments_and_options,
    build_directory,
    check_conflicts,
    fail_if_publish_binary_not_installed,
    generate_dir_option,
    make_command,
    prepare_deployment,
    run,
    run_output,
    warn_if_too_large,
)

# "The maximum allowed slug size (after compression) is 500 MB."
SIZE_LIMIT = 500 * 1024**2
SIZE_REFERENCE = "slug size, https://devcenter.heroku.com/articles/slug-compiler#slug-size"
INSTALL_LINK = "https://cli.heroku.com"


def write_buildpack_files(deployment: Deployment) -> list[Path]:
    """``requirements.txt``, ``.python-version``, ``Procfile`` and ``bin/post_compile``."""
    directory = deployment.directory
    files = {
        "requirements.txt": "".join(f"{package}\n" for package in deployment.packages),
        ".python-version": f"{sys.version_info.major}.{sys.version_info.minor}\n",
        "Procfile": f"web: {deployment.serve_command('$PORT')}\n",
        "bin/post_compile": f"#!/usr/bin/env bash\n{deployment.inspect_command()}\n",
    }
    written = []
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        written.append(path)
    (directory / "bin" / "post_compile").chmod(0o755)
    return written


def ensure_builds_plugin() -> None:
    """``heroku builds:create`` comes from the heroku-builds CLI plugin (installed if missing, as upstream)."""
    if "heroku-builds" not in run_output(["heroku", "plugins"]):
        click.echo("Installing the heroku-builds CLI plugin", err=True)
        run(["heroku", "plugins:install", "heroku-builds"])


def ensure_app(name: str) -> str:
    """The app to deploy to: ``name`` if the account has it, else a new app of that name."""
    apps = json.loads(run_output(["heroku", "apps:list", "--json"]) or "[]")
    if any(app.get("name") == name for app in apps):
        return name
    created = json.loads(run_output(["heroku", "apps:create", name, "--json"]))
    return created.get("name", name)


def _heroku(files: tuple[str, ...], name: str, tar: str | None, generate_dir: str | None, **common: Any) -> None:
    """Publish databases to Datasette running on Heroku"""
    options = PublishOptions.from_kwargs(files=files, **common)
    check_conflicts(tar=tar, generate_dir=generate_dir)
    if not generate_dir:
        fail_if_publish_binary_not_installed("heroku", "Heroku", INSTALL_LINK)
    with build_directory(generate_dir) as directory:
        deployment = prepare_deployment(options, directory, link=not generate_dir)
        warn_if_too_large(deployment, SIZE_LIMIT, "Heroku", SIZE_REFERENCE)
        write_buildpack_files(deployment)
        if generate_dir:
            names = ", ".join(deployment.environment) or "none"
            click.echo(f"Generated files written to {directory}, stopping without deploying "
                       f"(environment variables to set with heroku config:set: {names})", err=True)
            return
        ensure_builds_plugin()
        app = ensure_app(name)
        if deployment.environment:
            run(["heroku", "config:set", "-a", app] + [f"{k}={v}" for k, v in deployment.environment.items()])
        run(["heroku", "builds:create", "-a", app, "--include-vcs-ignore"] + ([f"--tar={tar}"] if tar else []),
            cwd=directory)


def make_heroku_command() -> click.Command:
    """A fresh ``heroku`` command, with the shared publish options."""

    decorators = [
        add_common_publish_arguments_and_options,
        click.option("-n", "--name", default="datasette", help="Application name to use when deploying"),
        click.option("--tar", help="--tar option to pass to Heroku, e.g. --tar=/usr/local/bin/gtar"),
        generate_dir_option,
    ]
    return make_command("heroku", _heroku, decorators)
