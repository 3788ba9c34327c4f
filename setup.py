"""Maps kernel/ to the import package `datasette` and builtin_plugins/ to `datasette_builtins`.

pyproject.toml holds the metadata; this file only lists the packages, because
setuptools' automatic discovery cannot rename directories.
"""
from setuptools import find_packages, setup


def mapped(directory: str, package: str) -> list[str]:
    found = find_packages(directory, exclude=["tests", "*.tests", "*.tests.*"])
    return [package] + [f"{package}.{name}" for name in found]


setup(packages=mapped("kernel", "datasette") + mapped("builtin_plugins", "datasette_builtins"))
