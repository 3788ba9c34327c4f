"""``datasette.publish``: upstream's import path for publishing helpers (see ``common``)."""
