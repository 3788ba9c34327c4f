"""SQL trace debugging: ?_trace=1 adds every query's timing to the response when trace_debug is on."""
from datasette.settings import Setting

__version__ = "0.1.0"

SETTINGS = [Setting("trace_debug", False, "Allow display of SQL trace debug information with ?_trace=1")]

from .hooks import asgi_wrapper  # noqa: E402,F401
