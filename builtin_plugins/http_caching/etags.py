"""Entity tags for data pages: what they are made of, and how ``If-None-Match`` is compared.

A tag is a hash of everything a data page's content depends on that can be known before the page
runs: the database's content version, the instance (configuration, metadata, settings, secret,
plugins and their versions), and the request (path and query string, host, credentials: the
``Cookie`` and ``Authorization`` headers, whether the client accepts gzip). Pages carry timings
(``query_ms``), so two responses with one tag are equivalent rather than byte-identical: the
tags are weak (``W/"..."``).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from datasette.plugins import pm
from datasette.version import __version__

def instance_fingerprint(datasette: Any) -> bytes:
    """What every page of this instance depends on besides its database and the request."""
    plugins = [(pm.get_name(p), getattr(p, "__version__", None)) for p in datasette.enabled_plugins()]
    state = {
        "version": __version__,
        "config": datasette.config,
        "metadata": getattr(datasette, "_metadata_local", None),
        "secret": hashlib.sha256(str(datasette._secret).encode()).hexdigest(),
        "plugins": plugins,
        "template_dir": datasette.template_dir,
    }
    return json.dumps(state, sort_keys=True, default=repr).encode()


def entity_tag(fingerprint: bytes, version: str, scope: dict, headers: dict[bytes, bytes]) -> bytes:
    """The weak ETag (as header bytes) of a GET/HEAD of this page at this content version."""
    # NUL separates the parts: it cannot occur in a header, a raw path or a query string.
    key = b"\0".join((fingerprint, version.encode(), scope.get("raw_path") or scope["path"].encode(),
                      scope.get("query_string", b""), headers.get(b"host", b""), headers.get(b"cookie", b""),
                      headers.get(b"authorization", b""),
                      b"gzip" if b"gzip" in headers.get(b"accept-encoding", b"") else b""))
    return b'W/"' + hashlib.blake2b(key, digest_size=12).hexdigest().encode() + b'"'


def if_none_match(value: bytes, tag: bytes) -> bool:
    """Weak comparison of ``If-None-Match`` (a list of tags) with ``tag``. ``*`` is not honoured:
    whether the page exists at all is only known by running it."""
    opaque = tag[2:] if tag.startswith(b"W/") else tag
    for candidate in value.split(b","):
        candidate = candidate.strip()
        if candidate.startswith(b"W/"):
            candidate = candidate[2:]
        if candidate == opaque:
            return True
    return False
