"""Serving ``templates/pages/<path>.html`` (and ``pages/{var}.html`` patterns) for 404 paths."""
from __future__ import annotations

import re
import weakref
from typing import Any, Pattern

from jinja2 import Environment, Template, TemplateNotFound

from datasette.utils.asgi import NotFound, Request, Response

_VARIABLE = re.compile(r"\{(\w+)\}")
# Jinja environment -> [(compiled path pattern, template name)]
_patterns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class PageNotFound(NotFound):
    """``raise_404(message)`` was called by a page template."""


def pattern_for(template_name: str) -> Pattern[str]:
    """``pages/people/{id}.html`` -> a regex matching ``people/<id>`` with an ``id`` group."""
    path = template_name[len("pages/"):-len(".html")]
    regex, position = "", 0
    for match in _VARIABLE.finditer(path):
        regex += re.escape(path[position:match.start()]) + f"(?P<{match.group(1)}>[^/]+)"
        position = match.end()
    return re.compile(regex + re.escape(path[position:]))


def page_patterns(env: Environment) -> list[tuple[Pattern[str], str]]:
    """Every page template with ``{variables}`` in its path, in name order (cached per environment)."""
    cached = None if env.auto_reload else _patterns.get(env)
    if cached is None:
        names = env.list_templates(filter_func=lambda n: n.startswith("pages/") and n.endswith(".html") and "{" in n)
        cached = []
        for name in sorted(names):
            try:
                cached.append((pattern_for(name), name))
            except re.error:  # e.g. the same {variable} twice in one path
                continue
        _patterns[env] = cached
    return cached


def find_page(env: Environment, path: str) -> tuple[Template, dict[str, str]] | None:
    """The template for ``path`` (``about/team``) and its path variables, or None."""
    try:
        return env.get_template(f"pages/{path}.html"), {}
    except (TemplateNotFound, OSError, ValueError):  # ValueError: e.g. a NUL byte in the path
        pass
    for pattern, name in page_patterns(env):
        match = pattern.fullmatch(path)
        if match:
            try:
                return env.get_template(name), match.groupdict()
            except TemplateNotFound:
                continue
    return None


class PageResponse:
    """What a page template asked for through ``custom_status``, ``custom_header`` and ``custom_redirect``."""

    def __init__(self) -> None:
        self.status = 200
        self.headers: dict[str, str] = {}
        self.redirect: tuple[str, int] | None = None

    def custom_status(self, code: int) -> str:
        self.status = int(code)
        return ""

    def custom_header(self, name: str, value: str) -> str:
        self.headers[str(name)] = str(value)
        return ""

    def custom_redirect(self, location: str, code: int = 302) -> str:
        self.redirect = (str(location), int(code))
        return ""

    @staticmethod
    def raise_404(message: str = "") -> str:
        raise PageNotFound(message)


async def _not_found(datasette: Any, request: Request, message: str) -> Response:
    error = PageNotFound(message)
    response = await datasette.hook.first("handle_exception", datasette=datasette, request=request, exception=error)
    return response if response is not None else Response.text(f"404: {message}", status=404)


async def render_custom_page(datasette: Any, request: Request) -> Response | None:
    """The custom page for this request's path, or None if there is no such template."""
    path = (request.scope.get("route_path") or request.path).strip("/")
    if not path:
        return None
    env = datasette.get_jinja_environment(request)
    found = find_page(env, path)
    if found is None:
        return None
    template, variables = found
    page = PageResponse()
    context = {
        **variables,
        "custom_status": page.custom_status,
        "custom_header": page.custom_header,
        "custom_redirect": page.custom_redirect,
        "raise_404": page.raise_404,
    }
    try:
        body = await datasette.render_template(template, context, request=request, view_name="page")
    except PageNotFound as error:
        return await _not_found(datasette, request, str(error.args[0]) if error.args else "")
    if page.redirect is not None:
        location, code = page.redirect
        return Response.redirect(location, status=code, headers=page.headers)
    content_type = "text/html; charset=utf-8"
    headers = {}
    for name, value in page.headers.items():
        if name.lower() == "content-type":
            content_type = value
        else:
            headers[name] = value
    return Response(body, status=page.status, headers=headers, content_type=content_type)
