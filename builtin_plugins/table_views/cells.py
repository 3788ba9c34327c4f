"""HTML for table cells: the ``render_cell`` hook first, then the default rendering."""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from datasette.utils import await_me_maybe, is_url, path_from_row_pks, tilde_encode, to_css_class, truncate_url

NBSP = Markup("&nbsp;")


def type_class(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "int"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, bytes):
        return "bytes"
    return "str"


def binary_cell(url: str, value: bytes) -> Markup:
    return Markup('<a class="blob-download" href="{}">&lt;Binary:&nbsp;{:,}&nbsp;byte{}&gt;</a>').format(
        url, len(value), "" if len(value) == 1 else "s")


def plain_cell(value: Any, truncate: int) -> Markup:
    """Default HTML of a value: NULL blank, URLs linked, long text truncated."""
    if value is None:
        return NBSP
    if isinstance(value, str):
        if is_url(value):
            return Markup('<a href="{}">{}</a>').format(value, truncate_url(value, truncate))
        if truncate and len(value) > truncate:
            value = value[:truncate] + "\u2026"
        return escape(value)
    return escape(str(value))


def label_cell(url: str, value: Any, label: Any) -> Markup:
    """A foreign key with its label: ``<a>label</a>&nbsp;<em>value</em>`` (the label alone if the same)."""
    shown = label if label not in (None, "") else "-"
    if str(shown) == str(value):
        return Markup('<a href="{}">{}</a>').format(url, value)
    return Markup('<a href="{}">{}</a>&nbsp;<em>{}</em>').format(url, shown, value)


class CellRenderer:
    """Renders the cells of one page; asks ``render_cell`` plugins first when there are any."""

    def __init__(self, datasette: Any, request: Any, database: str, table: str | None) -> None:
        self.ds, self.request, self.database, self.table = datasette, request, database, table
        caller = datasette.hook.render_cell
        self.hooked = bool(caller.get_hookimpls())
        self.truncate = datasette.setting("truncate_cells_html") or 0

    async def from_plugins(self, row: Any, value: Any, column: str) -> Any:
        if not self.hooked:
            return None
        results = self.ds.hook.render_cell(row=row, value=value, column=column, table=self.table,
                                           database=self.database, datasette=self.ds, request=self.request)
        for result in results:
            result = await await_me_maybe(result)
            if result is not None:
                return Markup(result) if not isinstance(result, Markup) else result
        return None

    async def render_rows(self, columns: list[str], rows: list, pks: list[str], use_rowid: bool,
                          fks: dict[str, str], link_column: bool, pk_link: str | None) -> list[list[dict]]:
        """``[[{column, value (Markup), raw, value_type}]]``; ``fks`` maps a column to its other table."""
        urls = self.ds.urls
        css = {column: to_css_class(column) for column in columns}
        rendered = []
        for row in rows:
            cells = []
            row_path = None
            if link_column or pk_link:
                row_path = path_from_row_pks(row, pks, use_rowid)
            if link_column:
                cells.append({"column": "Link", "css": "Link", "value_type": "pk", "raw": row_path,
                              "value": Markup('<a href="{}">{}</a>').format(
                                  urls.row(self.database, self.table, row_path),
                                  path_from_row_pks(row, pks, use_rowid, quote=False))})
            for index, column in enumerate(columns):
                value = row[index]
                labelled = isinstance(value, dict) and "value" in value and "label" in value
                raw = value["value"] if labelled else value
                cell = await self.from_plugins(row, raw, column)
                value_type = type_class(raw)
                if cell is None:
                    if column == pk_link:
                        value_type = "pk"
                        cell = Markup('<a href="{}">{}</a>').format(urls.row(self.database, self.table, row_path), raw)
                    elif raw is None:
                        cell = NBSP
                    elif isinstance(raw, bytes):
                        cell = binary_cell(self._blob_url(row_path, row, pks, use_rowid, column), raw)
                    elif labelled:
                        other = urls.row(self.database, fks[column], tilde_encode(str(raw)))
                        cell = label_cell(other, raw, value["label"])
                    else:
                        cell = plain_cell(raw, self.truncate)
                cells.append({"column": column, "css": css[column], "value_type": value_type, "raw": raw,
                              "value": cell})
            rendered.append(cells)
        return rendered

    def _blob_url(self, row_path: str | None, row: Any, pks: list[str], use_rowid: bool, column: str) -> str:
        if self.table is None or (not pks and not use_rowid):
            return ""
        path = row_path or path_from_row_pks(row, pks, use_rowid)
        return self.ds.urls.row_blob(self.database, self.table, path, column)
