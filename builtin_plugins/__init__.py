"""Datasette's built-in plugins: each subpackage is an independently versioned plugin."""
