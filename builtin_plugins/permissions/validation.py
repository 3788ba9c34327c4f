"""Startup check of every ``allow``, ``allow_sql`` and ``permissions:`` block in the configuration.

A malformed block stops startup with an error that names where it is, e.g.
``databases.private.allow``, instead of silently granting or denying later.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from datasette.utils import StartupError

_SCALARS = (str, int, float, bool)


def _shown(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def allow_block_problem(block: Any) -> str | None:
    """Why ``block`` is not a valid allow block, or None if it is."""
    if block is None or isinstance(block, bool):
        return None
    if not isinstance(block, dict):
        return f'expected true, false or an object such as {{"id": "alice"}}, got {_shown(block)}'
    for key, value in block.items():
        if isinstance(value, list):
            if all(isinstance(item, _SCALARS) for item in value):
                continue
        elif isinstance(value, _SCALARS):
            continue
        return f'the value of "{key}" must be a string, number, true/false or a list of those, got {_shown(value)}'
    return None


def _permissions_blocks(container: dict, where: str) -> Iterator[tuple[Any, str]]:
    blocks = container.get("permissions")
    if blocks is None:
        return
    if not isinstance(blocks, dict):
        raise StartupError(f"Invalid permissions in {where}permissions: expected an object "
                           f"mapping action names to allow blocks, got {_shown(blocks)}")
    for action, block in blocks.items():
        yield block, f"{where}permissions.{action}"


def _blocks_in(container: Any, where: str, keys: tuple[str, ...]) -> Iterator[tuple[Any, str]]:
    if not isinstance(container, dict):
        return
    for key in keys:
        if key in container:
            yield container[key], f"{where}{key}"
    yield from _permissions_blocks(container, where)


def iter_allow_blocks(config: dict) -> Iterator[tuple[Any, str]]:
    """Every ``(block, dotted location)`` pair in a configuration."""
    yield from _blocks_in(config, "", ("allow", "allow_sql"))
    databases = config.get("databases")
    if not isinstance(databases, dict):
        return
    for db_name, db_config in databases.items():
        prefix = f"databases.{db_name}."
        yield from _blocks_in(db_config, prefix, ("allow", "allow_sql"))
        if not isinstance(db_config, dict):
            continue
        for kind in ("tables", "queries"):
            children = db_config.get(kind)
            if isinstance(children, dict):
                for name, child in children.items():
                    yield from _blocks_in(child, f"{prefix}{kind}.{name}.", ("allow",))


def validate_allow_blocks(config: Any) -> None:
    """Raise ``StartupError`` naming the first malformed allow block."""
    if not isinstance(config, dict):
        return
    for block, where in iter_allow_blocks(config):
        problem = allow_block_problem(block)
        if problem:
            raise StartupError(f"Invalid allow block in {where}: {problem}")
