"""HTML for the cells of a query's results table."""
from __future__ import annotations

import hashlib
from typing import Any

from markupsafe import Markup, escape

from datasette.utils import await_me_maybe, is_url, path_with_format, truncate_url
from datasette.utils.asgi import Request

NBSP = Markup("&nbsp;")


def _truncate(text: str, length: int) -> str:
    return text[:length] + "…" if length and len(text) > length else text


def default_cell(value: Any, column: str, request: Request, truncate: int, blob_links: bool) -> Any:
    """How a value shows when no ``render_cell`` plugin has an opinion."""
    if value is None:
        return NBSP
    if isinstance(value, str):
        if is_url(value):
            return Markup('<a href="{}">{}</a>').format(value, truncate_url(value, truncate))
        return _truncate(value, truncate)
    if isinstance(value, bytes):
        label = Markup("&lt;Binary:&nbsp;{:,}&nbsp;bytes&gt;").format(len(value))
        if not blob_links:
            return label
        url = path_with_format(request=request, format="blob", extra_qs={
            "_blob_column": column, "_blob_hash": hashlib.sha256(value).hexdigest()})
        return Markup('<a class="blob-download" href="{}">{}</a>').format(url, label)
    return str(value)


async def _plugin_cell(results: list, default: Any) -> Any:
    for result in results:
        result = await await_me_maybe(result)
        if result is not None:
            return result
    return default


async def display_rows(datasette: Any, request: Request, database: str, columns: list[str],
                       rows: list[Any]) -> list[list[Any]]:
    """Each row as a list of cell values ready for the template (escaped there unless Markup).

    ``render_cell`` plugins are asked first (the first non-None answer wins); the hook
    is skipped entirely when no plugin implements it.
    """
    truncate = datasette.setting("truncate_cells_html") or 0
    blob_links = "blob" in datasette.renderers
    render_cell = datasette.hook.render_cell
    ask_plugins = bool(render_cell.get_hookimpls())
    output = []
    for row in rows:
        cells = []
        for column, value in zip(columns, row):
            cell = default_cell(value, column, request, truncate, blob_links)
            if ask_plugins:
                results = render_cell(row=row, value=value, column=column, table=None, database=database,
                                      datasette=datasette, request=request)
                cell = await _plugin_cell(results, cell)
            cells.append(cell)
        output.append(cells)
    return output
