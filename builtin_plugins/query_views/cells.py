"""HTML for the cells of a query's results table, built in Python for speed.

A 1,000-row page is tens of thousands of cells: looping over them in an async
Jinja template costs several times more than joining strings here.
"""
from __future__ import annotations

import hashlib
from typing import Any

from markupsafe import Markup, escape

from datasette.utils import await_me_maybe, is_url, path_with_format, to_css_class, truncate_url
from datasette.utils.asgi import Request


def cell_html(value: Any, column: str, request: Request, truncate: int, blob_links: bool) -> str:
    """How a value shows when no ``render_cell`` plugin has an opinion (already escaped)."""
    kind = type(value)
    if kind is int or kind is float:
        return str(value)
    if value is None:
        return "&nbsp;"
    if kind is str:
        if value.startswith(("http://", "https://")) and is_url(value):
            return f'<a href="{escape(value)}">{escape(truncate_url(value, truncate))}</a>'
        if truncate and len(value) > truncate:
            value = value[:truncate] + "…"
        return str(escape(value))
    if kind is bytes:
        label = f"&lt;Binary:&nbsp;{len(value):,}&nbsp;bytes&gt;"
        if not blob_links:
            return label
        url = path_with_format(request=request, format="blob", extra_qs={
            "_blob_column": column, "_blob_hash": hashlib.sha256(value).hexdigest()})
        return f'<a class="blob-download" href="{escape(url)}">{label}</a>'
    return str(escape(str(value)))


async def _plugin_cell(results: list) -> Any:
    for result in results:
        result = await await_me_maybe(result)
        if result is not None:
            return result
    return None


async def display_rows(datasette: Any, request: Request, database: str, columns: list[str],
                       rows: list[Any]) -> tuple[list[list[Markup]], Markup]:
    """``(cells, tbody_html)``: each row's cell HTML, and all rows as ``<tr>`` elements.

    ``render_cell`` plugins are asked first (the first non-None answer wins; a plain
    string is escaped, Markup is not); the hook is skipped when no plugin implements it.
    """
    truncate = datasette.setting("truncate_cells_html") or 0
    blob_links = "blob" in datasette.renderers
    render_cell = datasette.hook.render_cell
    ask_plugins = bool(render_cell.get_hookimpls())
    td_open = [f'<td class="col-{escape(to_css_class(column))}">' for column in columns]
    all_cells: list[list[Markup]] = []
    html_rows: list[str] = []
    for row in rows:
        cells = []
        for column, value in zip(columns, row):
            html = None
            if ask_plugins:
                plugin_value = await _plugin_cell(render_cell(
                    row=row, value=value, column=column, table=None, database=database,
                    datasette=datasette, request=request))
                if plugin_value is not None:
                    html = str(escape(plugin_value))
            if html is None:
                html = cell_html(value, column, request, truncate, blob_links)
            cells.append(html)
        all_cells.append([Markup(cell) for cell in cells])
        html_rows.append("<tr>" + "".join([opening + cell + "</td>" for opening, cell in zip(td_open, cells)])
                         + "</tr>")
    return all_cells, Markup("\n".join(html_rows))
