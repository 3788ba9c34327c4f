"""The ``blob`` output renderer: one BLOB cell of a row (or query result) as a download."""
from __future__ import annotations

import hashlib
from typing import Any, Sequence

from datasette.utils import to_css_class
from datasette.utils.asgi import BadRequest, NotFound, Response
from datasette.views.base import DatasetteError

EXPIRED = "Link has expired - the requested binary content has changed or could not be found."


def can_render_blob() -> bool:
    """False: there is no "download as .blob" link for a whole page."""
    return False


def _column_names(columns: Any, rows: Sequence[Any]) -> list[str]:
    if columns:
        return list(columns)
    if rows and hasattr(rows[0], "keys"):
        return list(rows[0].keys())
    return []


def _as_bytes(value: Any) -> bytes | None:
    """The downloadable bytes of a cell: BLOBs as they are, text as UTF-8, NULL as nothing."""
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return None  # numbers are not binary content


def _cell(row: Any, index: int, column: str) -> Any:
    value = row[column] if isinstance(row, dict) else row[index]
    if isinstance(value, dict) and "value" in value:  # a label-expanded foreign key
        value = value["value"]
    return value


def _filename(table: str | None, pks: str | None, column: str, blob_hash: str | None) -> str:
    bits = ([to_css_class(table)] if table else []) + ([pks] if pks else []) + [column]
    if blob_hash:
        bits.append(blob_hash[:6])
    return "-".join(bits).replace('"', "").replace("\\", "") + ".blob"


async def render_blob(datasette: Any, request: Any, columns: Any = None, rows: Any = None,
                      data: dict | None = None, table: str | None = None,
                      error: str | None = None) -> Response:
    """The bytes of ``?_blob_column=`` in the first row, or the row matching ``_blob_hash``."""
    if error:
        raise DatasetteError(str(error), title="Invalid SQL", status=400)
    if not rows and data and "rows" in data:
        rows = data["rows"]
    rows = list(rows or [])
    column = request.args.get("_blob_column")
    if not column:
        raise BadRequest("?_blob_column= is required")
    names = _column_names(columns, rows)
    if column not in names:
        raise BadRequest(f"{column} is not a valid column")
    index = names.index(column)
    blob_hash = request.args.get("_blob_hash")
    if blob_hash is not None:
        for row in rows:
            body = _as_bytes(_cell(row, index, column))
            if body is not None and hashlib.sha256(body).hexdigest() == blob_hash:
                break
        else:
            raise BadRequest(EXPIRED)
    elif rows:
        body = _as_bytes(_cell(rows[0], index, column))
        if body is None:
            raise BadRequest(f"The value of {column} is not a BLOB")
    else:
        raise NotFound("No rows returned, so there is no BLOB to download")
    filename = _filename(table, request.url_vars.get("pks"), column, blob_hash)
    headers = {"X-Content-Type-Options": "nosniff",
               "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, headers=headers, content_type="application/binary")
