"""Hook implementations of the tokens plugin."""
from __future__ import annotations

from datasette import hookimpl

from .cli import create_token_command
from .create_token_view import create_token_page
from .signed import actor_from_authorization


@hookimpl
def actor_from_request(datasette, request):
    return actor_from_authorization(datasette, request)


@hookimpl
def register_routes(datasette):
    return [(r"/-/create-token$", create_token_page)]


@hookimpl
def register_commands(cli):
    cli.add_command(create_token_command, name="create-token")
