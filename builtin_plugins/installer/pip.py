"""Run pip in the environment Datasette runs from, with this project's datasette pinned.

Plugins declare ``datasette>=X``. Left alone, pip would satisfy a requirement this
distribution doesn't meet by downloading the upstream ``datasette`` over it. So every
install gets a constraints file holding ``datasette==<our exact version>`` and
``--upgrade-strategy only-if-needed``: pip keeps the installed distribution, and a
plugin that needs another datasette fails in the resolver, whose report we turn into
one message. Because the pin names a pre-release (``1.0a19+kernel.1``), pip also
accepts it for specifiers without one (``datasette>=0.54``), with no ``--pre``
that would let pre-releases of every other dependency in too.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import threading
from typing import Iterable, Sequence

import click

from datasette.version import __version__

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_DEPENDS = re.compile(r"^\s*(?P<who>\S+) (?P<version>\S+) depends on datasette(?:\[[^\]]*\])?"
                      r"(?P<spec>[^;\n]*)", re.M)
_REQUESTED = re.compile(r"^\s*The user requested datasette(?:\[[^\]]*\])?(?P<spec>[^;\n]*)$", re.M)


class PipUnavailable(Exception):
    """pip can't be run in this environment."""


class PipFailed(Exception):
    """pip exited with an error it has already reported; ``code`` is its exit status."""

    def __init__(self, code: int) -> None:
        super().__init__(f"pip exited with status {code}")
        self.code = code


class DatasetteConflict(click.ClickException):
    """A package needs a datasette version other than this one."""


def datasette_version() -> str:
    """The installed ``datasette`` distribution's exact version, local label included."""
    try:
        return importlib.metadata.version("datasette")
    except importlib.metadata.PackageNotFoundError:
        return __version__


def is_datasette_itself(requirement: str) -> bool:
    """Does this requirement string name the ``datasette`` distribution?"""
    match = _NAME.match(requirement)
    return bool(match) and re.sub(r"[-_.]+", "-", match.group(1)).lower() == "datasette"


def pip_command(*args: str) -> list[str]:
    """``python -m pip ARGS`` for the interpreter running Datasette."""
    if importlib.util.find_spec("pip") is None:
        raise PipUnavailable(f"pip is not installed in the environment Datasette runs from "
                             f"({sys.executable}); add it with: {sys.executable} -m ensurepip")
    return [sys.executable, "-m", "pip", *args]


def install_arguments(packages: Sequence[str], *, upgrade: bool, requirement: str | None,
                      editable: str | None, constraints: str) -> list[str]:
    """The ``pip install`` arguments for one ``datasette install`` call."""
    args = ["install", "--constraint", constraints, "--upgrade-strategy", "only-if-needed"]
    if upgrade:
        args.append("--upgrade")
    if requirement:
        args += ["--requirement", requirement]
    if editable:
        args += ["--editable", editable]
    return args + list(packages)


def install_packages(packages: Sequence[str], *, upgrade: bool = False, requirement: str | None = None,
                     editable: str | None = None) -> None:
    """Run ``pip install`` with datasette pinned; raise on failure.

    pip's progress is echoed as it comes. Its resolver report (which pip splits
    between stdout and stderr) is held back, so that a conflict over datasette is
    reported as one message; any other failure shows pip's own words.
    """
    version = datasette_version()
    handle, constraints = tempfile.mkstemp(prefix="datasette-constraints-", suffix=".txt")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(f"datasette=={version}\n")
        command = pip_command(*install_arguments(packages, upgrade=upgrade, requirement=requirement,
                                                 editable=editable, constraints=constraints))
        code, held_back, errors = _run_holding_back_report(command)
    finally:
        os.unlink(constraints)
    if code == 0:
        _echo(held_back + errors, err=True)
        return
    message = explain_conflict(held_back + errors, version)
    if message:
        raise DatasetteConflict(message)
    _echo(held_back)
    _echo(errors, err=True)
    raise PipFailed(code)


def _run_holding_back_report(command: list[str]) -> tuple[int, str, str]:
    """Run pip: echo stdout up to a resolver report; return (exit code, held-back stdout, stderr)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               bufsize=1)
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
    reader.start()
    held_back: list[str] = []
    blank = ""  # a blank line is echoed only if what follows it is
    for line in process.stdout:
        if held_back or line.strip() == "The conflict is caused by:":
            held_back.append(line)
        elif not line.strip():
            blank += line
        else:
            click.echo(blank + line, nl=False)
            blank = ""
    code = process.wait()
    reader.join()
    return code, "".join(held_back), "".join(errors)


def uninstall_packages(packages: Iterable[str], *, yes: bool = False) -> None:
    """Run ``pip uninstall`` (it asks for confirmation itself unless ``yes``)."""
    code = subprocess.call(pip_command("uninstall", *packages, *(["--yes"] if yes else [])))
    if code:
        raise PipFailed(code)


def explain_conflict(pip_errors: str, version: str) -> str | None:
    """One sentence for a resolver failure caused by the datasette pin, else None."""
    if "ResolutionImpossible" not in pip_errors and "conflicting dependencies" not in pip_errors:
        return None
    needs = [f"{m['who']} {m['version']} requires datasette{m['spec'].strip()}"
             for m in _DEPENDS.finditer(pip_errors)
             if m["spec"].strip() and not _accepts(m["spec"], version)]
    needs += [f"you asked for datasette{m['spec'].strip()}" for m in _REQUESTED.finditer(pip_errors)
              if m["spec"].strip() and not _accepts(m["spec"], version)]
    if not needs:
        return None
    return (f"Cannot install: {'; '.join(dict.fromkeys(needs))}. This environment's datasette is "
            f"{version} (a reimplementation of the Datasette 1.0a19 plugin API), and datasette "
            f"install never replaces it with another datasette.")


def _accepts(spec: str, version: str) -> bool:
    """Does ``spec`` (e.g. ``>=0.54,<2``) accept ``version``? Unknown forms count as no."""
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
    except ImportError:  # pip always vendors it
        from pip._vendor.packaging.specifiers import InvalidSpecifier, SpecifierSet
    try:
        return SpecifierSet(spec.strip()).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False


def _echo(text: str, err: bool = False) -> None:
    if text:
        click.echo(text, err=err, nl=not text.endswith("\n"))
