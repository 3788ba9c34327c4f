"""The options every publish target shares, and the checks run on them."""
from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass, field
from typing import Any, Callable

import click

from datasette.cli import StaticMount
from datasette.utils import parse_metadata

METADATA_TEXT_OPTIONS = ("title", "license", "license_url", "source", "source_url", "about", "about_url")
COMMON_OPTION_NAMES = ("metadata", "extra_options", "branch", "template_dir", "plugins_dir", "static",
                       "install", "plugin_secret", "version_note", "secret") + METADATA_TEXT_OPTIONS
_DIRECTORY = click.Path(exists=True, file_okay=False, dir_okay=True)


def _metadata_text_options() -> list[Callable]:
    helps = {"title": "Title", "license": "License label", "license_url": "License URL",
             "source": "Source label", "source_url": "Source URL", "about": "About label",
             "about_url": "About URL"}
    return [click.option(f"--{name}", help=f"{helps[name]} for metadata") for name in METADATA_TEXT_OPTIONS]


def publish_options(*, plugin_secret: bool = True, random_secret: bool = True) -> list[Callable]:
    """The shared click options, in upstream's order (``--help`` lists them so)."""
    options = [
        click.option("-m", "--metadata", type=click.File(mode="r"),
                     help="Path to JSON/YAML file containing metadata to publish"),
        click.option("--extra-options", help="Extra options to pass to datasette serve"),
        click.option("--branch", help="Build Datasette from this git branch or ref of the checkout it is "
                                      "installed from, instead of the installed code"),
        click.option("--template-dir", type=_DIRECTORY, help="Path to directory containing custom templates"),
        click.option("--plugins-dir", type=_DIRECTORY, help="Path to directory containing custom plugins"),
        click.option("--static", type=StaticMount(), multiple=True,
                     help="Serve static files from this directory at /MOUNT/..."),
        click.option("--install", multiple=True,
                     help="Additional packages (e.g. plugins) to install: PyPI names, or paths "
                          "to local wheels/sdists/directories, which are copied into the build"),
    ]
    if plugin_secret:
        options.append(click.option(
            "--plugin-secret", nargs=3, type=(str, str, str), callback=validate_plugin_secret,
            multiple=True, help="Secrets to pass to plugins, e.g. --plugin-secret "
                                "datasette-auth-github client_id xxx"))
    options += [
        click.option("--version-note", help="Additional note to show on /-/versions"),
        click.option("--secret", envvar="DATASETTE_PUBLISH_SECRET",
                     default=(lambda: secrets.token_hex(32)) if random_secret else None,
                     show_default=False,
                     help="Secret used for signing secure values, such as signed cookies"),
    ]
    return options + _metadata_text_options()


def add_common_publish_arguments_and_options(subcommand: Callable) -> Callable:
    """Decorate a publish target with the FILES argument and the shared options.

    The decorated function receives ``files`` and one keyword per option
    (``metadata``, ``extra_options``, ``branch``, ``template_dir``, ``plugins_dir``,
    ``static``, ``install``, ``plugin_secret``, ``version_note``, ``secret``,
    ``title``, ``license``, ``license_url``, ``source``, ``source_url``, ``about``,
    ``about_url``); ``PublishOptions.from_kwargs(**those)`` turns them into one object.
    """
    for decorator in reversed([click.argument("files", type=click.Path(), nargs=-1)] + publish_options()):
        subcommand = decorator(subcommand)
    return subcommand


def make_command(name: str, implementation: Callable[..., None], options: list[Callable],
                 rename: dict[str, str] | None = None) -> click.Command:
    """A fresh click command that calls ``implementation(**options)``; ``options`` apply first-outermost.

    Fresh on every call, because click records parameters on the function it decorates.
    ``rename`` maps a CLI parameter name to the keyword ``implementation`` takes instead.
    """

    def command(**kwargs: Any) -> None:
        for cli_name, keyword in (rename or {}).items():
            kwargs[keyword] = kwargs.pop(cli_name)
        implementation(**kwargs)

    command.__doc__ = implementation.__doc__
    for option in reversed(options):
        command = option(command)
    return click.command(name=name)(command)


def generate_dir_option(subcommand: Callable) -> Callable:
    """``--generate-dir DIRECTORY``: write the deployment files there and stop (a dry run)."""
    return click.option("--generate-dir", type=click.Path(file_okay=False, dir_okay=True),
                        help="Output generated application files and stop without deploying")(subcommand)


def validate_plugin_secret(ctx: Any, param: Any, value: Any) -> Any:
    """Click callback for ``--plugin-secret PLUGIN KEY VALUE``: names must be usable, no contradictions."""
    seen: dict[tuple[str, str], str] = {}
    for plugin, key, secret_value in value or ():
        if not plugin.strip() or not re.fullmatch(r"[A-Za-z0-9_.-]+", key):
            raise click.BadParameter(f"bad plugin secret name {plugin!r} {key!r}: use PLUGIN KEY VALUE, "
                                     f"KEY made of letters, digits, '_', '-' or '.'")
        if seen.get((plugin, key), secret_value) != secret_value:
            raise click.ClickException(f"--plugin-secret {plugin} {key} is given twice with different values")
        seen[(plugin, key)] = secret_value
    return value


def fail_if_publish_binary_not_installed(binary: str, publish_target: str, install_link: str) -> None:
    """Stop with one line if the provider's command-line tool is not on PATH."""
    if not shutil.which(binary):
        raise click.ClickException(f"Publishing to {publish_target} requires {binary} to be installed "
                                   f"and configured: see {install_link}")


def plugin_secret_variable(plugin: str, key: str) -> str:
    """Environment variable holding a plugin secret: ``datasette-auth-github client_id`` ->
    ``DATASETTE_AUTH_GITHUB_CLIENT_ID`` (upstream's naming)."""
    return re.sub(r"[^A-Z0-9_]", "_", f"{plugin}_{key}".upper())


@dataclass
class PublishOptions:
    """The shared options of a publish command, parsed and checked."""

    files: tuple[str, ...] = ()
    metadata: dict = field(default_factory=dict)
    extra_options: str | None = None
    branch: str | None = None
    template_dir: str | None = None
    plugins_dir: str | None = None
    static: tuple[tuple[str, str], ...] = ()
    install: tuple[str, ...] = ()
    plugin_secret: tuple[tuple[str, str, str], ...] = ()
    version_note: str | None = None
    secret: str | None = None

    @classmethod
    def from_kwargs(cls, files: tuple[str, ...] = (), **kwargs: Any) -> PublishOptions:
        """Build from the keywords the common options give a command (unknown keywords are errors)."""
        unknown = set(kwargs) - set(COMMON_OPTION_NAMES)
        if unknown:
            raise TypeError(f"unexpected publish options: {', '.join(sorted(unknown))}")
        metadata = _read_metadata(kwargs.get("metadata"))
        metadata.update({name: kwargs[name] for name in METADATA_TEXT_OPTIONS if kwargs.get(name)})
        return cls(files=tuple(files), metadata=metadata,
                   **{name: kwargs.get(name) for name in ("extra_options", "branch", "template_dir",
                                                          "plugins_dir", "version_note", "secret")},
                   static=tuple(kwargs.get("static") or ()), install=tuple(kwargs.get("install") or ()),
                   plugin_secret=tuple(kwargs.get("plugin_secret") or ()))

    def environment(self) -> dict[str, str]:
        """Secrets as environment variables: set by the deploy command, never written to a file."""
        env = {plugin_secret_variable(p, k): v for p, k, v in self.plugin_secret}
        if self.secret:
            env["DATASETTE_SECRET"] = self.secret
        return env

    def published_metadata(self) -> dict:
        """The metadata to deploy: the given one, with ``$env`` references for plugin secrets."""
        metadata = dict(self.metadata)
        if self.plugin_secret:
            plugins = dict(metadata.get("plugins") or {})
            for plugin, key, _ in self.plugin_secret:
                plugins[plugin] = dict(plugins.get(plugin) or {})
                plugins[plugin][key] = {"$env": plugin_secret_variable(plugin, key)}
            metadata["plugins"] = plugins
        return metadata


def _read_metadata(file: Any) -> dict:
    if file is None:
        return {}
    name = getattr(file, "name", "metadata")
    try:
        data = parse_metadata(file.read())
    except Exception as error:  # parse_metadata raises its own error type for bad JSON/YAML
        raise click.ClickException(f"{name} is not valid JSON or YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{name} must hold a JSON/YAML object")
    return data


def check_conflicts(**exclusive: Any) -> None:
    """One line for options that cannot be combined: ``check_conflicts(tar=..., generate_dir=...)``."""
    given = [f"--{name.replace('_', '-')}" for name, value in exclusive.items() if value]
    if len(given) > 1:
        raise click.ClickException(f"{' and '.join(given)} cannot be used together")

