"""``/-/logout`` and ``/-/auth-token`` (the one-time root login printed by ``serve --root``)."""
from __future__ import annotations

import secrets
from typing import Any

from datasette.utils.asgi import Forbidden, Request, Response

from .cookies import delete_actor_cookie, set_actor_cookie


async def track(datasette: Any, event_name: str, actor: Any) -> None:
    """Send a login/logout event, unless the events plugin that declares it is disabled."""
    import datasette.events as events

    event = getattr(events, event_name)(actor=actor)
    if isinstance(event, tuple(datasette.event_classes)):
        await datasette.track_event(event)


async def logout(datasette: Any, request: Request) -> Response:
    """GET: a confirmation form; POST: forget the actor cookie and go home."""
    if request.method == "GET":
        if not request.actor:
            return Response.redirect(datasette.urls.instance())
        return Response.html(await datasette.render_template(
            "logout.html", {"actor": request.actor}, request=request, view_name="logout"))
    if request.method != "POST":
        return Response.text("Method not allowed", status=405)
    response = Response.redirect(datasette.urls.instance())
    delete_actor_cookie(datasette, response)
    datasette.add_message(request, "You are now logged out", datasette.WARNING)
    await track(datasette, "LogoutEvent", request.actor)
    return response


async def auth_token(datasette: Any, request: Request) -> Response:
    """Log in as root with the ``--root`` token; it works once."""
    if isinstance(request.actor, dict) and request.actor.get("id") == "root":
        return Response.redirect(datasette.urls.instance())
    given = (request.args.get("token") or "").encode("utf-8")
    expected = datasette._root_token
    if not expected:
        raise Forbidden("Root token has already been used")
    if not secrets.compare_digest(given, expected.encode("utf-8")):
        raise Forbidden("Invalid token")
    datasette._root_token = None  # before any await: a concurrent second use must fail
    actor = {"id": "root"}
    response = Response.redirect(datasette.urls.instance())
    set_actor_cookie(datasette, response, actor)
    await track(datasette, "LoginEvent", actor)
    return response
