"""The ``install`` and ``uninstall`` click commands."""
from __future__ import annotations

import click

from .pip import PipFailed, PipUnavailable, install_packages, is_datasette_itself, uninstall_packages


@click.command()
@click.argument("packages", nargs=-1)
@click.option("-U", "--upgrade", is_flag=True, help="Upgrade packages to latest version")
@click.option("-r", "--requirement", type=click.Path(exists=True), help="Install from requirements file")
@click.option("-e", "--editable", help="Install a project in editable mode from this path")
def install(packages: tuple[str, ...], upgrade: bool, requirement: str | None, editable: str | None) -> None:
    """Install plugins and packages from PyPI into the same environment as Datasette"""
    wanted = [p for p in packages if not is_datasette_itself(p)]
    for skipped in sorted(set(packages) - set(wanted)):
        click.echo(f"Skipping {skipped}: datasette is this project's own distribution; "
                   f"datasette install never replaces it", err=True)
    if not (packages or requirement or editable):
        raise click.UsageError("Please specify at least one package to install")
    if not (wanted or requirement or editable):
        return
    try:
        install_packages(wanted, upgrade=upgrade, requirement=requirement, editable=editable)
    except PipUnavailable as error:
        raise click.ClickException(str(error)) from None
    except PipFailed as error:  # pip has said why
        raise SystemExit(error.code) from None


@click.command()
@click.argument("packages", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Don't ask for confirmation")
def uninstall(packages: tuple[str, ...], yes: bool) -> None:
    """Uninstall plugins and Python packages from the Datasette environment"""
    if any(is_datasette_itself(p) for p in packages):
        raise click.ClickException("datasette uninstall does not remove datasette itself "
                                   "(use pip uninstall datasette for that)")
    try:
        uninstall_packages(packages, yes=yes)
    except PipUnavailable as error:
        raise click.ClickException(str(error)) from None
    except PipFailed as error:
        raise SystemExit(error.code) from None


def add_commands(cli: click.Group) -> None:
    """Add ``install`` and ``uninstall`` to the ``datasette`` group, unless a plugin already has.

    The built-ins are fallbacks: a plugin's command of the same name is kept,
    whatever order the hooks run in.
    """
    for command in (install, uninstall):
        if command.name not in cli.commands:
            cli.add_command(command)
