"""Hook implementations of the sql_functions plugin."""
from __future__ import annotations

from datasette import hookimpl

from .functions import register_functions


@hookimpl
def prepare_connection(conn):
    register_functions(conn)
