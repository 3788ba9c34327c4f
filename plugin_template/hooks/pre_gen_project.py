"""Refuse a plugin name that can't be a distribution and a Python package name."""
import re
import sys

name = "{{ cookiecutter.hyphenated }}"
if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name):
    sys.exit(f"ERROR: {name!r} is not a usable plugin name: use letters, digits and hyphens, "
             f"starting with a letter (for example datasette-my-plugin)")
