"""Template rendering: the Jinja environment and the context every page gets.

Search order: ``--template-dir`` (or a configuration directory's ``templates/``),
then each enabled plugin's ``templates/`` (newest-registered first, so a
third-party plugin overrides a built-in). ``default:NAME`` skips the overrides and
loads the built-in plugins' version.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader, PrefixLoader, Template
from markupsafe import Markup

from datasette.plugins import get_plugins
from datasette.utils import display_actor, format_bytes, to_css_class
from datasette.version import __version__


# Used only when no plugin ships a base.html (the theme plugin is disabled), so pages
# that extend it still render as plain HTML.
FALLBACK_TEMPLATES = {"base.html": (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{% block title %}{% endblock %}</title>"
    "{% block extra_head %}{% endblock %}</head><body class=\"{% block body_class %}{% endblock %}\">"
    "{% block nav %}{% block crumbs %}{% endblock %}{% endblock %}{% block messages %}{% endblock %}"
    "{% block content %}{% endblock %}{% block footer %}{% endblock %}</body></html>")}


def _unique_urls(results: list, config_urls: list) -> list[dict]:
    seen, urls = set(), []
    for item in list(config_urls) + [u for result in results for u in (result or [])]:
        entry = {"url": item} if isinstance(item, str) else dict(item)
        if entry["url"] not in seen:
            seen.add(entry["url"])
            urls.append(entry)
    return urls


class TemplatesMixin:
    """The template API of ``Datasette``."""

    hook: Any
    urls: Any
    template_dir: str | None
    config: dict
    _jinja_env: Environment | None = None
    setting: Any
    _show_messages: Any

    def _template_dirs(self) -> tuple[list[str], list[str]]:
        overrides = [self.template_dir] if self.template_dir else []
        plugin_dirs, builtin_dirs = [], []
        for plugin in reversed(get_plugins(self.hook)):
            if plugin["templates_path"] and plugin["enabled"]:
                (builtin_dirs if plugin["builtin"] else plugin_dirs).append(plugin["templates_path"])
        return overrides + plugin_dirs + builtin_dirs, builtin_dirs

    def get_jinja_environment(self, request: Any = None) -> Environment:
        """The Jinja environment for a request (plugins may substitute their own)."""
        env = self._jinja_env
        if env is None:
            search, builtin = self._template_dirs()
            env = self._jinja_env = Environment(
                loader=ChoiceLoader([
                    FileSystemLoader(search),
                    PrefixLoader({"default": FileSystemLoader(builtin)}, delimiter=":"),
                    DictLoader(FALLBACK_TEMPLATES),
                ]),
                autoescape=True,
                enable_async=True,
                auto_reload=bool(getattr(self, "_reload", False)),
            )
            env.filters.update(escape_css_string=lambda s: s.replace("\\", "\\\\").replace('"', '\\"'),
                               to_css_class=to_css_class)
        for result in self.hook.jinja2_environment_from_request(datasette=self, request=request, env=env):
            if result is not None:
                return result
        return env

    async def _prepare_jinja_environment(self) -> None:
        env = self.get_jinja_environment()
        await self.hook.gather("prepare_jinja2_environment", env=env, datasette=self)

    async def render_template(self, templates: Any, context: Any = None, request: Any = None,
                              view_name: str | None = None) -> str:
        """Render the first template found, with the standard context and plugin extras."""
        if not getattr(self, "_startup_invoked", False):
            raise Exception("render_template() called before await ds.invoke_startup()")
        if dataclasses.is_dataclass(context):
            context = dataclasses.asdict(context)
        context = dict(context or {})
        env = self.get_jinja_environment(request)
        if isinstance(templates, Template):
            template = templates
        else:
            names = [templates] if isinstance(templates, str) else list(templates)
            template = env.select_template(names)
            context["select_templates"] = [
                f"{'*' if name == template.name else ''}{name}" for name in names]
        hook_args = dict(template=template.name, database=context.get("database"),
                         table=context.get("table"), columns=context.get("columns"),
                         view_name=view_name, request=request, datasette=self)
        extra_vars: dict[str, Any] = {}
        for result in reversed(await self.hook.gather("extra_template_vars", **hook_args)):
            extra_vars.update(result or {})
        body_scripts = []
        for script in await self.hook.gather("extra_body_script", **hook_args):
            if isinstance(script, dict):
                body_scripts.append({"script": Markup(script["script"]), "module": bool(script.get("module"))})
            elif script:
                body_scripts.append({"script": Markup(script), "module": False})
        actor = request.actor if request is not None else None

        async def menu_links() -> list:
            links = []
            for result in await self.hook.gather("menu_links", datasette=self, actor=actor, request=request):
                links.extend(result or [])
            return links

        csrftoken = request.scope.get("csrftoken") if request is not None else None
        full = {
            **context,
            "request": request,
            "actor": actor,
            "display_actor": display_actor,
            "urls": self.urls,
            "base_url": self.setting("base_url"),
            "datasette_version": __version__,
            "format_bytes": format_bytes,
            "zip": zip,
            "menu_links": menu_links,
            "csrftoken": csrftoken or (lambda: ""),
            "show_messages": lambda: self._show_messages(request) if request is not None else [],
            "extra_css_urls": _unique_urls(await self.hook.gather("extra_css_urls", **hook_args),
                                           self.config.get("extra_css_urls") or []),
            "extra_js_urls": _unique_urls(await self.hook.gather("extra_js_urls", **hook_args),
                                          self.config.get("extra_js_urls") or []),
            "body_scripts": body_scripts,
            "view_name": view_name,
            **extra_vars,
        }
        return await template.render_async(full)
