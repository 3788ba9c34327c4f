"""`datasette.urls`: builds base_url-aware, tilde-encoded URLs for every kind of page."""
from __future__ import annotations

import urllib.parse
from typing import Any

from .utils import PrefixedUrlString, path_with_format, tilde_encode


class Urls:
    """URL builder bound to a Datasette instance; every method returns a PrefixedUrlString."""

    def __init__(self, ds: Any) -> None:
        self.ds = ds

    def path(self, path: str, format: str | None = None) -> PrefixedUrlString:
        """path under base_url (left alone if already prefixed), optionally with a format suffix."""
        if not isinstance(path, PrefixedUrlString):
            path = self.ds.setting("base_url") + path.lstrip("/")
        if format is not None:
            path = path_with_format(path=path, format=format)
        return PrefixedUrlString(path)

    def instance(self, format: str | None = None) -> PrefixedUrlString:
        """The index page."""
        return self.path("", format=format)

    def static(self, path: str) -> PrefixedUrlString:
        """A core static asset."""
        return self.path(f"-/static/{path}")

    def static_plugins(self, plugin: str, path: str) -> PrefixedUrlString:
        """A file in a plugin's static/ directory."""
        return self.path(f"-/static-plugins/{plugin}/{path}")

    def logout(self) -> PrefixedUrlString:
        """The logout page."""
        return self.path("-/logout")

    def database(self, database: str, format: str | None = None) -> PrefixedUrlString:
        """A database page (by its route)."""
        return self.path(tilde_encode(self.ds.get_database(database).route), format=format)

    def database_query(self, database: str, sql: str, format: str | None = None) -> PrefixedUrlString:
        """The arbitrary-SQL page for sql."""
        path = self._child(self.database(database), "-/query", format)
        return PrefixedUrlString(f"{path}?{urllib.parse.urlencode({'sql': sql})}")

    def table(self, database: str, table: str, format: str | None = None) -> PrefixedUrlString:
        """A table or view page."""
        return self._child(self.database(database), tilde_encode(table), format)

    def query(self, database: str, query: str, format: str | None = None) -> PrefixedUrlString:
        """A canned query page."""
        return self._child(self.database(database), tilde_encode(query), format)

    def row(self, database: str, table: str, row_path: str, format: str | None = None) -> PrefixedUrlString:
        """A row page; row_path is already tilde-encoded (see path_from_row_pks)."""
        return self._child(self.table(database, table), row_path, format)

    def row_blob(self, database: str, table: str, row_path: str, column: str) -> PrefixedUrlString:
        """Download link for a BLOB cell."""
        query = urllib.parse.urlencode({"_blob_column": column})
        return PrefixedUrlString(f"{self.table(database, table)}/{row_path}.blob?{query}")

    @staticmethod
    def _child(parent: str, child: str, format: str | None) -> PrefixedUrlString:
        path = f"{parent}/{child}"
        return PrefixedUrlString(path if format is None else path_with_format(path=path, format=format))
