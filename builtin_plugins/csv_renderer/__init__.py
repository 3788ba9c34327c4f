"""The .csv output format, including streaming every row with _stream=on."""
__version__ = "0.2.0"

from datasette.settings import Setting  # noqa: E402

from .hooks import register_output_renderer  # noqa: E402,F401

SETTINGS = [
    Setting("allow_csv_stream", True, "Allow .csv?_stream=1 to download all rows (ignoring max_returned_rows)"),
    Setting("max_csv_mb", 100, "Maximum size allowed for CSV export in MB - set 0 to disable this limit"),
]
