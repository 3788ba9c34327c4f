"""The ``/-/create-token`` page: a form to create a token for the signed-in actor."""
from __future__ import annotations

import json
from typing import Any

from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Forbidden, Request, Response

from .signed import create_token, decode_token

EXPIRE_UNITS = {"minutes": 60, "hours": 60 * 60, "days": 24 * 60 * 60}


def check_can_create(datasette: Any, request: Request) -> None:
    """Forbidden unless a signed-in actor with an id, not using a token, may create tokens."""
    actor = request.actor
    if not datasette.setting("allow_signed_tokens"):
        raise Forbidden("Signed tokens are not enabled for this Datasette instance")
    if not actor:
        raise Forbidden("You must be logged in to create a token")
    if not isinstance(actor, dict) or not actor.get("id"):
        raise Forbidden("You must be logged in as an actor with an ID to create a token")
    if actor.get("token"):
        raise Forbidden("Token authentication cannot be used to create additional tokens")


async def _databases_with_tables(datasette: Any, actor: Any) -> list[dict]:
    """The databases and (non-hidden) tables the actor can see, for the restriction checkboxes."""
    databases = []
    for name, db in datasette.databases.items():
        if name == "_memory":
            continue
        visible, _ = await datasette.check_visibility(
            actor, permissions=[("view-database", name), "view-instance"])
        if not visible:
            continue
        hidden = set(await db.hidden_table_names())
        tables = []
        for table in await db.table_names():
            if table not in hidden and (await datasette.check_visibility(actor, permissions=[
                    ("view-table", (name, table)), ("view-database", name), "view-instance"]))[0]:
                tables.append(table)
        databases.append({"name": name, "encoded": tilde_encode(name),
                          "tables": [{"name": t, "encoded": tilde_encode(t)} for t in tables]})
    return databases


async def _render(datasette: Any, request: Request, context: dict) -> Response:
    permissions = list((getattr(datasette, "permissions", None) or {}).values())
    context = {
        "actor": request.actor,
        "all_permissions": [p.name for p in permissions],
        "database_permissions": [p.name for p in permissions if p.takes_database],
        "resource_permissions": [p.name for p in permissions if p.takes_resource],
        "database_with_tables": await _databases_with_tables(datasette, request.actor),
        "errors": [], "token": None, "token_bits": None,
        **context,
    }
    return Response.html(await datasette.render_template(
        "create_token.html", context, request=request, view_name="create_token"))


def parse_expiry(form: dict, errors: list[str]) -> int | None:
    """Seconds from ``expire_type`` + ``expire_duration``, or None for a token that never expires."""
    unit = form.get("expire_type")
    if not unit:
        return None
    duration = (form.get("expire_duration") or "").strip()
    if not duration.isdigit() or int(duration) <= 0:
        errors.append("Invalid expire duration")
        return None
    if unit not in EXPIRE_UNITS:
        errors.append("Invalid expire duration unit")
        return None
    return int(duration) * EXPIRE_UNITS[unit]


def parse_restrictions(form: dict) -> tuple[list, dict, dict]:
    """``(restrict_all, restrict_database, restrict_resource)`` from the ticked checkboxes."""
    restrict_all: list[str] = []
    restrict_database: dict[str, list[str]] = {}
    restrict_resource: dict[str, dict[str, list[str]]] = {}
    for key in form:
        kind, _, rest = key.partition(":")
        parts = rest.split(":")
        if kind == "all" and len(parts) == 1 and parts[0]:
            restrict_all.append(parts[0])
        elif kind == "database" and len(parts) == 2 and all(parts):
            restrict_database.setdefault(tilde_decode(parts[0]), []).append(parts[1])
        elif kind == "resource" and len(parts) == 3 and all(parts):
            database, resource = tilde_decode(parts[0]), tilde_decode(parts[1])
            restrict_resource.setdefault(database, {}).setdefault(resource, []).append(parts[2])
    return restrict_all, restrict_database, restrict_resource


async def create_token_page(datasette: Any, request: Request) -> Response:
    """GET: the form; POST: create the token and show it with its decoded payload."""
    check_can_create(datasette, request)
    if request.method == "GET":
        return await _render(datasette, request, {})
    if request.method != "POST":
        return Response.text("Method not allowed", status=405)
    form = await request.post_vars()
    errors: list[str] = []
    expires_after = parse_expiry(form, errors)
    if errors:  # unlike upstream 1.0a19, a bad expiry never yields a token that never expires
        return await _render(datasette, request, {"errors": errors})
    restrict_all, restrict_database, restrict_resource = parse_restrictions(form)
    token = create_token(datasette, request.actor["id"], expires_after=expires_after,
                         restrict_all=restrict_all, restrict_database=restrict_database,
                         restrict_resource=restrict_resource)
    await _track(datasette, request.actor, expires_after, restrict_all, restrict_database, restrict_resource)
    token_bits = decode_token(datasette, token)
    return await _render(datasette, request, {
        "token": token, "token_bits": json.dumps(token_bits, indent=4, sort_keys=True)})


async def _track(datasette: Any, actor: Any, expires_after: Any, restrict_all: list,
                 restrict_database: dict, restrict_resource: dict) -> None:
    import datasette.events as events

    event = events.CreateTokenEvent(actor=actor, expires_after=expires_after, restrict_all=restrict_all,
                                    restrict_database=restrict_database, restrict_resource=restrict_resource)
    if isinstance(event, tuple(datasette.event_classes)):
        await datasette.track_event(event)
