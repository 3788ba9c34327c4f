"""The ``json`` output renderer: ``_shape``, ``_nl``, ``_json`` and ``_json_infinity``."""
from __future__ import annotations

import json
from typing import Any

from datasette.utils import path_from_row_pks
from datasette.utils.asgi import MultiParams, Response

from .encoding import dumps
from .rows import as_dicts, as_lists, column_names, first_values, parse_json_columns

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
SHAPES = ("objects", "arrays", "array", "arrayfirst", "object")
NO_TABLE_ERROR = "_shape=object is only available on tables"
NO_PKS_ERROR = "_shape=object not available for tables with no primary keys"
_TRUE = ("1", "on", "true")
_NO_ARGS = MultiParams({})


def error_body(body: dict) -> bytes:
    """Error bodies keep upstream's exact stdlib form, like the error_pages plugin."""
    return json.dumps(body).encode("utf-8")


async def render_json(datasette: Any, request: Any = None, columns: Any = None, rows: Any = None,
                      data: dict | None = None, database: str | None = None, table: str | None = None,
                      truncated: bool = False, error: str | None = None) -> Response:
    """Render ``data`` (or ``rows``) as JSON in the shape the request asks for."""
    args = request.args if request is not None else _NO_ARGS
    if error:
        body = {"ok": False, "rows": [], "error": str(error), "truncated": False}
        return Response(error_body(body), status=400, content_type=JSON_CONTENT_TYPE)
    if data is not None and rows is None and "rows" not in data:
        # a page without rows (database, index): its dict as it is; _shape does not apply
        allow_infinity = args.get("_json_infinity", "").lower() in _TRUE
        return Response(dumps(data, allow_infinity), content_type=JSON_CONTENT_TYPE)
    shape = args.get("_shape", "objects")
    if shape not in SHAPES:
        body = {"ok": False, "error": f"Invalid _shape: {shape}", "status": 400, "title": None}
        return Response(error_body(body), status=400, content_type=JSON_CONTENT_TYPE)
    allow_infinity = args.get("_json_infinity", "").lower() in _TRUE
    if data is None:
        data = {"ok": True, "rows": list(rows or []), "truncated": bool(truncated)}
    else:
        data = dict(data)  # never alter the view's dict
    source = data["rows"] if "rows" in data else list(rows or [])
    names = column_names(columns, data, source)
    if "columns" not in args.getlist("_extra"):  # only a literal _extra=columns keeps them
        data.pop("columns", None)
    json_columns = args.getlist("_json")
    if json_columns or shape != "arrays":
        source = as_dicts(source, names)
        if json_columns:
            source = parse_json_columns(source, json_columns)
    if shape == "objects":
        data["rows"] = source
    elif shape == "arrays":
        data["rows"] = as_lists(source)
    elif shape == "arrayfirst":
        return Response(dumps(first_values(source), allow_infinity), content_type=JSON_CONTENT_TYPE)
    elif shape == "array":
        if args.get("_nl"):
            body = b"\n".join(dumps(row, allow_infinity) for row in source)
            return Response(body, content_type="text/plain")
        return Response(dumps(source, allow_infinity), content_type=JSON_CONTENT_TYPE)
    else:
        return await render_object(datasette, data, database, table, source, allow_infinity)
    return Response(dumps(data, allow_infinity), content_type=JSON_CONTENT_TYPE)


async def render_object(datasette: Any, data: dict, database: str | None, table: str | None,
                        rows: list[dict], allow_infinity: bool) -> Response:
    """``_shape=object``: rows keyed by their tilde-encoded primary key values."""
    if not table:
        return Response(error_body({"ok": False, "error": NO_TABLE_ERROR}), content_type=JSON_CONTENT_TYPE)
    pks = data.get("primary_keys")
    if pks is None and database is not None:
        pks = await datasette.get_database(database).primary_keys(table)
    if not pks:
        return Response(error_body({"ok": False, "error": NO_PKS_ERROR}), content_type=JSON_CONTENT_TYPE)
    keyed = {path_from_row_pks(row, pks, False): row for row in rows}
    return Response(dumps(keyed, allow_infinity), content_type=JSON_CONTENT_TYPE)
