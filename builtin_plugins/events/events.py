"""Event dataclasses, importable as ``datasette.events.<Name>`` like upstream's."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datasette.events import Event


@dataclass
class LoginEvent(Event):
    """An actor signed in."""

    name = "login"


@dataclass
class LogoutEvent(Event):
    """An actor signed out."""

    name = "logout"


@dataclass
class CreateTokenEvent(Event):
    """An API token was created."""

    name = "create-token"
    expires_after: int | None
    restrict_all: list | None
    restrict_database: dict | None
    restrict_resource: dict | None


@dataclass
class CreateTableEvent(Event):
    """A table was created."""

    name = "create-table"
    database: str
    table: str
    schema: str


@dataclass
class AlterTableEvent(Event):
    """A table's schema changed."""

    name = "alter-table"
    database: str
    table: str
    before_schema: str
    after_schema: str


@dataclass
class DropTableEvent(Event):
    """A table was dropped."""

    name = "drop-table"
    database: str
    table: str


@dataclass
class InsertRowsEvent(Event):
    """Rows were inserted."""

    name = "insert-rows"
    database: str
    table: str
    num_rows: int
    ignore: bool
    replace: bool


@dataclass
class UpsertRowsEvent(Event):
    """Rows were upserted."""

    name = "upsert-rows"
    database: str
    table: str
    num_rows: int


@dataclass
class UpdateRowEvent(Event):
    """A row was updated."""

    name = "update-row"
    database: str
    table: str
    pks: Any


@dataclass
class DeleteRowEvent(Event):
    """A row was deleted."""

    name = "delete-row"
    database: str
    table: str
    pks: Any


BUILTIN_EVENTS = (LoginEvent, LogoutEvent, CreateTokenEvent, CreateTableEvent, AlterTableEvent,
                  DropTableEvent, InsertRowsEvent, UpsertRowsEvent, UpdateRowEvent, DeleteRowEvent)
