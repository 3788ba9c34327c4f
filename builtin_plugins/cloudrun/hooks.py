"""Hook implementations of the cloudrun plugin."""
from __future__ import annotations

from datasette import hookimpl


@hookimpl
def publish_subcommand(publish):
    from .cloudrun import make_cloudrun_command  # only when `datasette publish` runs

    publish.add_command(make_cloudrun_command(), name="cloudrun")
