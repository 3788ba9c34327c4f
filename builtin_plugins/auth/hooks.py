"""Hook implementations of the auth plugin."""
from __future__ import annotations

from datasette import hookimpl

from .cookies import actor_from_cookie
from .views import auth_token, logout


@hookimpl
def actor_from_request(datasette, request):
    return actor_from_cookie(datasette, request)


@hookimpl
def register_routes(datasette):
    return [
        (r"/-/logout$", logout),
        (r"/-/auth-token$", auth_token),
    ]
