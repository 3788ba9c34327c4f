"""CSV text for batches of rows, capped at ``max_csv_mb``.

The common case costs no Python work per row: a batch goes straight to the C
``csv.writer``. ``str(bytes)`` always starts a field with ``b'`` or ``b"``, so a
batch whose text has no field starting that way holds no BLOBs; only batches
that might (and batches with label columns) are rebuilt cell by cell.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, AsyncIterator, Sequence

from .cells import BlobLinks, header, row_values, to_records

_MAYBE_BYTES_FIELD = re.compile(r"""(?:^|,)"?b['"]""", re.MULTILINE)


def limit_message(limit: int) -> str:
    """The text appended when the CSV outgrows ``max_csv_mb`` (upstream's words)."""
    return f"CSV contains more than {limit} bytes"


class CsvEncoder:
    """Encodes batches of view rows as CSV text with one reusable buffer."""

    def __init__(self, links: BlobLinks, expanded: set[int]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)  # excel dialect: CRLF, minimal quoting
        self.links, self.expanded = links, expanded

    def _text(self, records: Any) -> str:
        try:
            self._writer.writerows(records)
            return self._buffer.getvalue()
        finally:
            self._buffer.seek(0)
            self._buffer.truncate()

    def header(self, columns: list[str]) -> str:
        return self._text([header(columns, self.expanded)])

    async def rows(self, rows: Sequence[Any]) -> str:
        rows = row_values(rows)
        if not self.expanded:
            text = self._text(rows)
            if "b'" not in text and 'b"' not in text:  # plain substring tests: the fast path
                return text
            if not _MAYBE_BYTES_FIELD.search(text):
                return text
            if not any(isinstance(value, bytes) for row in rows for value in row):
                return text
        await self.links.prepare()
        return self._text(to_records(rows, self.expanded, self.links.url))


async def capped_chunks(encoder: CsvEncoder, header_text: str, batches: AsyncIterator[Sequence[Any]],
                        limit: int) -> AsyncIterator[str]:
    """The header then each batch as CSV text, ending with the limit message past ``limit``.

    ``limit`` counts characters, as upstream does; 0 means no limit. The row that
    would cross it is left out and the message (without a newline) ends the output.
    """
    written = 0
    if header_text:
        if limit and len(header_text) > limit:
            yield limit_message(limit)
            return
        written = len(header_text)
        yield header_text
    async for rows in batches:
        if not rows:
            continue
        text = await encoder.rows(rows)
        if limit and written + len(text) > limit:
            yield await _cut(encoder, rows, written, limit)
            return
        written += len(text)
        yield text


async def _cut(encoder: CsvEncoder, rows: Sequence[Any], written: int, limit: int) -> str:
    kept = []
    for row in row_values(rows):
        text = await encoder.rows([row])
        if written + len(text) > limit:
            break
        kept.append(text)
        written += len(text)
    return "".join(kept) + limit_message(limit)
