"""The ASGI application: routing, view dispatch, error dispatch, lifespan.

Routes come only from plugins (``register_routes``), tried in hook call order:
newer plugins first, then built-ins; built-in catch-all routes mark their hook
``trylast``. Unmatched paths get the 404 fallbacks of the spec: ``%``-encoded
paths and trailing slashes redirect, anything else goes to ``handle_exception``.
"""
from __future__ import annotations

import inspect
import re
import sys
import traceback
from typing import Any, Awaitable, Callable, Pattern

from datasette.utils import add_cors_headers, await_me_maybe, call_with_supported_arguments
from datasette.utils.asgi import Forbidden, NotFound, Receive, Request, Response, Scope, Send

View = Callable[..., Awaitable[Any]]


class PassToNextRoute(Exception):
    """Raised by a view to let the next matching route handle the request.

    ``otherwise`` is the exception to handle if no later route matches (for example
    the table view passes a name that is not a table on to the canned query view,
    and says "Table not found" if nothing takes it).
    """

    def __init__(self, otherwise: Exception | None = None) -> None:
        super().__init__()
        self.otherwise = otherwise


def _method_not_allowed(request: Request) -> Response:
    if request.path.endswith(".json") or request.headers.get("content-type", "").startswith("application/json"):
        return Response.json({"ok": False, "error": "Method not allowed"}, status=405)
    return Response.text("Method not allowed", status=405)


def wrap_view(view: Any, datasette: Any) -> View:
    """Turn a route's view (function or class, sync or async) into ``async (request, send)``."""
    if inspect.isclass(view):
        async def class_view(request: Request, send: Send) -> Any:
            instance = view()
            return await await_me_maybe(call_with_supported_arguments(
                instance.__call__, datasette=datasette, request=request, scope=request.scope,
                receive=request.receive, send=send))
        return class_view
    if not callable(view):
        raise ValueError(f"View {view!r} is not a function or a class")

    async def function_view(request: Request, send: Send) -> Any:
        return await await_me_maybe(call_with_supported_arguments(
            view, datasette=datasette, request=request, scope=request.scope,
            receive=request.receive, send=send))
    return function_view


def collect_routes(datasette: Any) -> list[tuple[Pattern[str], View]]:
    """Every plugin route, compiled, in the order they are tried."""
    routes = []
    for result in datasette.hook.register_routes(datasette=datasette):
        for regex, view in result or []:
            pattern = regex if hasattr(regex, "match") else re.compile(regex.rstrip("$") + "$")
            routes.append((pattern, wrap_view(view, datasette)))
    return routes


class DatasetteRouter:
    """Matches a request to a view and turns exceptions into responses."""

    def __init__(self, datasette: Any, routes: list[tuple[Pattern[str], View]]) -> None:
        self.ds = datasette
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        ds = self.ds
        if not ds._startup_invoked:
            await ds.invoke_startup()
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        path = path.partition("?")[0]
        base_url = ds.setting("base_url")
        if base_url != "/" and path.startswith(base_url):
            path = "/" + path[len(base_url):]
        if ds.setting("force_https_urls"):
            scope = {**scope, "scheme": "https"}
        scope = {**scope, "route_path": path}
        if ds.cors:
            send = _cors_send(send)
        if scope["method"] == "HEAD":
            send = _head_send(send)
        await self.handle(scope, receive, send, path)

    async def handle(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        request = Request(scope, receive)
        ds = self.ds
        try:
            actor = await ds.hook.first("actor_from_request", datasette=ds, request=request)
            scope["actor"] = actor or scope.get("actor")
            messages = request.cookies.get("ds_messages")
            if messages:
                try:
                    request._messages = ds.unsign(messages, "messages")
                except Exception:
                    request._messages = []
                    request._messages_changed = True
            response = await self.dispatch(request, send, path)
        except Exception as exception:
            response = await self.handle_exception(request, exception)
        if response is not None:
            if getattr(request, "_messages_changed", False):
                self.set_messages_cookie(response, request)
            await response.asgi_send(send)

    async def dispatch(self, request: Request, send: Send, path: str) -> Any:
        passed: PassToNextRoute | None = None
        for pattern, view in self.routes:
            match = pattern.match(path)
            if match is None:
                continue
            request.scope["url_route"] = {"kwargs": match.groupdict()}
            try:
                return await view(request, send)
            except PassToNextRoute as error:
                passed = error
            except NotFound:  # as upstream: a view's 404 still gets the redirects below
                response = self.not_found_redirect(request)
                if response is None:
                    raise
                return response
        unhandled = passed.otherwise if passed is not None and passed.otherwise is not None else NotFound("404")
        response = self.not_found_redirect(request) if isinstance(unhandled, NotFound) else None
        if response is None:
            raise unhandled
        return response

    def not_found_redirect(self, request: Request) -> Response | None:
        path = request.scope["route_path"]
        qs = ("?" + request.query_string) if request.query_string else ""
        # Leading slashes and backslashes are stripped from redirect targets: browsers
        # read "//host" and "/\\host" as another site.
        if "%" in path:  # upstream's rule, applied to the raw path as it came in
            encoded = path.replace("~", "~7E").replace("%", "~").replace(".", "~2E")
            return Response.redirect(self.ds.urls.path(encoded.lstrip("/\\")) + qs)
        if path.endswith("/") and path != "/" and path != "/-/":
            return Response.redirect(self.ds.urls.path(path.strip("/").lstrip("\\/")) + qs)
        if path == "/-":
            return Response.redirect(self.ds.urls.path("/-/") + qs, status=301)
        if path.startswith("/:memory:"):
            return Response.redirect(self.ds.urls.path("/_memory" + path[len("/:memory:"):]) + qs, status=301)
        return None

    def set_messages_cookie(self, response: Response, request: Request) -> None:
        messages = getattr(request, "_messages", None)
        if messages:
            response.set_cookie("ds_messages", self.ds.sign(messages, "messages"))
        else:
            response.set_cookie("ds_messages", "", expires=0, max_age=0)

    async def handle_exception(self, request: Request, exception: Exception) -> Response:
        ds = self.ds
        try:
            if isinstance(exception, Forbidden):
                response = await ds.hook.first("forbidden", datasette=ds, request=request,
                                               message=exception.args[0] if exception.args else "")
                return response or Response.text("Forbidden", status=403)
            response = await ds.hook.first("handle_exception", datasette=ds, request=request,
                                           exception=exception)
            if response is not None:
                return response
        except Exception:  # a broken error handler must not become a traceback for the client
            traceback.print_exc(file=sys.stderr)
        status = getattr(exception, "status", 500)
        if not isinstance(status, int) or status >= 500:
            traceback.print_exception(exception, file=sys.stderr)
            return Response.text("500: Internal Server Error", status=500)
        return Response.text(f"{status}: {exception}", status=status)


def _cors_send(send: Send) -> Send:
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = {}
            add_cors_headers(headers)
            message = {**message, "headers": list(message.get("headers", [])) +
                       [(k.encode(), v.encode()) for k, v in headers.items()]}
        await send(message)
    return wrapped


def _head_send(send: Send) -> Send:
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return wrapped


class LifespanMiddleware:
    """Runs startup (hooks, catalog) on ASGI lifespan startup, before any request."""

    def __init__(self, datasette: Any, app: Any) -> None:
        self.ds, self.app = datasette, app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.ds.invoke_startup()
                except Exception as error:
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def build_app(datasette: Any) -> Any:
    """The router, wrapped in tracer and lifespan, then in every ``asgi_wrapper``."""
    app: Any = DatasetteRouter(datasette, collect_routes(datasette))
    app = LifespanMiddleware(datasette, app)
    for wrapper in datasette.hook.asgi_wrapper(datasette=datasette):
        app = wrapper(app)
    return app
