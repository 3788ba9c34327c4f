"""Hook implementations of the heroku plugin."""
from __future__ import annotations

from datasette import hookimpl


@hookimpl
def publish_subcommand(publish):
    from .heroku import make_heroku_command  # only when `datasette publish` runs

    publish.add_command(make_heroku_command(), name="heroku")
