"""Magic parameters (``:_actor_id``, ``:_now_epoch``, ...) for writable canned queries."""
from __future__ import annotations

from typing import Any

from datasette.utils import await_me_maybe, named_parameters
from datasette.utils.asgi import Request


class MagicUnavailable(Exception):
    """A magic parameter had no value to give (``:_actor_id`` with no actor, say)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"You did not supply a value for binding parameter :{name}.")


async def resolve_magic(datasette: Any, request: Request, sql: str, params: dict[str, Any]) -> None:
    """Set every ``:_<prefix>_<key>`` parameter of ``sql`` in ``params``, over anything submitted.

    Functions come from ``register_magic_parameters`` (the newest plugin wins a prefix); a
    prefix nobody registered binds NULL; a function raising KeyError/ValueError/TypeError
    raises `MagicUnavailable`.
    """
    names = [name for name in named_parameters(sql) if name.startswith("_") and "_" in name[1:]]
    if not names:
        return
    functions: dict[str, Any] = {}
    for result in await datasette.hook.gather("register_magic_parameters", datasette=datasette):
        for prefix, fn in result or []:
            functions.setdefault(prefix, fn)
    for name in names:
        prefix, key = name[1:].split("_", 1)
        fn = functions.get(prefix)
        if fn is None:
            params[name] = None
            continue
        try:
            params[name] = await await_me_maybe(fn(key, request))
        except (KeyError, ValueError, TypeError):
            raise MagicUnavailable(name) from None
