"""From view rows to CSV records: label columns split in two, BLOBs replaced by links."""
from __future__ import annotations

import hashlib
from typing import Any, Callable, Sequence

from datasette.utils import path_from_row_pks, path_with_format


def row_values(rows: Sequence[Any]) -> Sequence[Any]:
    """Rows as sequences: dict rows give their values, others are used as they are."""
    if rows and isinstance(rows[0], dict):
        return [list(row.values()) for row in rows]
    return rows


def find_expanded(rows: Sequence[Sequence[Any]], thorough: bool) -> set[int]:
    """Indexes of label-expanded columns (cells like ``{"value", "label"}``).

    ``thorough`` scans every row (a NULL foreign key is not expanded); otherwise
    only the first row is looked at, which is enough when no labels were asked for.
    """
    found: set[int] = set()
    for row in rows if thorough else rows[:1]:
        for index, value in enumerate(row):
            if isinstance(value, dict):
                found.add(index)
    return found


class BlobLinks:
    """Absolute ``.blob`` download URLs for BLOB cells.

    Table rows link to their row (``/db/t/<pks>.blob?_blob_column=c``); rows that
    can't be addressed (views, queries) link to this same page in ``.blob`` format
    with ``_blob_hash`` so the blob renderer can find the row again.
    """

    def __init__(self, datasette: Any, request: Any, database: str | None, table: str | None,
                 columns: list[str], primary_keys: list[str] | None) -> None:
        self.ds, self.request, self.database, self.table = datasette, request, database, table
        self.columns, self.pks = columns, primary_keys

    async def prepare(self) -> None:
        """Look up the table's primary keys, once, when the view did not pass them."""
        if self.pks is None:
            self.pks = []
            if self.table and self.database:
                self.pks = await self.ds.get_database(self.database).primary_keys(self.table)

    def _absolute(self, path: str) -> str:
        return self.ds.absolute_url(self.request, path) if self.request is not None else path

    def url(self, row: Sequence[Any], index: int, value: bytes) -> str:
        column = self.columns[index]
        use_rowid = not self.pks
        if self.table and self.database and (self.pks or "rowid" in self.columns):
            row_path = path_from_row_pks(dict(zip(self.columns, row)), self.pks, use_rowid)
            return self._absolute(self.ds.urls.row_blob(self.database, self.table, row_path, column))
        extra = {"_blob_column": column, "_blob_hash": hashlib.sha256(value).hexdigest()}
        if self.request is None:
            return ""
        return self._absolute(path_with_format(request=self.request, format="blob", extra_qs=extra,
                                               replace_format="csv"))


def to_records(rows: Sequence[Sequence[Any]], expanded: set[int],
               blob_url: Callable[[Sequence[Any], int, bytes], str]) -> list[list[Any]]:
    """CSV records: expanded columns become value + label, BLOBs become URLs."""
    records = []
    for row in rows:
        record: list[Any] = []
        for index, value in enumerate(row):
            if isinstance(value, dict):
                record.append(value.get("value"))
                if index in expanded:
                    record.append(value.get("label"))
                continue
            record.append(blob_url(row, index, value) if isinstance(value, bytes) else value)
            if index in expanded:  # a NULL or dangling foreign key has no label
                record.append("")
        records.append(record)
    return records


def header(columns: list[str], expanded: set[int]) -> list[str]:
    """Column names, with ``<col>_label`` after each expanded column."""
    names = []
    for index, column in enumerate(columns):
        names.append(column)
        if index in expanded:
            names.append(f"{column}_label")
    return names
