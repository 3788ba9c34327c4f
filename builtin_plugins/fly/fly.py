"""``datasette publish fly``: a Dockerfile and ``fly.toml``, deployed to Fly Machines by flyctl.

Fly builds the image remotely (``--remote-only``: no local Docker needed) and runs
it on Machines that stop when idle and start on the next request.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import click

from datasette.publish.common import (
    Deployment,
    PublishOptions,
    add_common_publish_arguments_and_options,
    build_directory,
    fail_if_publish_binary_not_installed,
    generate_dir_option,
    make_command,
    prepare_deployment,
    run,
    run_output,
    warn_if_too_large,
    write_dockerfile,
)

PORT = 8080
# A Machine's root filesystem (which holds the image) is limited to 8 GB; bigger data
# belongs on a Fly volume.
SIZE_LIMIT = 8 * 1024**3
SIZE_REFERENCE = "Machine root filesystem, https://fly.io/docs/volumes/overview/"
INSTALL_LINK = "https://fly.io/docs/flyctl/install/"


def flyctl_binary() -> str:
    """``flyctl``, or its alias ``fly``; one line if neither is installed."""
    for binary in ("flyctl", "fly"):
        if shutil.which(binary):
            return binary
    fail_if_publish_binary_not_installed("flyctl", "Fly", INSTALL_LINK)
    return "flyctl"  # pragma: no cover - the call above raised


def validate_memory(ctx: Any, param: Any, value: str) -> str:
    if not re.fullmatch(r"\d+(mb|gb)", value.lower()):
        raise click.BadParameter("--memory should be a number then mb/gb e.g. 512mb")
    return value.lower()


def fly_toml(app: str, region: str | None, memory: str, cpus: int, cpu_kind: str) -> str:
    """The app's configuration: one HTTP service on ``PORT``, scaled to zero when idle."""
    lines = [f"app = {json.dumps(app)}"]
    if region:
        lines.append(f"primary_region = {json.dumps(region)}")
    lines += ["", "[build]", '  dockerfile = "Dockerfile"', "",
              "[http_service]", f"  internal_port = {PORT}", "  force_https = true",
              '  auto_stop_machines = "stop"', "  auto_start_machines = true", "  min_machines_running = 0",
              "", "[[vm]]", f"  memory = {json.dumps(memory)}", f"  cpu_kind = {json.dumps(cpu_kind)}",
              f"  cpus = {cpus}"]
    return "\n".join(lines) + "\n"


def write_fly_files(deployment: Deployment, app: str, region: str | None, memory: str, cpus: int,
                    cpu_kind: str) -> Path:
    write_dockerfile(deployment, port=PORT)
    path = deployment.directory / "fly.toml"
    path.write_text(fly_toml(app, region, memory, cpus, cpu_kind))
    return path


def deploy_commands(binary: str, app: str, environment: dict[str, str]) -> list[list[str]]:
    """Stage the secrets, then deploy (building remotely) with the generated fly.toml."""
    commands = []
    if environment:
        commands.append([binary, "secrets", "set", "--app", app, "--stage"]
                        + [f"{k}={v}" for k, v in environment.items()])
    commands.append([binary, "deploy", "--app", app, "--config", "fly.toml", "--remote-only", "--ha=false"])
    return commands


def ensure_app(binary: str, app: str, org: str | None) -> None:
    apps = json.loads(run_output([binary, "apps", "list", "--json"]) or "[]")
    if not any(app in (a.get("Name"), a.get("name")) for a in apps):
        run([binary, "apps", "create", app] + (["--org", org] if org else []))


def _fly(files: tuple[str, ...], app: str, region: str | None, org: str | None, memory: str, cpus: str,
         cpu_kind: str, generate_dir: str | None, **common: Any) -> None:
    """Publish databases to Datasette running on Fly Machines"""
    options = PublishOptions.from_kwargs(files=files, **common)
    binary = "flyctl" if generate_dir else flyctl_binary()
    with build_directory(generate_dir) as directory:
        deployment = prepare_deployment(options, directory, link=not generate_dir)
        warn_if_too_large(deployment, SIZE_LIMIT, "Fly", SIZE_REFERENCE)
        write_fly_files(deployment, app, region, memory, int(cpus), cpu_kind)
        if generate_dir:
            hidden = {k: "***" for k in deployment.environment}
            commands = " && ".join(" ".join(c) for c in deploy_commands(binary, app, hidden))
            click.echo(f"Generated files written to {directory}, stopping without deploying. "
                       f"To deploy, run in it: {commands}", err=True)
            return
        ensure_app(binary, app, org)
        for command in deploy_commands(binary, app, deployment.environment):
            run(command, cwd=directory)


def make_fly_command() -> click.Command:
    """A fresh ``fly`` command, with the shared publish options."""

    decorators = [
        add_common_publish_arguments_and_options,
        click.option("-a", "--app", required=True, help="Fly app to deploy to (created if it does not exist)"),
        click.option("--region", help="Primary region, e.g. lhr (default: chosen by Fly)"),
        click.option("--org", help="Fly organization to create the app in"),
        click.option("--memory", default="256mb", show_default=True, callback=validate_memory,
                     help="Memory per Machine, e.g. 512mb or 1gb"),
        click.option("--cpus", type=click.Choice(["1", "2", "4", "8"]), default="1", show_default=True,
                     help="vCPUs per Machine"),
        click.option("--cpu-kind", type=click.Choice(["shared", "performance"]), default="shared",
                     show_default=True, help="Fly CPU kind"),
        generate_dir_option,
    ]
    return make_command("fly", _fly, decorators)
