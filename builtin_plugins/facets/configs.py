"""Which facets a request asks for: table configuration plus ``?_facet*=`` arguments, and sizes."""
from __future__ import annotations

import json
import urllib.parse
from typing import Any

from datasette.utils.asgi import BadRequest


def load_facet_configs(request: Any, table_config: dict | None) -> dict[str, list[dict]]:
    """``{type: [{"source": "metadata"|"request", "config": {...}}]}`` for one table request.

    Table configuration ``facets:`` entries come first: a column name is a column facet,
    ``{"array": "tags"}`` / ``{"date": "created"}`` name the type. Then each
    ``?_facet=`` (type ``column``) or ``?_facet_<type>=`` argument, whose value is a column
    name or a JSON object such as ``{"column": "tags"}``.
    """
    configs: dict[str, list[dict]] = {}
    for entry in (table_config or {}).get("facets") or []:
        if isinstance(entry, str):
            facet_type, config = "column", {"simple": entry}
        elif isinstance(entry, dict) and len(entry) == 1:
            facet_type, config = next(iter(entry.items()))
            if isinstance(config, str):
                config = {"simple": config}
        else:
            raise BadRequest("Facet configuration entries must be a column name or {type: config}")
        configs.setdefault(facet_type, []).append({"source": "metadata", "config": config})
    for key, values in urllib.parse.parse_qs(request.query_string, keep_blank_values=True).items():
        if key == "_facet":
            facet_type = "column"
        elif key.startswith("_facet_"):
            facet_type = key[len("_facet_"):]
        else:
            continue
        for value in values:
            configs.setdefault(facet_type, []).append({"source": "request", "config": _parse_value(key, value)})
    return configs


def _parse_value(key: str, value: str) -> dict:
    if not value.startswith("{"):
        return {"simple": value}
    try:
        config = json.loads(value)
    except ValueError:
        raise BadRequest(f"{key}= must be a column name or a JSON object") from None
    if not isinstance(config, dict):
        raise BadRequest(f"{key}= must be a column name or a JSON object")
    return config


def config_column(config: dict) -> str:
    """The column a facet configuration names (``column`` key, else the plain value)."""
    column = config.get("column") or config.get("simple")
    if not isinstance(column, str) or not column:
        raise BadRequest("Facet configuration needs a column")
    return column


def facet_size(datasette: Any, request: Any, table_config: dict | None) -> int:
    """Values per facet: ``?_facet_size=`` (a number or ``max``), else the table's
    ``facet_size``, else ``default_facet_size``; never more than ``max_returned_rows``.
    An unusable ``?_facet_size=`` is ignored."""
    size = datasette.setting("default_facet_size")
    max_rows = datasette.setting("max_returned_rows")
    asked = request.args.get("_facet_size")
    configured = (table_config or {}).get("facet_size")
    if asked:
        if asked == "max":
            size = max_rows
        elif asked.isdigit():
            size = int(asked)
    elif configured:
        size = max_rows if configured == "max" else int(configured)
    return min(size, max_rows)
