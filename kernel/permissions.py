"""Permission resolution mechanics. The rules themselves live in plugins.

``permission_allowed`` asks every ``permission_allowed`` hook: any False vetoes,
else any True allows, else the permission's registered default applies.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Iterable

from datasette.utils import StartupError
from datasette.utils.asgi import Forbidden

DEFAULT_NOT_SET = object()


@dataclass(frozen=True)
class Permission:
    """A named action that actors may or may not perform."""

    name: str
    abbr: str | None
    description: str | None
    takes_database: bool
    takes_resource: bool
    default: bool
    implies_can_view: bool = False


class PermissionsMixin:
    """The permission API of ``Datasette``."""

    permissions: dict[str, Permission]
    _permission_checks: Any
    hook: Any

    def _register_permissions(self, results: Iterable[list[Permission] | None]) -> None:
        registered: dict[str, Permission] = {}
        abbrs: dict[str, Permission] = {}
        for result in results:
            for permission in result or []:
                existing = registered.get(permission.name)
                if existing is not None and existing != permission:
                    raise StartupError(f"Duplicate permission name: {permission.name}")
                if permission.abbr:
                    other = abbrs.get(permission.abbr)
                    if other is not None and other != permission:
                        raise StartupError(f"Duplicate permission abbr: {permission.abbr}")
                    abbrs[permission.abbr] = permission
                registered[permission.name] = permission
        self.permissions = registered

    def get_permission(self, name_or_abbr: str) -> Permission:
        """A registered permission by name or abbreviation; KeyError if unknown."""
        permissions = getattr(self, "permissions", {})
        if name_or_abbr in permissions:
            return permissions[name_or_abbr]
        for permission in permissions.values():
            if permission.abbr == name_or_abbr:
                return permission
        raise KeyError(f"No permission found with name or abbr {name_or_abbr}")

    async def permission_allowed(self, actor: dict | None, action: str, resource: Any = None, *,
                                 default: Any = DEFAULT_NOT_SET) -> Any:
        """Whether ``actor`` may perform ``action`` on ``resource`` (see module docstring)."""
        if default is DEFAULT_NOT_SET:
            permission = getattr(self, "permissions", {}).get(action)
            default = permission.default if permission else None
        opinions = [r for r in await self.hook.gather(
            "permission_allowed", datasette=self, actor=actor, action=action, resource=resource)
            if r is not None]
        used_default = not opinions
        result = default if used_default else all(opinions)
        self._permission_checks.append({
            "when": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "actor": actor, "action": action, "resource": resource,
            "used_default": used_default, "result": result,
        })
        return result

    async def ensure_permissions(self, actor: dict | None, permissions: Iterable[Any]) -> None:
        """Check ``(action, resource)`` pairs or bare actions in order; the first opinion decides.

        Raises ``Forbidden`` on the first False; passes on the first True or when no
        check has an opinion.
        """
        for permission in permissions:
            action, resource = (permission, None) if isinstance(permission, str) else permission
            result = await self.permission_allowed(actor, action, resource, default=None)
            if result is True:
                return
            if result is False:
                raise Forbidden(action)

    async def check_visibility(self, actor: dict | None, action: str | None = None,
                               resource: Any = None, permissions: Iterable[Any] | None = None
                               ) -> tuple[bool, bool]:
        """``(visible, private)``: private means visible to this actor but not to anonymous."""
        checks = list(permissions) if permissions else [(action, resource)]
        try:
            await self.ensure_permissions(actor, checks)
        except Forbidden:
            return False, False
        try:
            await self.ensure_permissions(None, checks)
        except Forbidden:
            return True, True
        return True, False
