"""Keep asgi-csrf's multipart check working with current python-multipart.

asgi-csrf 0.11 builds ``FormParser(..., FileClass=...)`` to find the ``csrftoken``
field of a multipart body and to refuse bodies whose file comes before it;
python-multipart 0.0.25 removed ``FileClass``, so every multipart POST failed.
``TokenFormParser`` does the same job on python-multipart's low-level
``MultipartParser`` and is installed into asgi-csrf only when needed.
"""
from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any, Callable

import asgi_csrf
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

MAX_TOKEN_BYTES = 4096  # a real token is ~80 bytes; never buffer more than this


class TokenFormParser:
    """Streams multipart parts, reporting the ``csrftoken`` field to ``on_field``.

    Raises asgi-csrf's ``FileBeforeToken`` as soon as a file part's headers are
    seen before the token, so no file data is ever buffered.
    """

    def __init__(self, content_type: str, on_field: Callable[[Any], None], on_file: Any = None,
                 on_end: Any = None, boundary: bytes | str | None = None, **_: Any) -> None:
        self.on_field = on_field
        self.headers: dict[bytes, bytes] = {}
        self.header_name: list[bytes] = []
        self.header_value: list[bytes] = []
        self.token: list[bytes] | None = None
        self.parser = MultipartParser(boundary or b"", {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self.header_name.append(data[start:end]),
            "on_header_value": lambda data, start, end: self.header_value.append(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        })

    def write(self, data: bytes) -> int:
        return self.parser.write(data)

    def _part_begin(self) -> None:
        self.headers, self.token = {}, None

    def _header_end(self) -> None:
        self.headers[b"".join(self.header_name).lower()] = b"".join(self.header_value).strip()
        self.header_name.clear()
        self.header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition"))
        if b"filename" in options:
            raise asgi_csrf.FileBeforeToken
        if options.get(b"name") == b"csrftoken":
            self.token = []

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.token is not None and sum(map(len, self.token)) < MAX_TOKEN_BYTES:
            self.token.append(data[start:end])

    def _part_end(self) -> None:
        if self.token is not None:
            self.on_field(SimpleNamespace(field_name=b"csrftoken", value=b"".join(self.token)))


def install() -> None:
    """Swap in ``TokenFormParser`` if asgi-csrf's parser no longer accepts ``FileClass``."""
    parser = getattr(asgi_csrf, "FormParser", None)
    if parser is None or parser is TokenFormParser:
        return
    try:
        accepts = "FileClass" in inspect.signature(parser).parameters
    except (TypeError, ValueError):
        accepts = False
    if not accepts:
        asgi_csrf.FormParser = TokenFormParser
