"""Plugin loading and hook dispatch.

One pluggy manager, ``pm``, serves the process (upstream plugins and their test
suites import it). Plugins are loaded lazily by ``load_plugins()``, never at import
time, in this fixed order (pluggy calls the newest-registered first, so each later
group can override the earlier ones):

1. built-in plugins: entry-point group ``datasette_builtins``, sorted by name;
2. installed plugins: entry-point group ``datasette`` (filtered by
   ``DATASETTE_LOAD_PLUGINS``; skipped when ``sys._called_from_test`` is set);
3. ``--plugins-dir`` files, one module per ``*.py`` file, when an instance is built.

Each ``Datasette`` sees every registered plugin except the ones it disables; its
``hook`` attribute is a ``HookRelay`` that leaves the disabled plugins out.
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

import pluggy
from importlib_metadata import entry_points

from datasette import hookspecs
from datasette.utils import StartupError, await_me_maybe

pm = pluggy.PluginManager("datasette")
pm.add_hookspecs(hookspecs)

BUILTIN_GROUP = "datasette_builtins"
_builtins: dict[str, Any] = {}  # short name -> plugin module, in registration order
_loaded = False


def _add_plugin_hookspecs(plugin: Any) -> None:
    specs = getattr(plugin, "hookspecs", None)
    if not isinstance(specs, ModuleType):
        return
    # Upstream plugins (datasette-block-robots) add their own specs at import time.
    if any(getattr(getattr(pm.hook, n, None), "spec", None) is not None
           and getattr(pm.hook, n).spec.namespace is specs for n in dir(specs)):
        return
    pm.add_hookspecs(specs)


def _register(plugin: Any, name: str) -> None:
    if pm.is_registered(plugin) or pm.get_plugin(name) is not None:
        return
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as error:
        details = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
        raise StartupError(f"Plugin {name} is invalid: {details}") from None


def load_plugins() -> None:
    """Register built-in and installed plugins, once per process."""
    global _loaded
    if _loaded:
        return
    # A plugin that fails to import is an error on every call, never a half-loaded set.
    for ep in sorted(entry_points(group=BUILTIN_GROUP), key=lambda ep: ep.name):
        if ep.name not in _builtins:
            _builtins[ep.name] = _load_entry_point(ep, f"Built-in plugin {ep.name}")
            _add_plugin_hookspecs(_builtins[ep.name])
    for name, module in _builtins.items():
        _register(module, module.__name__)
    for ep in installed_entry_points():
        plugin = _load_entry_point(ep, f"Plugin {ep.dist.name if ep.dist else ep.name}")
        if pm.is_registered(plugin):
            continue
        _add_plugin_hookspecs(plugin)
        pm.register(plugin, name=ep.name)
        pm._plugin_distinfo.append((plugin, ep.dist))  # lets get_plugins report versions
    _loaded = True
    if os.environ.get("DATASETTE_TRACE_PLUGINS"):
        _enable_tracing()


def _load_entry_point(ep: Any, label: str) -> Any:
    try:
        return ep.load()
    except Exception as error:  # a broken install must say which plugin broke
        raise StartupError(f"{label} failed to import: {error!r}") from None


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def installed_entry_points() -> list[Any]:
    """Entry points of group ``datasette`` to load.

    Unset ``DATASETTE_LOAD_PLUGINS`` loads all of them (none under tests, which set
    ``sys._called_from_test``); a comma list loads only those distributions, even
    under tests; an empty string loads none. Unknown names are reported on stderr.
    """
    wanted = os.environ.get("DATASETTE_LOAD_PLUGINS")
    if wanted is None:
        return [] if getattr(sys, "_called_from_test", False) else list(entry_points(group="datasette"))
    allowed = {_normalize(name) for name in wanted.split(",") if name.strip()}
    found = [ep for ep in entry_points(group="datasette")
             if ep.dist is not None and _normalize(ep.dist.name) in allowed]
    for name in sorted(allowed - {_normalize(ep.dist.name) for ep in found}):
        print(f"Plugin {name} could not be found", file=sys.stderr)
    return found


def _enable_tracing() -> None:
    pm.trace.root.setwriter(lambda message: print(message, end="", file=sys.stderr))
    pm.enable_tracing()


def load_plugins_dir(plugins_dir: str | os.PathLike) -> list[Any]:
    """Register every ``*.py`` file in a directory as a plugin module named after the file."""
    modules = []
    for path in sorted(Path(plugins_dir).glob("*.py")):
        existing = pm.get_plugin(path.name)
        if existing is not None and getattr(existing, "__file__", None) == str(path):
            modules.append(existing)
            continue
        spec = importlib.util.spec_from_file_location(path.name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            raise StartupError(f"Plugin {path} failed to import: {error!r}") from None
        if existing is not None:
            pm.unregister(existing)
        _register(module, path.name)
        modules.append(module)
    return modules


def builtin_plugins() -> dict[str, Any]:
    """Short name -> module of every built-in plugin, in registration order."""
    load_plugins()
    return dict(_builtins)


def plugin_names(plugin: Any) -> set[str]:
    """Every name a user may use to refer to a plugin (for ``--disable-plugin``)."""
    names = {pm.get_name(plugin) or ""}
    module_name = getattr(plugin, "__name__", "")
    names.add(module_name)
    if module_name.startswith(BUILTIN_GROUP + "."):
        names.add(module_name.split(".", 1)[1])
    for registered, dist in pm.list_plugin_distinfo():
        if registered is plugin:
            names.add(dist.project_name if hasattr(dist, "project_name") else dist.name)
    return {n.replace("-", "_").lower() for n in names if n}


def resolve_disabled(names: Iterable[str]) -> list[Any]:
    """Turn user-given plugin names into plugin objects, checking ``REQUIRES``.

    Raises ``StartupError`` naming any unknown plugin, and any plugin that another
    enabled plugin requires.
    """
    wanted = {n.strip().replace("-", "_").lower(): n.strip() for n in names if n.strip()}
    if not wanted:
        return []
    by_name = {alias: plugin for plugin in pm.get_plugins() for alias in plugin_names(plugin)}
    unknown = sorted(given for key, given in wanted.items() if key not in by_name)
    if unknown:
        known = ", ".join(sorted(builtin_plugins()))
        raise StartupError(f"Unknown plugin to disable: {', '.join(unknown)} (built-ins: {known})")
    disabled = {id(by_name[key]): by_name[key] for key in wanted}
    for plugin in pm.get_plugins():
        if id(plugin) in disabled:
            continue
        for required in getattr(plugin, "REQUIRES", ()):
            target = by_name.get(required.replace("-", "_").lower())
            if target is not None and id(target) in disabled:
                raise StartupError(
                    f"Cannot disable {required}: plugin {pm.get_name(plugin)} requires it "
                    f"(disable both to go without it)"
                )
    return list(disabled.values())


class HookRelay:
    """``ds.hook.<name>(**kwargs)``: pluggy hook callers minus one instance's disabled plugins.

    ``await ds.hook.gather(name, **kw)`` awaits every result (upstream's "await me
    maybe" convention); ``await ds.hook.first(name, **kw)`` returns the first result
    that is not None once awaited.
    """

    def __init__(self, disabled: Iterable[Any] = ()) -> None:
        self._disabled = list(disabled)
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        caller = getattr(pm.hook, name)
        if self._disabled:
            caller = pm.subset_hook_caller(name, self._disabled)
        self._callers[name] = caller
        return caller

    def caller(self, name: str) -> Any:
        try:
            return self._callers[name]
        except KeyError:
            return getattr(self, name)

    def is_enabled(self, plugin: Any) -> bool:
        return all(plugin is not d for d in self._disabled)

    def _call(self, name: str, kwargs: dict[str, Any]) -> list[Any]:
        caller = self.caller(name)
        results = caller(**kwargs)
        spec = getattr(caller, "spec", None)
        return [results] if spec is not None and spec.opts.get("firstresult") else results

    async def gather(self, name: str, **kwargs: Any) -> list[Any]:
        return [await await_me_maybe(r) for r in self._call(name, kwargs)]

    async def first(self, name: str, **kwargs: Any) -> Any:
        for result in self._call(name, kwargs):
            result = await await_me_maybe(result)
            if result is not None:
                return result
        return None


def check_pending() -> None:
    """Fail loudly if a plugin implements a hook nobody declared (usually a typo)."""
    problems = []
    for name in dir(pm.hook):
        caller = getattr(pm.hook, name)
        if name.startswith("_") or not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if impl.hookwrapper or impl.wrapper or impl.optionalhook:
                continue
            args = ", ".join(impl.argnames)
            problems.append(f"plugin {impl.plugin_name} implements unknown hook {name}({args})")
    if problems:
        raise StartupError("; ".join(problems))


def get_plugins(hook: HookRelay | None = None) -> list[dict[str, Any]]:
    """Describe every registered plugin: name, static/templates paths, hooks, version."""
    load_plugins()
    distinfo = {id(p): d for p, d in pm.list_plugin_distinfo()}
    builtin_modules = {id(m) for m in _builtins.values()}
    plugins = []
    for plugin in pm.get_plugins():
        package = Path(plugin.__file__).parent if getattr(plugin, "__file__", None) else None
        static = package / "static" if package and package.name != "plugins" else None
        templates = package / "templates" if package and package.name != "plugins" else None
        if getattr(plugin, "__file__", "").endswith(".py") and not plugin.__file__.endswith("__init__.py"):
            static = templates = None  # single-file plugins ship no assets
        dist = distinfo.get(id(plugin))
        version = getattr(plugin, "__version__", None) if id(plugin) in builtin_modules else None
        if dist is not None:
            version = dist.version
        plugins.append({
            "name": getattr(plugin, "__name__", None) or pm.get_name(plugin),
            "static_path": str(static) if static and static.is_dir() else None,
            "templates_path": str(templates) if templates and templates.is_dir() else None,
            "hooks": sorted({h.name for h in pm.get_hookcallers(plugin) or []}),
            "version": version,
            "builtin": id(plugin) in builtin_modules,
            "enabled": hook.is_enabled(plugin) if hook else True,
            "distribution": dist.name if dist is not None else None,
        })
    return plugins
