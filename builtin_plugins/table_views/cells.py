"""HTML for table cells: the ``render_cell`` hook first, then the default rendering.

Cells are built as escaped strings and joined into the table body in one go (``rows_html``);
templates that want to loop over cells themselves get ``display_rows``, whose cell dicts
(``column``, ``value``, ``value_type``, ``raw``) are only built if a template asks for them.
"""
from __future__ import annotations

from typing import Any, Iterator

from markupsafe import Markup

from datasette.utils import await_me_maybe, is_url, path_from_row_pks, tilde_encode, to_css_class, truncate_url

NBSP = "&nbsp;"


def _escape(text: str) -> str:
    # Chained replace is faster than str.translate or markupsafe.escape for short cells.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&#34;").replace("'", "&#39;")


def esc(value: Any) -> str:
    """HTML-escaped text (as markupsafe.escape, without building a Markup object)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(value if value.__class__ is str else str(value))


def type_class(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, (bool, int)):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, bytes):
        return "bytes"
    return "str"


def link(url: str, text: Any) -> str:
    return f'<a href="{esc(url)}">{esc(text)}</a>'


def binary_cell(url: str, value: bytes) -> str:
    size = len(value)
    return (f'<a class="blob-download" href="{esc(url)}">&lt;Binary:&nbsp;{size:,}&nbsp;'
            f'byte{"" if size == 1 else "s"}&gt;</a>')


def plain_cell(value: Any, truncate: int) -> str:
    """Default HTML of a value: NULL blank, URLs linked, long text truncated."""
    if value is None:
        return NBSP
    if value.__class__ is str:
        if is_url(value):
            return link(value, truncate_url(value, truncate))
        if truncate and len(value) > truncate:
            value = value[:truncate] + "\u2026"
        return _escape(value)
    return _escape(str(value))


def label_cell(url: str, value: Any, label: Any) -> str:
    """A foreign key with its label: ``<a>label</a>&nbsp;<em>value</em>`` (just the link if the same)."""
    shown = label if label not in (None, "") else "-"
    if str(shown) == str(value):
        return link(url, value)
    return f"{link(url, shown)}&nbsp;<em>{esc(value)}</em>"


class DisplayRows:
    """Rows of ``(column, css, value_type, raw, html)`` cells, shown to templates as dicts."""

    def __init__(self, rows: list[list[tuple]]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def __iter__(self) -> Iterator[list[dict]]:
        for row in self._rows:
            yield [{"column": column, "css": css, "value_type": value_type, "raw": raw, "value": Markup(html)}
                   for column, css, value_type, raw, html in row]

    def __getitem__(self, index: int) -> list[dict]:
        return list(DisplayRows([self._rows[index]]))[0]

    def html(self) -> Markup:
        """The ``<tr>`` elements of the table body."""
        return Markup("".join(
            "<tr>" + "".join(f'<td class="col-{css} type-{value_type}">{html}</td>'
                             for _, css, value_type, _, html in row) + "</tr>\n"
            for row in self._rows))


class CellRenderer:
    """Renders the cells of one page; asks ``render_cell`` plugins first when there are any."""

    def __init__(self, datasette: Any, request: Any, database: str, table: str | None) -> None:
        self.ds, self.request, self.database, self.table = datasette, request, database, table
        self.hooked = bool(datasette.hook.render_cell.get_hookimpls())
        self.truncate = datasette.setting("truncate_cells_html") or 0

    async def from_plugins(self, row: Any, value: Any, column: str) -> str | None:
        results = self.ds.hook.render_cell(row=row, value=value, column=column, table=self.table,
                                           database=self.database, datasette=self.ds, request=self.request)
        for result in results:
            result = await await_me_maybe(result)
            if result is not None:
                return esc(result)
        return None

    async def render_rows(self, columns: list[str], rows: list, pks: list[str], use_rowid: bool,
                          fks: dict[str, str], link_column: bool, pk_link: str | None) -> DisplayRows:
        """The cells of ``rows``; ``fks`` maps a foreign key column to its other table."""
        urls, database, table, truncate = self.ds.urls, self.database, self.table, self.truncate
        css = [to_css_class(column) for column in columns]
        table_url = urls.table(database, table) if table else ""
        other_urls = {column: urls.table(database, other) for column, other in fks.items()}
        hooked = self.hooked
        rendered = []
        for row in rows:
            cells = []
            row_path = path_from_row_pks(row, pks, use_rowid) if (link_column or pk_link) else None
            if link_column:
                text = path_from_row_pks(row, pks, use_rowid, quote=False)
                cells.append(("Link", "Link", "pk", row_path, link(f"{table_url}/{row_path}", text)))
            values = list(dict.values(row)) if isinstance(row, dict) else row
            for index, column in enumerate(columns):
                value = values[index]
                labelled = value.__class__ is dict and "label" in value
                raw = value["value"] if labelled else value
                html = await self.from_plugins(row, raw, column) if hooked else None
                value_type = type_class(raw)
                if html is None:
                    if column == pk_link:
                        value_type = "pk"
                        html = link(f"{table_url}/{row_path}", raw)
                    elif raw is None:
                        html = NBSP
                    elif labelled:
                        other = other_urls[column] + "/" + tilde_encode(str(raw))
                        html = label_cell(other, raw, value["label"])
                    elif value_type == "bytes":
                        html = binary_cell(self._blob_url(row_path, row, pks, use_rowid, column), raw)
                    else:
                        html = plain_cell(raw, truncate)
                cells.append((column, css[index], value_type, raw, html))
            rendered.append(cells)
        return DisplayRows(rendered)

    def _blob_url(self, row_path: str | None, row: Any, pks: list[str], use_rowid: bool, column: str) -> str:
        if self.table is None or (not pks and not use_rowid):
            return ""
        path = row_path or path_from_row_pks(row, pks, use_rowid)
        return self.ds.urls.row_blob(self.database, self.table, path, column)
