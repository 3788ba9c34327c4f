"""The ``csv`` output renderer: one page of rows, or every row with ``_stream=on``."""
from __future__ import annotations

from typing import Any, AsyncIterator, Sequence

from datasette.utils import tilde_encode
from datasette.utils.asgi import BadRequest, MultiParams, Response
from datasette.views.base import DatasetteError

from .cells import BlobLinks, find_expanded, row_values
from .streaming import StreamingResponse
from .writer import CsvEncoder, capped_chunks, plain_text

STREAM_BATCH_SIZE = 2000
_NO_ARGS = MultiParams({})


def can_render_csv() -> bool:
    """False: views show their own "CSV" link when ``"csv" in datasette.renderers``.

    Upstream lists only the JSON-like renderers in ``_extra=renderers`` and the
    "This data as" links; CSV has its own place in the page.
    """
    return False


def _column_names(columns: Any, data: dict, rows: Sequence[Any]) -> list[str]:
    if columns:
        return list(columns)
    if data.get("columns"):
        return list(data["columns"])
    if rows and hasattr(rows[0], "keys"):
        return list(rows[0].keys())
    return []


def _expanded_indexes(columns: list[str], expanded_columns: Any, args: Any, first: Sequence[Any]) -> set[int]:
    if expanded_columns is not None:
        wanted = set(expanded_columns)
        return {index for index, column in enumerate(columns) if column in wanted}
    asked = "_labels" in args or "_label" in args
    return find_expanded(row_values(first), thorough=asked)


def _headers(args: Any, filename: str) -> tuple[dict[str, str], str]:
    if args.get("_dl"):
        return ({"content-disposition": f'attachment; filename="{filename}.csv"'},
                "text/csv; charset=utf-8")
    return {}, "text/plain; charset=utf-8"


async def _batches(first: Sequence[Any], rest: AsyncIterator[Sequence[Any]] | None):
    yield first
    if rest is not None:
        async for batch in rest:
            yield batch


async def render_csv(datasette: Any, request: Any = None, columns: Any = None, rows: Any = None,
                     data: dict | None = None, database: str | None = None, table: str | None = None,
                     query_name: str | None = None, error: str | None = None, stream_rows: Any = None,
                     expanded_columns: Any = None) -> Response:
    """Render rows as CSV; ``_stream=on`` streams every row through ``stream_rows``."""
    if error:
        raise DatasetteError(str(error), title="Invalid SQL", status=400)
    args = request.args if request is not None else _NO_ARGS
    data = data or {}
    page = data["rows"] if "rows" in data else list(rows or [])
    names = _column_names(columns, data, page)
    stream = bool(args.get("_stream"))
    rest = None
    if stream:
        if not datasette.setting("allow_csv_stream"):
            raise BadRequest("CSV streaming is disabled")
        if args.get("_next"):
            raise BadRequest("_next not allowed for CSV streaming")
        if stream_rows is not None:
            if expanded_columns is not None and not expanded_columns:  # no labels: text is made in the thread
                rest = aiter(stream_rows(batch_size=STREAM_BATCH_SIZE, transform=plain_text))
            else:
                rest = aiter(stream_rows(batch_size=STREAM_BATCH_SIZE))
            page = await anext(rest, [])
    expanded = _expanded_indexes(names, expanded_columns, args, page)
    links = BlobLinks(datasette, request, database, table, names, data.get("primary_keys"))
    encoder = CsvEncoder(links, expanded)
    header_text = "" if args.get("_header") == "off" else encoder.header(names)
    limit = (datasette.setting("max_csv_mb") or 0) * 1024 * 1024
    headers, content_type = _headers(args, tilde_encode(table or query_name or database or "data"))

    def chunks() -> AsyncIterator[str]:
        return capped_chunks(encoder, header_text, _batches(page, rest), limit)

    if rest is not None:
        return StreamingResponse(chunks, receive=request.receive if request is not None else None,
                                 headers=headers, content_type=content_type,
                                 send_body=request is None or request.method != "HEAD")
    body = "".join([chunk async for chunk in chunks()])
    return Response(body.encode("utf-8", "replace"), headers=headers, content_type=content_type)
