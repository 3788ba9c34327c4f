"""Hook implementations of the publish plugin."""
from __future__ import annotations

from datasette import hookimpl


@hookimpl
def register_commands(cli):
    from .commands import make_package_command, make_publish_group  # only when the CLI runs

    cli.add_command(make_publish_group(), name="publish")
    cli.add_command(make_package_command(), name="package")
