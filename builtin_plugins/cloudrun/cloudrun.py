"""``datasette publish cloudrun``: build the image with Cloud Build, deploy it to Cloud Run."""
from __future__ import annotations

import re
from typing import Any

import click

from datasette.publish.common import (
    PublishOptions,
    add_common_publish_arguments_and_options,
    build_directory,
    fail_if_publish_binary_not_installed,
    generate_dir_option,
    make_command,
    prepare_deployment,
    run,
    run_output,
    show_files,
    warn_if_too_large,
    write_dockerfile,
)

# Cloud Run keeps a container's writable filesystem in memory and defaults to 512 MiB
# instances; past about 2 GB of data, builds, cold starts and memory get impractical.
SIZE_LIMIT = 2 * 1024**3
SIZE_REFERENCE = "https://cloud.google.com/run/docs/configuring/services/memory-limits"
INSTALL_LINK = "https://cloud.google.com/sdk/"


def validate_memory(ctx: Any, param: Any, value: str | None) -> str | None:
    if value and not re.fullmatch(r"\d+(Gi|G|Mi|M)", value):
        raise click.BadParameter("--memory should be a number then Gi/G/Mi/M e.g 1Gi")
    return value


def env_vars_argument(environment: dict[str, str]) -> str:
    """``--set-env-vars`` value; gcloud's ``^DELIM^`` form when a value holds a comma."""
    pairs = [f"{name}={value}" for name, value in environment.items()]
    if any("," in pair for pair in pairs):
        return "^@~@^" + "@~@".join(pairs)
    return ",".join(pairs)


def deploy_commands(project: str, image_name: str, service: str, timeout: int | None, memory: str | None,
                    cpu: str | None, max_instances: int | None, min_instances: int | None,
                    environment: dict[str, str]) -> list[list[str]]:
    """The ``gcloud`` commands: Cloud Build, then Cloud Run (secrets as environment variables)."""
    image = f"gcr.io/{project}/{image_name}"
    build = ["gcloud", "builds", "submit", "--tag", image]
    if timeout:
        build += ["--timeout", str(timeout)]
    deploy = ["gcloud", "run", "deploy", "--allow-unauthenticated", "--platform=managed", "--image", image, service]
    for flag, value in (("--memory", memory), ("--cpu", cpu), ("--max-instances", max_instances),
                        ("--min-instances", min_instances)):
        if value is not None:
            deploy += [flag, str(value)]
    if environment:
        deploy += ["--set-env-vars", env_vars_argument(environment)]
    return [build, deploy]


def _cloudrun(files: tuple[str, ...], name: str, service: str | None, spatialite: bool, show_files_: bool,
              memory: str | None, cpu: str | None, timeout: int | None, apt_get_install: tuple[str, ...],
              max_instances: int | None, min_instances: int | None, generate_dir: str | None,
              **common: Any) -> None:
    """Publish databases to Datasette running on Cloud Run"""
    options = PublishOptions.from_kwargs(files=files, **common)
    if max_instances is not None and min_instances is not None and min_instances > max_instances:
        raise click.ClickException(f"--min-instances {min_instances} cannot be greater than "
                                   f"--max-instances {max_instances}")
    if not generate_dir:
        fail_if_publish_binary_not_installed("gcloud", "Google Cloud", INSTALL_LINK)
    # As upstream: an explicit service's image is datasette-SERVICE; else the image is NAME.
    image_name, service = (f"datasette-{service}", service) if service else (name, name)
    with build_directory(generate_dir) as directory:
        deployment = prepare_deployment(options, directory, spatialite=spatialite, link=not generate_dir)
        warn_if_too_large(deployment, SIZE_LIMIT, "Cloud Run", SIZE_REFERENCE)
        write_dockerfile(deployment, port=8001, apt_get_install=apt_get_install,
                         extra_serve=["--setting", "force_https_urls", "on"])
        if show_files_:
            show_files(directory, ["metadata.json", "Dockerfile"])
        if generate_dir:
            hidden = {k: "***" for k in deployment.environment}
            commands = deploy_commands("PROJECT", image_name, service, timeout, memory, cpu, max_instances,
                                       min_instances, hidden)
            click.echo(f"Generated files written to {directory}, stopping without deploying. "
                       f"To deploy, run in it: {' && '.join(' '.join(c) for c in commands)}", err=True)
            return
        project = run_output(["gcloud", "config", "get-value", "project"])
        if not project or project == "(unset)":
            raise click.ClickException("No Google Cloud project is set: run gcloud config set project PROJECT_ID")
        for command in deploy_commands(project, image_name, service, timeout, memory, cpu, max_instances,
                                       min_instances, deployment.environment):
            run(command, cwd=directory)


def make_cloudrun_command() -> click.Command:
    """A fresh ``cloudrun`` command, with the shared publish options."""

    decorators = [
        add_common_publish_arguments_and_options,
        click.option("-n", "--name", default="datasette",
                     help="Application name to use when building (the default service name)"),
        click.option("--service", default="", help="Cloud Run service to deploy (or over-write)"),
        click.option("--spatialite", is_flag=True, help="Enable SpatialLite extension"),
        click.option("--show-files", is_flag=True, help="Output the generated Dockerfile and metadata.json"),
        click.option("--memory", callback=validate_memory, help="Memory to allocate in Cloud Run, e.g. 1Gi"),
        click.option("--cpu", type=click.Choice(["1", "2", "4"]), help="Number of vCPUs to allocate in Cloud Run"),
        click.option("--timeout", type=int, help="Build timeout in seconds"),
        click.option("--apt-get-install", multiple=True, help="Additional packages to apt-get install"),
        click.option("--max-instances", type=int, help="Maximum Cloud Run instances"),
        click.option("--min-instances", type=int, help="Minimum Cloud Run instances"),
        generate_dir_option,
    ]
    return make_command("cloudrun", _cloudrun, decorators, rename={"show_files": "show_files_"})
