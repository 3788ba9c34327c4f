"""Hook implementations of the installer plugin."""
from __future__ import annotations

from datasette import hookimpl

from .commands import add_commands


@hookimpl
def register_commands(cli):
    add_commands(cli)
