"""Row conversions: whatever the view hands over, as dicts, lists or first values.

Views may pass rows as ``sqlite3.Row``/tuples/lists aligned with ``columns`` or as
dicts; label-expanded cells are ``{"value": ..., "label": ...}`` dicts.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Sequence


def column_names(columns: Sequence[str] | None, data: dict, rows: Sequence[Any]) -> list[str]:
    """The row column names: the columns argument, data["columns"], or the rows' own keys."""
    if columns:
        return list(columns)
    if data.get("columns"):
        return list(data["columns"])
    if rows and hasattr(rows[0], "keys"):
        return list(rows[0].keys())
    return []


def as_dicts(rows: Sequence[Any], columns: list[str]) -> list[dict]:
    """Rows as ``{column: value}`` dicts (dict rows are returned as they are)."""
    if not rows or isinstance(rows[0], dict):
        return list(rows)
    return [dict(zip(columns, row)) for row in rows]


def as_lists(rows: Sequence[Any]) -> list[Sequence[Any]]:
    """Rows as JSON arrays: dicts by their values, ``sqlite3.Row`` as tuples."""
    if not rows:
        return []
    if isinstance(rows[0], dict):
        return [list(row.values()) for row in rows]
    if isinstance(rows[0], (list, tuple)):
        return list(rows)
    return [tuple(row) for row in rows]


def first_values(rows: Iterable[Any]) -> list[Any]:
    """The first column of each row; a label-expanded cell gives its raw value."""
    values = []
    for row in rows:
        value = next(iter(row.values() if isinstance(row, dict) else row), None)
        if isinstance(value, dict) and "value" in value:
            value = value["value"]
        values.append(value)
    return values


def parse_json_columns(rows: list[dict], names: list[str]) -> list[dict]:
    """Copies of the rows with JSON text in the named columns parsed (``_json=COL``)."""
    parsed = []
    for row in rows:
        row = dict(row)
        for name in names:
            value = row.get(name)
            if isinstance(value, str):
                try:
                    row[name] = json.loads(value)
                except ValueError:
                    pass
        parsed.append(row)
    return parsed
