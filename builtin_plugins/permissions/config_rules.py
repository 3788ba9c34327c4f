"""The rules written in configuration: root's powers, ``allow`` blocks, ``permissions:`` blocks.

Resolution order for one check (the first opinion wins):

1. the actor ``{"id": "root"}`` may debug and write (but, like everyone, still
   obeys ``allow`` blocks for viewing);
2. for the view actions, the ``allow`` block of the thing viewed (instance,
   database, table or view, canned query) or ``allow_sql`` for ``execute-sql``;
3. ``permissions:`` blocks for the action, tried at instance, then database, then
   table or canned-query level;
4. ``execute-sql`` is refused when the ``default_allow_sql`` setting is off.

A block that is present decides, whatever its value: unlike upstream 1.0a19, a
``permissions:`` block of ``false`` or ``{}`` denies instead of being ignored. And
an ``execute-sql`` grant never opens a database (or instance) that an ``allow``
block hides from the actor (upstream 1.0a19 let ``allow_sql: true`` do that).
"""
from __future__ import annotations

from typing import Any

from datasette.utils import actor_matches_allow

ROOT_ACTIONS = frozenset({
    "permissions-debug", "debug-menu", "insert-row", "create-table", "alter-table",
    "drop-table", "delete-row", "update-row",
})
VIEW_ACTIONS = frozenset({"view-instance", "view-database", "view-table", "view-query", "execute-sql"})


def split_resource(resource: Any) -> tuple[str | None, str | None]:
    """``(database, table_or_query)`` from ``None``, ``"db"`` or ``("db", "name")``."""
    if isinstance(resource, str):
        return resource, None
    if isinstance(resource, (tuple, list)) and resource:
        database = resource[0] if isinstance(resource[0], str) else None
        child = resource[1] if len(resource) > 1 and isinstance(resource[1], str) else None
        return database, child
    return None, None


def _child(mapping: Any, key: Any) -> dict:
    """``mapping[key]`` when both are dicts, else an empty dict (YAML may hold None)."""
    if not isinstance(mapping, dict) or key is None:
        return {}
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def _database_config(config: dict, database: str | None) -> dict:
    return _child(config.get("databases"), database)


def _decide(actor: Any, container: dict, key: str) -> bool | None:
    """The verdict of ``container[key]`` as an allow block, or None when there is none."""
    if key not in container or container[key] is None:
        return None
    return actor_matches_allow(actor, container[key])


def view_allow_opinion(config: dict, actor: Any, action: str, resource: Any) -> bool | None:
    """What the ``allow``/``allow_sql`` blocks say about a view action (not ``view-query``)."""
    database, child = split_resource(resource)
    if action == "view-instance":
        return _decide(actor, config, "allow")
    db_config = _database_config(config, database)
    if action == "view-database":
        return _decide(actor, db_config, "allow") if database else None
    if action == "view-table":
        if not (database and child):
            return None
        return _decide(actor, _child(db_config.get("tables"), child), "allow")
    if action == "execute-sql":
        opinion = _decide(actor, db_config, "allow_sql") if database else None
        return opinion if opinion is not None else _decide(actor, config, "allow_sql")
    return None


def permissions_block_opinion(config: dict, actor: Any, action: str, resource: Any) -> bool | None:
    """What the ``permissions:`` blocks say: instance level, then database, then table or query."""
    opinion = _decide(actor, _child(config, "permissions"), action)
    if opinion is not None:
        return opinion
    database, child = split_resource(resource)
    if database is None:
        return None
    db_config = _database_config(config, database)
    opinion = _decide(actor, _child(db_config, "permissions"), action)
    if opinion is not None or child is None:
        return opinion
    table_config = _child(db_config.get("tables"), child)
    opinion = _decide(actor, _child(table_config, "permissions"), action)
    if opinion is not None:
        return opinion
    query_config = _child(db_config.get("queries"), child)
    return _decide(actor, _child(query_config, "permissions"), action)


def _is_root(actor: Any) -> bool:
    return isinstance(actor, dict) and actor.get("id") == "root"


def _after_allow_blocks(datasette: Any, config: dict, actor: Any, action: str, resource: Any) -> bool | None:
    opinion = permissions_block_opinion(config, actor, action, resource)
    if opinion is not None:
        return opinion
    if action == "execute-sql" and not datasette.setting("default_allow_sql"):
        return False
    return None


async def _view_query_opinion(datasette: Any, config: dict, actor: Any, resource: Any) -> bool | None:
    database, query_name = split_resource(resource)
    if database and query_name:
        query = await datasette.get_canned_query(database, query_name, actor)
        opinion = _decide(actor, query if isinstance(query, dict) else {}, "allow")
        if opinion is not None:
            return opinion
    return _after_allow_blocks(datasette, config, actor, "view-query", resource)


def config_opinion(datasette: Any, actor: Any, action: str, resource: Any) -> Any:
    """True, False or None, or a coroutine giving one (only ``view-query`` needs to await)."""
    if action in ROOT_ACTIONS and _is_root(actor):
        return True
    config = datasette.config if isinstance(datasette.config, dict) else {}
    if action == "view-query":
        return _view_query_opinion(datasette, config, actor, resource)
    opinion = view_allow_opinion(config, actor, action, resource) if action in VIEW_ACTIONS else None
    if opinion is None:
        opinion = _after_allow_blocks(datasette, config, actor, action, resource)
    if opinion is True and action == "execute-sql":
        return _unless_cannot_view(config, actor, resource)
    return opinion


def _unless_cannot_view(config: dict, actor: Any, resource: Any) -> bool:
    """An ``execute-sql`` grant never reaches a database the actor may not view.

    Pages check ``execute-sql`` first and stop at the first yes, so in upstream
    1.0a19 ``allow_sql: true`` let anyone query a database hidden by ``allow``.
    """
    database, _ = split_resource(resource)
    if _decide(actor, config, "allow") is False:
        return False
    return _decide(actor, _database_config(config, database), "allow") is not False
