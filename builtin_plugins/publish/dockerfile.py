"""Dockerfiles for a ``Deployment``, and upstream's ``temporary_docker_directory`` API.

The image installs this Datasette's wheel and the ``--install`` packages (a layer
that stays cached while only the data changes), copies the build directory, runs
``datasette inspect`` at build time and serves the databases immutably.
"""
from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

import click

from .deployment import WHEELS, Deployment, prepare_deployment
from .options import PublishOptions

SPATIALITE_PACKAGE = "libsqlite3-mod-spatialite"


def python_image() -> str:
    """The base image: the slim Python image of the version publishing runs on."""
    return f"python:{sys.version_info.major}.{sys.version_info.minor}-slim"


def dockerfile_for(deployment: Deployment, *, port: int = 8001, apt_get_install: Iterable[str] = (),
                   environment: dict[str, str] | None = None, extra_serve: Iterable[str] = ()) -> str:
    """The Dockerfile text. ``environment`` is baked in as ``ENV`` lines: only for values that
    may live in the image (``datasette package --secret``); deploy-time secrets go elsewhere."""
    apt = list(apt_get_install) + ([SPATIALITE_PACKAGE] if deployment.spatialite else [])
    lines = [f"FROM {python_image()}",
             "ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1"]
    if apt:
        lines += ["RUN apt-get update && \\",
                  f"    apt-get install -y --no-install-recommends {' '.join(shlex.quote(p) for p in apt)} && \\",
                  "    rm -rf /var/lib/apt/lists/*"]
    lines += ["WORKDIR /app", f"COPY {WHEELS}/ /app/{WHEELS}/", f"RUN {deployment.install_command()}",
              "COPY . /app"]
    lines += [f"ENV {name}={json.dumps(value)}" for name, value in (environment or {}).items()]
    lines += [f"RUN {deployment.inspect_command()}", f"ENV PORT={port}", f"EXPOSE {port}",
              f"CMD exec {deployment.serve_command('$PORT', list(extra_serve))}"]
    return "\n".join(lines) + "\n"


def write_dockerfile(deployment: Deployment, **kwargs: Any) -> Path:
    """Write ``Dockerfile`` into the build directory (keywords as ``dockerfile_for``)."""
    path = deployment.directory / "Dockerfile"
    path.write_text(dockerfile_for(deployment, **kwargs))
    return path


def show_files(directory: Path, names: Iterable[str]) -> None:
    """Print generated files, upstream's ``--show-files`` format."""
    for name in names:
        path = Path(directory) / name
        if path.exists():
            click.echo(f"==== {name} ====\n\n{path.read_text()}\n")
    click.echo("====================\n")


def _upstream_options(files: Iterable[str], metadata: Any, extra_options: str | None, branch: str | None,
                      template_dir: str | None, plugins_dir: str | None, static: Any, install: Any,
                      version_note: str | None, extra_metadata: dict | None) -> PublishOptions:
    options = PublishOptions.from_kwargs(
        files=tuple(files), metadata=metadata, extra_options=extra_options, branch=branch,
        template_dir=template_dir, plugins_dir=plugins_dir, static=tuple(static or ()),
        install=tuple(install or ()), version_note=version_note)
    options.metadata.update({k: v for k, v in (extra_metadata or {}).items() if v is not None})
    return options


@contextlib.contextmanager
def temporary_docker_directory(files: Iterable[str], name: str, metadata: Any, extra_options: str | None,
                               branch: str | None, template_dir: str | None, plugins_dir: str | None,
                               static: Any, install: Any, spatialite: bool, version_note: str | None,
                               secret: str | None, extra_metadata: dict | None = None,
                               environment_variables: dict | None = None, port: int = 8001,
                               apt_get_extras: Iterable[str] | None = None) -> Iterator[str]:
    """Upstream's API for third-party publish plugins: a temporary build directory with a
    Dockerfile, made the working directory while the ``with`` block runs.

    As upstream, ``secret`` and ``environment_variables`` are baked into the image as
    ``ENV`` lines; the built-in targets pass secrets at deploy time instead.
    """
    options = _upstream_options(files, metadata, extra_options, branch, template_dir, plugins_dir,
                                static, install, version_note, extra_metadata)
    environment = dict(environment_variables or {})
    if secret:
        environment["DATASETTE_SECRET"] = secret
    saved = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / name
        directory.mkdir()
        deployment = prepare_deployment(options, directory, spatialite=spatialite)
        write_dockerfile(deployment, port=port, apt_get_install=apt_get_extras or (), environment=environment)
        os.chdir(directory)
        try:
            yield str(directory)
        finally:
            os.chdir(saved)
