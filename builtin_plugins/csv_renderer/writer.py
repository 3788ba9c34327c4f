"""CSV text for batches of rows, capped at ``max_csv_mb``.

The common case costs no Python work per row. A batch of plain tuples is first
formatted with ``"%s,%s,...\r\n" % row``, about twice as fast as ``csv.writer``;
counting commas, quotes and line breaks in the result tells whether any field
needed quoting, and only then is the batch written again by the C ``csv.writer``
(which is also used for every other kind of row). ``str(bytes)`` always starts a
field with ``b'`` or ``b"``, so a batch whose text has no field starting that way
holds no BLOBs; only batches that might (and batches with label columns) are
rebuilt cell by cell.
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

    async def rows(self, rows: Sequence[Any] | str) -> str:
        """CSV text for a batch of rows, or the batch itself when `plain_text` made it text already."""
        if isinstance(rows, str):
            return rows
        rows = row_values(rows)
        if not self.expanded:
            text = _formatted(rows) or self._text(rows)
            if _no_blobs(rows, text):
                return text
        await self.links.prepare()
        return self._text(to_records(rows, self.expanded, self.links.url))


def plain_text(rows: Sequence[Any]) -> Sequence[Any] | str:
    """A batch as CSV text when it can be written without quoting or BLOB links, else unchanged.

    Safe to call in another thread (it is handed to ``stream_rows`` as its ``transform``).
    """
    text = _formatted(rows)
    return text if text is not None and _no_blobs(rows, text) else rows


def _no_blobs(rows: Sequence[Any], text: str) -> bool:
    if "'" not in text or ("b'" not in text and 'b"' not in text):  # plain substring tests: the fast path
        return True
    if not _MAYBE_BYTES_FIELD.search(text):
        return True
    return not any(isinstance(value, bytes) for row in rows for value in row)


def _formatted(rows: Sequence[Any]) -> str | None:
    """The batch as CSV when it is made of tuples none of whose fields needs quoting, else None.

    ``csv.writer`` writes None as an empty field and every other value as ``str()``, quoting
    only fields holding a comma, a double quote or a line break. Fields holding none of
    those leave exactly ``width - 1`` commas and one CRLF per row. A row of one empty
    field is written as ``""``, so one-column batches always take the writer's path.
    """
    count = len(rows)
    if not count or type(rows[0]) is not tuple or len(rows[0]) < 2:
        return None
    width = len(rows[0])
    template = ",".join(("%s",) * width).__mod__
    try:
        text = "\r\n".join(map(template, rows)) + "\r\n"
        if "None" in text and any(None in row for row in rows):  # NULLs are written as empty fields
            rows = [tuple("" if value is None else value for value in row) if None in row else row for row in rows]
            text = "\r\n".join(map(template, rows)) + "\r\n"
    except TypeError:  # rows of different widths
        return None
    if text.count(",") != count * (width - 1) or '"' in text or text.count("\n") != count \
            or text.count("\r") != count:
        return None
    return text


async def capped_chunks(encoder: CsvEncoder, header_text: str, batches: AsyncIterator[Sequence[Any] | str],
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


async def _cut(encoder: CsvEncoder, rows: Sequence[Any] | str, written: int, limit: int) -> str:
    kept = []
    # Text from plain_text has exactly one CRLF per row and none inside fields.
    lines = [line + "\r\n" for line in rows.split("\r\n")[:-1]] if isinstance(rows, str) else None
    for row in lines or row_values(rows):
        text = row if lines else await encoder.rows([row])
        if written + len(text) > limit:
            break
        kept.append(text)
        written += len(text)
    return "".join(kept) + limit_message(limit)
