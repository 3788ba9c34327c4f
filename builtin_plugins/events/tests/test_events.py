import pytest

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm


class Recorder:
    def __init__(self):
        self.events = []

    @hookimpl
    def track_event(self, datasette, event):
        self.events.append(event)


@pytest.fixture
def recorder():
    plugin = Recorder()
    pm.register(plugin, name="event-recorder")
    yield plugin
    pm.unregister(plugin)


def test_upstream_import_paths():
    from datasette.events import CreateTableEvent, Event, LoginEvent

    assert issubclass(LoginEvent, Event) and LoginEvent.name == "login"
    assert CreateTableEvent.name == "create-table"


@pytest.mark.asyncio
async def test_builtin_events_reach_track_event(recorder):
    from datasette.events import InsertRowsEvent, LoginEvent

    ds = Datasette(memory=True)
    try:
        await ds.invoke_startup()
        assert {cls.name for cls in ds.event_classes} >= {
            "login", "logout", "create-token", "create-table", "alter-table", "drop-table",
            "insert-rows", "upsert-rows", "update-row", "delete-row"}
        await ds.track_event(LoginEvent(actor={"id": "alice"}))
        await ds.track_event(InsertRowsEvent(actor=None, database="db", table="t", num_rows=3,
                                             ignore=False, replace=True))
        assert [e.name for e in recorder.events] == ["login", "insert-rows"]
        assert recorder.events[0].actor == {"id": "alice"}
        assert recorder.events[1].properties() == {
            "database": "db", "table": "t", "num_rows": 3, "ignore": False, "replace": True}
        assert recorder.events[0].created.tzinfo is not None
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_disabled_events_plugin_rejects_builtin_events():
    from datasette.events import LogoutEvent

    ds = Datasette(memory=True, disabled_plugins=["events"])
    try:
        await ds.invoke_startup()
        with pytest.raises(AssertionError):
            await ds.track_event(LogoutEvent(actor=None))
    finally:
        ds.close()
