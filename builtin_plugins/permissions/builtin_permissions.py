"""The fourteen permissions Datasette itself checks (spec §f.1)."""
from __future__ import annotations

from typing import Any

from datasette import Permission

# name, abbr, description, takes_database, takes_resource, default, implies_can_view
_TABLE = [
    ("view-instance", "vi", "View Datasette instance", False, False, True, False),
    ("view-database", "vd", "View database", True, False, True, True),
    ("view-database-download", "vdd", "Download database file", True, False, True, False),
    ("view-table", "vt", "View table", True, True, True, True),
    ("view-query", "vq", "View named query results", True, True, True, True),
    ("execute-sql", "es", "Execute read-only SQL queries", True, False, True, True),
    ("permissions-debug", "pd", "Access permission debug tool", False, False, False, False),
    ("debug-menu", "dm", "View debug menu items", False, False, False, False),
    ("insert-row", "ir", "Insert rows", True, True, False, False),
    ("delete-row", "dr", "Delete rows", True, True, False, False),
    ("update-row", "ur", "Update rows", True, True, False, False),
    ("create-table", "ct", "Create tables", True, False, False, False),
    ("alter-table", "at", "Alter tables", True, True, False, False),
    ("drop-table", "dt", "Drop tables", True, True, False, False),
]


def builtin_permissions(datasette: Any) -> list[Permission]:
    """The built-in permissions; ``execute-sql`` defaults to the ``default_allow_sql`` setting."""
    allow_sql = datasette.setting("default_allow_sql")
    return [
        Permission(name, abbr, description, takes_database, takes_resource,
                   bool(allow_sql) if name == "execute-sql" and allow_sql is not None else default,
                   implies_can_view)
        for name, abbr, description, takes_database, takes_resource, default, implies_can_view in _TABLE
    ]
