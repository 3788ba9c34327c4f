"""Signed dstok_ API tokens: Bearer authentication, create_token(), /-/create-token and the create-token command."""
from __future__ import annotations

__version__ = "0.2.0"

from datasette.settings import Setting

SETTINGS = [
    Setting("allow_signed_tokens", True, "Allow users to create and use signed API tokens"),
    Setting("max_signed_tokens_ttl", 0, "Maximum allowed expiry time for signed API tokens"),
]

from .signed import create_token  # noqa: E402

DATASETTE_METHODS = {"create_token": create_token}

from .hooks import actor_from_request, register_commands, register_routes  # noqa: E402,F401
