"""datasette install / uninstall: arguments, the datasette pin, resolver reports (real pip: tests/test_install.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from datasette.cli import cli
from datasette_builtins.installer import pip as installer_pip
from datasette_builtins.installer.pip import (
    datasette_version, explain_conflict, install_arguments, is_datasette_itself)

# What pip 26 printed for a plugin requiring datasette>=1.0a20, with two releases tried.
RESOLVER_REPORT = """\
INFO: pip is looking at multiple versions of datasette-new to determine which version is compatible with other requirements. This could take a while.
ERROR: Cannot install datasette-new==0.1 and datasette-new==0.2 because these package versions have conflicting dependencies.

The conflict is caused by:
    datasette-new 0.2 depends on datasette>=1.0a20
    datasette-new 0.1 depends on datasette<1.0,>=0.64; python_version >= "3.8"
    datasette-leaflet 0.2.2 depends on datasette
    The user requested (constraint) datasette==1.0a19+kernel.1

To fix this you could try to:
1. loosen the range of package versions you've specified
2. remove package versions to allow pip attempt to solve the dependency conflict

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
"""


def test_install_arguments_pin_datasette_and_only_upgrade_what_is_needed():
    args = install_arguments(["datasette-vega"], upgrade=True, requirement="reqs.txt", editable="../p",
                             constraints="/tmp/c.txt")
    assert args == ["install", "--constraint", "/tmp/c.txt", "--upgrade-strategy", "only-if-needed",
                    "--upgrade", "--requirement", "reqs.txt", "--editable", "../p", "datasette-vega"]
    assert install_arguments([], upgrade=False, requirement=None, editable=None, constraints="c") == [
        "install", "--constraint", "c", "--upgrade-strategy", "only-if-needed"]


def test_pinned_version_is_the_installed_distribution_with_its_local_label():
    assert datasette_version() == "1.0a19+kernel.1"


@pytest.mark.parametrize("requirement,itself", [
    ("datasette", True), ("Datasette==0.65", True), ("datasette[test]>=1", True), ("datasette-vega", False),
    ("datasette_vega", False), ("./datasette", False)])
def test_is_datasette_itself(requirement, itself):
    assert is_datasette_itself(requirement) is itself


def test_explain_conflict_names_each_plugin_and_the_version_it_needs():
    message = explain_conflict(RESOLVER_REPORT, "1.0a19+kernel.1")
    assert message.startswith("Cannot install: datasette-new 0.2 requires datasette>=1.0a20; "
                              "datasette-new 0.1 requires datasette<1.0,>=0.64. ")
    assert "datasette is 1.0a19+kernel.1" in message and "\n" not in message
    assert "leaflet" not in message  # it accepts any datasette: not a cause


def test_explain_conflict_for_a_direct_request_and_for_other_failures():
    direct = ("ERROR: Cannot install datasette==0.65 because these package versions have conflicting "
              "dependencies.\n\nThe conflict is caused by:\n    The user requested datasette==0.65\n"
              "    The user requested (constraint) datasette==1.0a19+kernel.1\n")
    assert explain_conflict(direct, "1.0a19+kernel.1").startswith("Cannot install: you asked for datasette==0.65.")
    other = RESOLVER_REPORT.replace("depends on datasette", "depends on click")
    assert explain_conflict(other, "1.0a19+kernel.1") is None
    assert explain_conflict("ERROR: No matching distribution found for nothing-here", "1.0a19") is None


def test_install_needs_something_to_install():
    result = CliRunner().invoke(cli, ["install"])
    assert result.exit_code == 2 and "Please specify at least one package to install" in result.output
    result = CliRunner().invoke(cli, ["uninstall"])
    assert result.exit_code == 2 and "Missing argument 'PACKAGES...'" in result.output


def test_install_never_asks_pip_for_datasette_itself(monkeypatch):
    monkeypatch.setattr(installer_pip.subprocess, "Popen", lambda *a, **k: pytest.fail("pip was run"))
    result = CliRunner().invoke(cli, ["install", "-U", "datasette"])
    assert result.exit_code == 0
    assert "Skipping datasette: datasette is this project's own distribution" in result.output
    result = CliRunner().invoke(cli, ["uninstall", "datasette", "-y"])
    assert result.exit_code == 1 and "does not remove datasette itself" in result.output


def test_missing_pip_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(installer_pip.importlib.util, "find_spec", lambda name: None)
    result = CliRunner().invoke(cli, ["install", "datasette-vega"])
    assert result.exit_code == 1 and "pip is not installed in the environment Datasette runs from" in result.output


def test_a_plugin_command_named_install_wins_over_the_built_in():
    import click

    from datasette_builtins.installer.commands import add_commands

    group = click.Group()
    mine = click.Command("install", callback=lambda: None)
    group.add_command(mine)
    add_commands(group)
    assert group.commands["install"] is mine and "uninstall" in group.commands


def test_pip_gets_a_constraints_file_pinning_this_datasette(monkeypatch):
    seen = {}

    def fake_pip(command):
        constraints = command[command.index("--constraint") + 1]
        seen["command"], seen["constraints"] = command, Path(constraints).read_text()
        return 0, "", ""

    monkeypatch.setattr(installer_pip, "_run_holding_back_report", fake_pip)
    result = CliRunner().invoke(cli, ["install", "-U", "datasette-vega"])
    assert result.exit_code == 0, result.output
    assert seen["constraints"] == "datasette==1.0a19+kernel.1\n"
    assert seen["command"][1:4] == ["-m", "pip", "install"] and seen["command"][-2:] == ["--upgrade", "datasette-vega"]
    assert not Path(seen["command"][seen["command"].index("--constraint") + 1]).exists()  # cleaned up


def test_pip_failure_that_is_not_about_datasette_keeps_pips_words_and_status(monkeypatch):
    monkeypatch.setattr(installer_pip, "_run_holding_back_report",
                        lambda command: (2, "", "ERROR: No matching distribution found for nope\n"))
    result = CliRunner().invoke(cli, ["install", "nope"])
    assert result.exit_code == 2 and "No matching distribution found for nope" in result.output
