"""Hook implementations of the magic_parameters plugin."""
from __future__ import annotations

from datasette import hookimpl

from .magic import DEFAULT_MAGIC_PARAMETERS


@hookimpl
def register_magic_parameters(datasette):
    return list(DEFAULT_MAGIC_PARAMETERS)
