"""Debug pages: ``/-/permissions``, ``/-/allow-debug`` and ``/-/messages``."""
from __future__ import annotations

import json
from typing import Any

from datasette.utils import actor_matches_allow
from datasette.utils.asgi import BadRequest, Forbidden, Request, Response

from .validation import allow_block_problem

MESSAGE_TYPES = ("INFO", "WARNING", "ERROR", "all")
_USE_DEFAULT = "USE_DEFAULT"


def _method_not_allowed() -> Response:
    return Response.text("Method not allowed", status=405)


async def _require_permissions_debug(datasette: Any, request: Request) -> None:
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    if not await datasette.permission_allowed(request.actor, "permissions-debug"):
        raise Forbidden("Permission denied")


def _permission_dicts(datasette: Any) -> list[dict]:
    return [{"name": p.name, "abbr": p.abbr, "description": p.description,
             "takes_database": p.takes_database, "takes_resource": p.takes_resource,
             "default": p.default} for p in (getattr(datasette, "permissions", None) or {}).values()]


async def permissions_debug(datasette: Any, request: Request) -> Response:
    """GET: recent permission checks; POST: run one check and answer with JSON."""
    if request.method == "POST":
        return await _simulate_check(datasette, request)
    if request.method != "GET":
        return _method_not_allowed()
    await _require_permissions_debug(datasette, request)
    filter_ = request.args.get("filter") or "all"
    checks = list(reversed(datasette._permission_checks))
    if filter_ == "exclude-yours":
        checks = [c for c in checks if c["actor"] != request.actor]
    elif filter_ == "only-yours":
        checks = [c for c in checks if c["actor"] == request.actor]
    permissions = _permission_dicts(datasette)
    return Response.html(await datasette.render_template("permissions_debug.html", {
        "permission_checks": checks,
        "filter": filter_,
        "permissions": permissions,
        "permissions_json": json.dumps(permissions, indent=2, sort_keys=True),
    }, request=request, view_name="permissions_debug"))


def _json_error(message: str) -> Response:
    return Response.json({"ok": False, "error": message}, status=400)


async def _simulate_check(datasette: Any, request: Request) -> Response:
    await _require_permissions_debug(datasette, request)
    form = await request.post_vars()
    try:
        actor = json.loads(form.get("actor") or "null")
    except ValueError as error:
        return _json_error(f"Actor JSON error: {error}")
    if actor is not None and not isinstance(actor, dict):
        return _json_error("Actor must be a JSON object or null")
    permission = form.get("permission") or ""
    registered = (getattr(datasette, "permissions", None) or {}).get(permission)
    if registered is None:
        return _json_error(f"Unknown permission: {permission}")
    resource: Any = tuple(r for r in (form.get("resource_1"), form.get("resource_2")) if r)
    if len(resource) == 1:
        resource = resource[0]
    result = await datasette.permission_allowed(actor, permission, resource, default=_USE_DEFAULT)
    return Response.json({"actor": actor, "permission": permission, "resource": resource,
                          "result": result, "default": registered.default})


def _parse(text: str, label: str, errors: list[str]) -> tuple[Any, str]:
    try:
        value = json.loads(text)
    except ValueError as error:
        errors.append(f"{label} JSON error: {error}")
        return None, text
    return value, json.dumps(value, indent=4)


async def allow_debug(datasette: Any, request: Request) -> Response:
    """Try an allow block against an actor: ``?actor=JSON&allow=JSON``."""
    if request.method != "GET":
        return _method_not_allowed()
    errors: list[str] = []
    actor, actor_input = _parse(request.args.get("actor") or '{"id": "root"}', "Actor", errors)
    allow, allow_input = _parse(request.args.get("allow") or '{"id": "*"}', "Allow", errors)
    if not errors and actor is not None and not isinstance(actor, dict):
        errors.append("Actor must be a JSON object or null")
    if not errors:
        problem = allow_block_problem(allow)
        if problem:
            errors.append(f"Invalid allow block: {problem}")
    result = None if errors else ("True" if actor_matches_allow(actor, allow) else "False")
    return Response.html(await datasette.render_template("allow_debug.html", {
        "result": result, "error": "\n\n".join(errors),
        "actor_input": actor_input, "allow_input": allow_input,
    }, request=request, view_name="allow_debug"))


async def messages_debug(datasette: Any, request: Request) -> Response:
    """GET: a form to set a message; POST: set it (or one of each type) and go home."""
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    if request.method == "GET":
        return Response.html(await datasette.render_template(
            "messages_debug.html", {}, request=request, view_name="messages_debug"))
    if request.method != "POST":
        return _method_not_allowed()
    form = await request.post_vars()
    message = form.get("message", "")
    message_type = form.get("message_type") or "INFO"
    if message_type not in MESSAGE_TYPES:
        raise BadRequest(f"message_type must be one of {', '.join(MESSAGE_TYPES)}")
    types = ("INFO", "WARNING", "ERROR") if message_type == "all" else (message_type,)
    for name in types:
        datasette.add_message(request, message, getattr(datasette, name))
    return Response.redirect(datasette.urls.instance())
