"""The public API for publish targets, importable as ``datasette.publish.common``.

Upstream names: ``add_common_publish_arguments_and_options``,
``fail_if_publish_binary_not_installed``, ``validate_plugin_secret`` and
``temporary_docker_directory`` (also ``datasette.utils.temporary_docker_directory``).
The rest builds a deployment the way the built-in targets do: parse the shared
options (``PublishOptions``), fill a build directory (``build_directory``,
``prepare_deployment``), add a Dockerfile (``write_dockerfile``), warn about size
(``warn_if_too_large``) and run the provider's CLI (``run``, ``run_output``).
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Sequence

import click

from .deployment import (  # noqa: F401
    INSPECT_FILE,
    METADATA_FILE,
    WHEELS,
    Deployment,
    build_directory,
    check_databases,
    prepare_deployment,
    warn_if_too_large,
)
from .dockerfile import (  # noqa: F401
    dockerfile_for,
    python_image,
    show_files,
    temporary_docker_directory,
    write_dockerfile,
)
from .options import (  # noqa: F401
    PublishOptions,
    add_common_publish_arguments_and_options,
    check_conflicts,
    fail_if_publish_binary_not_installed,
    generate_dir_option,
    make_command,
    plugin_secret_variable,
    validate_plugin_secret,
)
from .wheel import build_project_wheel  # noqa: F401

__all__ = [
    "INSPECT_FILE", "METADATA_FILE", "WHEELS", "Deployment", "PublishOptions",
    "add_common_publish_arguments_and_options", "build_directory", "build_project_wheel",
    "check_conflicts", "check_databases", "dockerfile_for", "fail_if_publish_binary_not_installed",
    "generate_dir_option", "make_command", "plugin_secret_variable", "prepare_deployment", "python_image", "run",
    "run_output", "show_files", "temporary_docker_directory", "validate_plugin_secret",
    "warn_if_too_large", "write_dockerfile",
]


def run(args: Sequence[str], cwd: str | Path | None = None) -> None:
    """Run a provider command, its output going to the terminal; one line if it fails.

    The error names only the command and subcommand, never the arguments (which may
    carry secrets).
    """
    result = subprocess.run(list(args), cwd=cwd)
    if result.returncode:
        raise click.ClickException(f"{' '.join(args[:2])} failed with exit code {result.returncode}")


def run_output(args: Sequence[str], cwd: str | Path | None = None) -> str:
    """Run a provider command and return its standard output, stripped; one line if it fails."""
    result = subprocess.run(list(args), cwd=cwd, stdout=subprocess.PIPE, text=True)
    if result.returncode:
        raise click.ClickException(f"{' '.join(args[:2])} failed with exit code {result.returncode}")
    return result.stdout.strip()
