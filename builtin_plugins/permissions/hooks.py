"""Hook implementations of the permissions plugin."""
from __future__ import annotations

from datasette import hookimpl

from .builtin_permissions import builtin_permissions
from .config_rules import config_opinion
from .debug_views import allow_debug, messages_debug, permissions_debug
from .menu import debug_menu_links
from .restrictions import restrictions_opinion
from .validation import validate_allow_blocks


@hookimpl
def register_permissions(datasette):
    return builtin_permissions(datasette)


@hookimpl(trylast=True, specname="permission_allowed")
def permission_allowed_config(datasette, actor, action, resource):
    return config_opinion(datasette, actor, action, resource)


@hookimpl(trylast=True, specname="permission_allowed")
def permission_allowed_actor_restrictions(datasette, actor, action, resource):
    return restrictions_opinion(datasette, actor, action, resource)


@hookimpl
def startup(datasette):
    validate_allow_blocks(datasette.config)


@hookimpl
def register_routes(datasette):
    return [
        (r"/-/permissions$", permissions_debug),
        (r"/-/allow-debug$", allow_debug),
        (r"/-/messages$", messages_debug),
    ]


@hookimpl
def menu_links(datasette, actor):
    return debug_menu_links(datasette, actor)
