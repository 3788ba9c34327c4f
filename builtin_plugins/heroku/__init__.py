"""`datasette publish heroku`: deploy databases to Heroku through the heroku CLI and its Python buildpack."""
__version__ = "0.1.0"

from .hooks import publish_subcommand  # noqa: E402,F401
