"""Named SQL parameters: from the query string, and magic ones for canned queries."""
from __future__ import annotations

import inspect
from typing import Any

from datasette.utils import named_parameters
from datasette.utils.asgi import Request


class UnresolvedParameter(Exception):
    """A magic parameter had no value to give (for example ``:_actor_id`` with no actor)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"You did not supply a value for binding parameter :{name}.")
        self.name = name


def parameter_names(sql: str, canned_query: dict | None = None) -> list[str]:
    """The query's parameters: a canned query's ``params`` list if it has one, else those in the SQL."""
    declared = (canned_query or {}).get("params")
    if declared and isinstance(declared, (list, tuple)):
        return [str(name) for name in declared]
    return named_parameters(sql)


def request_params(request: Request, names: list[str]) -> dict[str, Any]:
    """Every query-string argument except ``sql`` (first value wins), and "" for missing named ones.

    Missing ``_``-prefixed names stay missing, so SQLite reports them as not supplied.
    """
    args = request.args
    params: dict[str, Any] = {key: args.get(key) for key in args.keys() if key != "sql"}
    for name in names:
        if not name.startswith("_"):
            params.setdefault(name, "")
    return params


def form_values(request: Request, names: list[str]) -> dict[str, str]:
    """Values for the parameter form fields: every name not starting with ``_``."""
    args = request.args
    return {name: args.get(name) or "" for name in names if not name.startswith("_")}


async def magic_functions(datasette: Any) -> dict[str, Any]:
    """``{prefix: fn(key, request)}`` from every ``register_magic_parameters`` implementation.

    The first plugin in hook order (the most recently registered) wins a prefix.
    """
    functions: dict[str, Any] = {}
    for result in await datasette.hook.gather("register_magic_parameters", datasette=datasette):
        for prefix, fn in result or []:
            functions.setdefault(prefix, fn)
    return functions


async def resolve_magic(datasette: Any, request: Request, sql: str, params: dict[str, Any]) -> None:
    """Fill in the ``:_prefix_key`` parameters of a canned query's SQL, overriding the query string.

    A prefix nobody registered binds NULL (as upstream); a function that raises
    ``KeyError``, ``ValueError`` or ``TypeError`` raises `UnresolvedParameter`.
    """
    magic = [name for name in named_parameters(sql) if name.startswith("_") and "_" in name[1:]]
    if not magic:
        return
    functions = await magic_functions(datasette)
    for name in magic:
        prefix, key = name[1:].split("_", 1)
        fn = functions.get(prefix)
        if fn is None:
            params[name] = None
            continue
        try:
            value = fn(key, request)
            if inspect.isawaitable(value):
                value = await value
        except (KeyError, ValueError, TypeError):
            raise UnresolvedParameter(name) from None
        params[name] = value
