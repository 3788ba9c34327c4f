"""`datasette publish cloudrun`: deploy databases to Google Cloud Run through gcloud."""
__version__ = "0.1.0"

from .hooks import publish_subcommand  # noqa: E402,F401
