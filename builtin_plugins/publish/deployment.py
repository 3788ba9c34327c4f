"""The build directory every target deploys: databases, metadata, assets, wheels, commands.

``prepare_deployment`` fills a directory and returns a ``Deployment`` saying how to
install, inspect and serve it; each target then adds its own files (a Dockerfile,
buildpack files, fly.toml) built from those commands.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import click

from datasette.utils import format_bytes
from datasette.utils.sqlite import sqlite3

from .options import PublishOptions
from .wheel import build_project_wheel

INSPECT_FILE = "inspect-data.json"
METADATA_FILE = "metadata.json"
WHEELS = "wheels"
_IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", "*.egg-info", ".venv", "build")


@dataclass
class Deployment:
    """A filled build directory and the commands that install, inspect and serve it."""

    directory: Path
    databases: list[str]
    packages: list[str]
    serve_options: list[str] = field(default_factory=list)
    extra_options: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    spatialite: bool = False
    database_bytes: int = 0

    def install_command(self) -> str:
        """``pip install`` of this Datasette's wheel and the ``--install`` packages."""
        return " ".join(["pip", "install"] + [shlex.quote(p) for p in self.packages])

    def inspect_command(self) -> str:
        """Run at build time: table counts and hashes, so serving never counts rows."""
        args = ["datasette", "inspect", *self.databases, "--inspect-file", INSPECT_FILE]
        if self.spatialite:
            args.append("--load-extension=spatialite")
        return " ".join(shlex.quote(a) for a in args)

    def serve_command(self, port: str = "$PORT", extra: list[str] | tuple[str, ...] = ()) -> str:
        """``datasette serve`` of the baked databases, immutable, with the inspect file."""
        args = ["datasette", "serve", "--host", "0.0.0.0"]
        for database in self.databases:
            args += ["-i", database]
        args += ["--cors", "--inspect-file", INSPECT_FILE, *self.serve_options, *extra]
        command = " ".join(shlex.quote(a) for a in args)
        if self.extra_options:
            command += f" {self.extra_options}"
        return f"{command} --port {port}"


@contextlib.contextmanager
def build_directory(generate_dir: str | None) -> Iterator[Path]:
    """``--generate-dir`` (created; must be empty) or a temporary directory removed afterwards."""
    if generate_dir is None:
        with tempfile.TemporaryDirectory(prefix="datasette-publish-") as tmp:
            yield Path(tmp)
        return
    path = Path(generate_dir).resolve()
    if path.exists() and any(path.iterdir()):
        raise click.ClickException(f"--generate-dir {generate_dir} is not empty: give a new or empty directory")
    path.mkdir(parents=True, exist_ok=True)
    yield path


def check_databases(files: tuple[str, ...] | list[str]) -> list[Path]:
    """Each file exists, is a SQLite database, and no two share a name (the URL path)."""
    if not files:
        raise click.ClickException("Give at least one database file to publish")
    paths, names = [], {}
    for file in files:
        path = Path(file)
        if not path.is_file():
            raise click.ClickException(f"Database file not found: {file}")
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
                conn.execute("select count(*) from sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"{file} is not a SQLite database ({error})") from None
        if path.name in names and names[path.name] != path.resolve():
            raise click.ClickException(f"Two databases are named {path.name} ({names[path.name]} and "
                                       f"{path.resolve()}): rename one, the name is its URL")
        names[path.name] = path.resolve()
        paths.append(path)
    return list(dict.fromkeys(paths))


def _place(source: Path, target: Path, link: bool) -> None:
    if link:
        with contextlib.suppress(OSError):
            os.link(source, target)  # big databases: no copy when the temp dir is on the same disk
            return
    shutil.copy2(source, target)


def _check_static(static: tuple[tuple[str, str], ...]) -> None:
    seen: set[str] = set()
    for mount, _ in static:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*", mount) or ".." in mount.split("/"):
            raise click.ClickException(f"--static mount {mount!r}: use letters, digits, '_', '-', '.' and '/'")
        if mount in seen:
            raise click.ClickException(f"--static mount {mount!r} is given twice")
        seen.add(mount)


def _is_local(value: str) -> bool:
    if "://" in value or value.startswith(("git+", "-")):
        return False
    return os.sep in value or value.startswith(".") or value.endswith((".whl", ".tar.gz", ".zip"))


def _local_packages(install: tuple[str, ...], wheels: Path) -> list[str]:
    """``--install`` values: local files/directories are copied into the build, the rest pass to pip."""
    packages = []
    for value in install:
        if not _is_local(value):
            packages.append(value)
            continue
        source = Path(value)
        if not source.exists():
            raise click.ClickException(f"--install {value}: no such file or directory")
        target = wheels / source.resolve().name
        if target.exists():
            raise click.ClickException(f"--install {value}: another package is already named {target.name}")
        if source.is_dir():
            shutil.copytree(source, target, ignore=_IGNORED)
            packages.append(f"./{WHEELS}/{target.name}")
        else:
            shutil.copy2(source, target)
            packages.append(f"{WHEELS}/{target.name}")
    return packages


def prepare_deployment(options: PublishOptions, directory: str | Path, *, spatialite: bool = False,
                       link: bool = True) -> Deployment:
    """Fill ``directory`` with everything a deployment needs; return how to run it.

    Databases are hard-linked when ``link`` (temporary build directories), else copied.
    Secrets are returned in ``Deployment.environment`` and written nowhere.
    """
    paths = check_databases(options.files)
    _check_static(options.static)
    directory = Path(directory)
    wheels = directory / WHEELS
    wheels.mkdir(parents=True, exist_ok=True)
    local_packages = _local_packages(options.install, wheels)
    wheel = build_project_wheel(wheels, options.branch)
    packages = [f"{WHEELS}/{wheel.name}"] + local_packages
    for path in paths:
        _place(path, directory / path.name, link)
    serve_options: list[str] = []
    metadata = options.published_metadata()
    if metadata:
        (directory / METADATA_FILE).write_text(json.dumps(metadata, indent=2))
        serve_options += ["--metadata", METADATA_FILE]
    if options.template_dir:
        shutil.copytree(options.template_dir, directory / "templates", ignore=_IGNORED)
        serve_options += ["--template-dir", "templates"]
    if options.plugins_dir:
        shutil.copytree(options.plugins_dir, directory / "plugins", ignore=_IGNORED)
        serve_options += ["--plugins-dir", "plugins"]
    for mount, source in options.static:
        shutil.copytree(source, directory / "static" / mount, ignore=_IGNORED)
        serve_options += ["--static", f"{mount}:static/{mount}"]
    if options.version_note:
        serve_options += ["--version-note", options.version_note]
    if spatialite:
        serve_options.append("--load-extension=spatialite")
    return Deployment(directory=directory, databases=[p.name for p in paths], packages=packages,
                      serve_options=serve_options, extra_options=options.extra_options,
                      environment=options.environment(), spatialite=spatialite,
                      database_bytes=sum(p.stat().st_size for p in paths))


def warn_if_too_large(deployment: Deployment, limit_bytes: int, host: str, reference: str) -> bool:
    """Warn (on stderr) when the databases exceed a host's practical limit; True if they do."""
    if deployment.database_bytes <= limit_bytes:
        return False
    click.secho(f"Warning: the databases total {format_bytes(deployment.database_bytes)}, over "
                f"{host}'s practical limit of {format_bytes(limit_bytes)} ({reference})", err=True, fg="yellow")
    return True
