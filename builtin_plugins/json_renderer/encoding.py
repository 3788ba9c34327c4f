"""Turning response data into JSON bytes: orjson when installed, the stdlib otherwise.

Both paths agree on values: SQLite BLOBs become text when they are valid UTF-8 and
``{"$base64": true, "encoded": ...}`` otherwise, ``sqlite3.Row`` becomes a list, and
±Infinity/NaN become ``null`` unless the caller allows them (``_json_infinity=1``),
in which case the stdlib writes the ``Infinity`` tokens upstream Datasette writes.
orjson writes compact JSON (no spaces after ``,`` and ``:``) and raw UTF-8; the
stdlib path writes upstream's exact ``", "`` / ``": "`` ASCII form.
"""
from __future__ import annotations

import base64
import json
import math
from typing import Any

from datasette.utils.sqlite import sqlite3

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None


def encode_odd_value(value: Any) -> Any:
    """The JSON-able form of a value the encoders do not know natively."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value)
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"$base64": True, "encoded": base64.b64encode(value).decode("latin-1")}
    if isinstance(value, (sqlite3.Row, sqlite3.Cursor, tuple, set, frozenset)):
        return list(value)
    return str(value)  # an odd object becomes its text rather than a 500


def _finite(value: Any) -> Any:
    """A copy of value with every non-finite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, sqlite3.Row)):
        return [_finite(item) for item in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return encode_odd_value(value)
    return value


def _stdlib_dumps(value: Any, allow_infinity: bool) -> bytes:
    if not allow_infinity:
        value = _finite(value)
    try:
        text = json.dumps(value, default=encode_odd_value)
    except TypeError:  # dict keys of odd types
        text = json.dumps(value, default=encode_odd_value, skipkeys=True)
    return text.encode("utf-8")


def dumps(value: Any, allow_infinity: bool = False) -> bytes:
    """JSON bytes for value; non-finite floats become null unless allow_infinity."""
    if orjson is not None and not allow_infinity:
        try:
            return orjson.dumps(value, default=encode_odd_value)  # inf/nan -> null natively
        except (TypeError, orjson.JSONEncodeError):  # >64-bit ints, non-str keys...
            pass
    return _stdlib_dumps(value, allow_infinity)
