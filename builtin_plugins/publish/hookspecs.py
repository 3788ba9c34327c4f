"""Hooks offered by the ``publish`` plugin to other plugins."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datasette import hookspec

if TYPE_CHECKING:  # pragma: no cover - typing only
    import click


@hookspec
def publish_subcommand(publish: click.Group) -> None:
    """Add a deployment target to ``datasette publish``.

    When: the first time click lists or looks up the subcommands of
    ``datasette publish`` (and again for plugins registered after that).
    Decorate a function with ``@publish.command()``, or ``publish.add_command(cmd)``;
    ``datasette.publish.common.add_common_publish_arguments_and_options`` adds the
    shared FILES argument and options.
    Returns: nothing. Every implementation runs.
    """
