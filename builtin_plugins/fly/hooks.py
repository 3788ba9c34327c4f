"""Hook implementations of the fly plugin."""
from __future__ import annotations

from datasette import hookimpl


@hookimpl
def publish_subcommand(publish):
    from .fly import make_fly_command  # only when `datasette publish` runs

    publish.add_command(make_fly_command(), name="fly")
