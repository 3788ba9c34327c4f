"""``datasette create-token ID --secret ...``: print a signed API token."""
from __future__ import annotations

import asyncio
import json

import click

from .signed import create_token, decode_token

EXAMPLES = """Create a signed API token for the specified actor ID

Example:

    datasette create-token root --secret mysecret

To allow only "view-database-download" for all databases:

\b
    datasette create-token root --secret mysecret \\
        --all view-database-download

To allow "create-table" against a specific database:

\b
    datasette create-token root --secret mysecret \\
        --database mydb create-table

To allow "insert-row" against a specific table:

\b
    datasette create-token root --secret myscret \\
        --resource mydb mytable insert-row

Restricted actions can be specified multiple times using multiple --all,
--database, and --resource options.

Add --debug to see a decoded version of the token.
"""


@click.command(name="create-token", help=EXAMPLES)
@click.argument("id")
@click.option("--secret", help="Secret used for signing the API tokens", envvar="DATASETTE_SECRET",
              required=True)
@click.option("-e", "--expires-after", type=int, help="Token should expire after this many seconds")
@click.option("alls", "-a", "--all", type=str, metavar="ACTION", multiple=True,
              help="Restrict token to this action")
@click.option("databases", "-d", "--database", type=(str, str), metavar="DB ACTION", multiple=True,
              help="Restrict token to this action on this database")
@click.option("resources", "-r", "--resource", type=(str, str, str), metavar="DB RESOURCE ACTION",
              multiple=True,
              help="Restrict token to this action on this database resource (a table, SQL view or named query)")
@click.option("--debug", is_flag=True, help="Show decoded token")
@click.option("--plugins-dir", type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="Path to directory containing custom plugins")
def create_token_command(id: str, secret: str, expires_after: int | None, alls: tuple, databases: tuple,
                         resources: tuple, debug: bool, plugins_dir: str | None) -> None:
    """Print a signed API token (see the help text above)."""
    from datasette.app import Datasette

    ds = Datasette(secret=secret, plugins_dir=plugins_dir)
    try:
        asyncio.run(ds.invoke_startup())
        actions = list(alls) + [a for _, a in databases] + [a for _, _, a in resources]
        for action in actions:
            try:
                ds.get_permission(action)
            except KeyError:
                click.secho(f"  Unknown permission: {action} ", fg="red", err=True)
        restrict_database: dict = {}
        for database, action in databases:
            restrict_database.setdefault(database, []).append(action)
        restrict_resource: dict = {}
        for database, resource, action in resources:
            restrict_resource.setdefault(database, {}).setdefault(resource, []).append(action)
        token = create_token(ds, id, expires_after=expires_after, restrict_all=list(alls),
                             restrict_database=restrict_database, restrict_resource=restrict_resource)
        click.echo(token)
        if debug:
            click.echo("\nDecoded:\n")
            click.echo(json.dumps(decode_token(ds, token), indent=2))
    finally:
        ds.close()

