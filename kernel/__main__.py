"""``python -m datasette``: the ``datasette`` command line."""
from datasette.cli import cli

if __name__ == "__main__":
    cli()
