"""Settings: declared by whoever reads them, validated in one place.

The kernel declares the settings it reads itself. A plugin declares its own as a
module-level ``SETTINGS`` list of ``Setting``; disabling the plugin removes them.
"""
from __future__ import annotations

from typing import Any, Iterable, NamedTuple


class Setting(NamedTuple):
    """A named setting with its default and a one-line help text."""

    name: str
    default: Any
    help: str


SETTINGS: list[Setting] = [
    Setting("num_sql_threads", 3, "Number of threads in the thread pool for executing SQLite queries"),
    Setting("sql_time_limit_ms", 1000, "Time limit for a SQL query in milliseconds"),
    Setting("max_returned_rows", 1000, "Maximum rows that can be returned from a table or custom query"),
    Setting("cache_size_kb", 0, "SQLite cache size in KB (0 == use SQLite default)"),
    Setting("force_https_urls", False, "Force URLs in API output to always use https:// protocol"),
    Setting("template_debug", False, "Allow display of template debug information with ?_context=1"),
    Setting("base_url", "/", "Datasette URLs should use this base path"),
]

OBSOLETE_SETTINGS = {
    "hash_urls": "The hash_urls setting has been removed, try the datasette-hashed-urls plugin instead",
    "default_cache_ttl_hashed": "The default_cache_ttl_hashed setting has been removed, "
                                "try the datasette-hashed-urls plugin instead",
}

_FALSE = {"off", "false", "0", "no"}
_TRUE = {"on", "true", "1", "yes"}


def collect_settings(plugins: Iterable[Any]) -> dict[str, Setting]:
    """The kernel's settings followed by those of each plugin given, in order."""
    declared = {s.name: s for s in SETTINGS}
    for plugin in plugins:
        for setting in getattr(plugin, "SETTINGS", ()) or ():
            declared.setdefault(setting.name, setting)
    return declared


def coerce_setting(setting: Setting, value: Any) -> Any:
    """Convert a value given as text (CLI, YAML) to the setting's type, or raise ValueError."""
    default = setting.default
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(f'"{setting.name}" should be on/off/true/false/1/0')
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise ValueError(f'"{setting.name}" should be an integer') from None
    return str(value)


def validate_settings(declared: dict[str, Setting], given: dict[str, Any], where: str) -> dict[str, Any]:
    """Merge given values over the defaults, naming the source of any bad one."""
    values = {name: s.default for name, s in declared.items()}
    for name, value in (given or {}).items():
        if name not in declared:
            hint = OBSOLETE_SETTINGS.get(name, "")
            raise ValueError(f"Invalid setting '{name}' in {where}" + (f": {hint}" if hint else ""))
        values[name] = coerce_setting(declared[name], value)
    return values
