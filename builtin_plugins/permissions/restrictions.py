"""Token restrictions: the ``_r`` key of an actor can only narrow what it may do.

``_r`` is ``{"a": [actions], "d": {db: [actions]}, "r": {db: {resource: [actions]}}}``
with actions given by name or abbreviation. An action is allowed if it is listed
for all databases, for the database of the resource, or for the resource itself.
``view-instance`` is implied by any listed action that implies viewing, and
``view-database`` by any such database-scoped action listed for that database.

Malformed pieces of ``_r`` count as empty, so they can only take access away.
"""
from __future__ import annotations

from typing import Any, Iterable

from .config_rules import split_resource


def _actions(value: Any) -> list[str]:
    return [a for a in value if isinstance(a, str)] if isinstance(value, list) else []


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _lookup(datasette: Any, name_or_abbr: str) -> Any:
    try:
        return datasette.get_permission(name_or_abbr)
    except KeyError:
        return None


def _implies_view(datasette: Any, actions: Iterable[str], needs_database: bool) -> bool:
    for name in actions:
        permission = _lookup(datasette, name)
        if permission is not None and permission.implies_can_view and (
                permission.takes_database or not needs_database):
            return True
    return False


def restrictions_allow_action(datasette: Any, restrictions: Any, action: str, resource: Any) -> bool:
    """Whether restrictions ``_r`` let ``action`` on ``resource`` through."""
    if not isinstance(restrictions, dict):
        return False
    all_actions = _actions(restrictions.get("a"))
    by_database = _mapping(restrictions.get("d"))
    by_resource = _mapping(restrictions.get("r"))
    database, child = split_resource(resource)
    if action == "view-instance":
        listed = list(all_actions)
        for actions in by_database.values():
            listed += _actions(actions)
        for resources in by_resource.values():
            for actions in _mapping(resources).values():
                listed += _actions(actions)
        if _implies_view(datasette, listed, needs_database=False):
            return True
    if action == "view-database" and database is not None:
        listed = all_actions + _actions(by_database.get(database))
        for actions in _mapping(by_resource.get(database)).values():
            listed += _actions(actions)
        if _implies_view(datasette, listed, needs_database=True):
            return True
    names = {action}
    permission = _lookup(datasette, action)
    if permission is not None:
        names.update(n for n in (permission.name, permission.abbr) if n)
    if names.intersection(all_actions):
        return True
    if database is not None and names.intersection(_actions(by_database.get(database))):
        return True
    if database is not None and child is not None:
        allowed = _actions(_mapping(by_resource.get(database)).get(child))
        if names.intersection(allowed):
            return True
    return False


def restrictions_opinion(datasette: Any, actor: Any, action: str, resource: Any) -> bool | None:
    """False when the actor's ``_r`` does not allow the action; otherwise no opinion."""
    if not isinstance(actor, dict) or "_r" not in actor:
        return None
    return None if restrictions_allow_action(datasette, actor["_r"], action, resource) else False
