"""``CsrfMiddleware``: asgi-csrf configured as upstream Datasette does.

A POST (or other unsafe method) must carry the signed ``ds_csrftoken`` cookie's
value in the ``csrftoken`` form field or the ``x-csrftoken`` header. Skipped for
requests with no cookies at all, with ``Authorization: Bearer ...``, or when any
``skip_csrf`` hook says so. ``scope["csrftoken"]`` is a callable returning the
token; templates call it as ``csrftoken()`` and the cookie is set when they do.

asgi-csrf raises on some malformed requests (a body that is not UTF-8, a
multipart body without a boundary); those become a 403 here, never a 500.
"""
from __future__ import annotations

import contextvars
import html
import inspect
import secrets
from typing import Any

from asgi_csrf import asgi_csrf

from datasette.utils.asgi import Receive, Request, Response, Scope, Send

from . import multipart_compat

COOKIE_NAME = "ds_csrftoken"
SIGNING_NAMESPACE = "csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Set to True once asgi-csrf hands the request on: an exception raised before that
# comes from asgi-csrf reading the request, not from the application.
_handed_on: contextvars.ContextVar[list[bool]] = contextvars.ContextVar("csrf_handed_on")


class CsrfMiddleware:
    """Wraps an ASGI app in asgi-csrf with Datasette's cookie name, secret and hooks."""

    def __init__(self, app: Any, datasette: Any) -> None:
        self.app = app
        self.ds = datasette
        multipart_compat.install()
        self.protected = asgi_csrf(
            self._downstream,
            cookie_name=COOKIE_NAME,
            signing_secret=datasette._secret,
            signing_namespace=SIGNING_NAMESPACE,
            skip_if_scope=self._skip,
            send_csrf_failed=self._send_failed,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("method") in SAFE_METHODS or _exempt(scope):
            await self._safe_request(scope, receive, send)
            return
        handed_on = [False]
        token = _handed_on.set(handed_on)
        try:
            await self.protected(scope, receive, send)
        except Exception:
            if handed_on[0]:
                raise
            await self._send_unreadable(scope, send)
        finally:
            _handed_on.reset(token)

    async def _safe_request(self, scope: Scope, receive: Receive, send: Send) -> None:
        """GET and friends are never checked; only hand out a token if a page asks for one.

        asgi-csrf would sign a fresh token for every request up front; doing it on
        demand keeps the cost off the JSON API and other pages without forms. The
        token is exactly what asgi-csrf issues, so it validates the POST that follows.
        """
        token = LazyToken(self.ds, scope)
        scope = {**scope, "csrftoken": token}

        async def wrapped_send(message: dict) -> None:
            if message["type"] == "http.response.start" and token.used:
                message = {**message, "headers": token.response_headers(message.get("headers") or [])}
            await send(message)

        await self.app(scope, receive, wrapped_send)

    async def _downstream(self, scope: Scope, receive: Receive, send: Send) -> None:
        _handed_on.get()[0] = True
        await self.app(scope, receive, send)

    def _skip(self, scope: Scope) -> bool:
        for result in self.ds.hook.skip_csrf(datasette=self.ds, scope=scope):
            if inspect.iscoroutine(result):  # skip_csrf must answer synchronously
                result.close()
            elif result:
                return True
        return False

    async def _send_failed(self, scope: Scope, send: Send, message_id: Any) -> None:
        name = getattr(message_id, "name", str(message_id))
        try:
            await self.ds.invoke_startup()
            request = Request(scope, _no_body)
            page = await self.ds.render_template(
                "csrf_error.html", {"message_id": message_id, "message_name": name},
                request=request, view_name="csrf_error")
        except Exception:  # no theme to render with: still a clear 403
            page = (f"<!DOCTYPE html><title>CSRF check failed</title><h1>Form origin check failed</h1>"
                    f"<p>Error code is {html.escape(name)}.</p>")
        await Response.html(page, status=403).asgi_send(send)

    async def _send_unreadable(self, scope: Scope, send: Send) -> None:
        if scope.get("method") in SAFE_METHODS:
            await Response.text("Bad request: malformed Cookie header", status=400).asgi_send(send)
        else:
            await self._send_failed(scope, send, "MALFORMED_REQUEST")


def _exempt(scope: Scope) -> bool:
    """Requests asgi-csrf would wave through anyway: no cookies at all, or a Bearer token.

    Deciding here spares them asgi-csrf's work (it signs a fresh token for every
    request before looking at the skip rules), which the JSON write API pays per call.
    """
    has_cookies = False
    for name, value in scope.get("headers") or ():
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return True
        if name == b"cookie" and value.strip():
            has_cookies = True
    return not has_cookies


class LazyToken:
    """``scope["csrftoken"]`` for safe requests: the cookie's token, or a new one set when used."""

    def __init__(self, datasette: Any, scope: Scope) -> None:
        self.ds, self.scope = datasette, scope
        self.used = False
        self.token: str | None = None
        self.is_new = False

    def __call__(self) -> str:
        self.used = True
        if self.token is None:
            existing = Request(self.scope, _no_body).cookies.get(COOKIE_NAME)
            if existing:
                try:
                    self.ds.unsign(existing, SIGNING_NAMESPACE)
                    self.token = existing
                except Exception:  # not ours or tampered: issue a new one
                    existing = None
            if not existing:
                self.token = self.ds.sign(secrets.token_urlsafe(12), SIGNING_NAMESPACE)
                self.is_new = True
        return self.token

    def response_headers(self, headers: list) -> list:
        """``Vary: Cookie`` added (the page depends on the cookie), plus the cookie if new."""
        out, varied = [], False
        for key, value in headers:
            if key.lower() == b"vary":
                varied = True
                parts = [v.strip() for v in value.split(b",")]
                if b"Cookie" not in parts:
                    value = b", ".join(parts + [b"Cookie"])
            out.append((key, value))
        if not varied:
            out.append((b"vary", b"Cookie"))
        if self.is_new:
            out.append((b"set-cookie", f"{COOKIE_NAME}={self.token}; Path=/; SameSite=Lax".encode()))
        return out


async def _no_body() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


def skip_json_requests(scope: Scope) -> bool | None:
    """The default ``skip_csrf``: a body sent as exactly ``application/json`` needs no token."""
    content_type = dict(scope.get("headers") or []).get(b"content-type")
    return True if content_type == b"application/json" else None
