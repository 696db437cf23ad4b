"""Help, README and behaviour must not drift apart."""

import re

import pytest
import typer.main

from gkctl.cli.app import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, object]]:
    root = typer.main.get_command(app)
    found = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found += [(f"{name} {sub}", c) for sub, c in subcommands.items()]
        else:
            found.append((name, command))
    return found


COMMANDS = _commands()


def test_commands_are_registered() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"validate", "due", "list", "show", "deadline", "units"} <= names


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_documented(name: str, command: object) -> None:
    help_text = getattr(command, "help", "") or ""
    assert help_text.strip(), f"{name} has no help"
    assert re.search(r"示例：gkctl ", help_text), f"{name}'s help ends without an example"
    assert f"gkctl {name}" in README, f"README does not mention gkctl {name}"
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option" and param.name != "help":
            assert param.help, f"{name} {param.opts} has no help"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_help_runs(gk, name: str, command: object) -> None:
    result = gk(*name.split(), "--help", data=None)
    assert result.exit_code == 0
    assert result.stdout.startswith("用法：gkctl")


def test_readme_quick_start_is_two_make_commands() -> None:
    quick = README.split("## 快速开始", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["make demo", "make test"]


def test_readme_quick_start_without_make_writes_out_make_demo() -> None:
    # Windows has no make: the quick start spells out what make demo runs, with python -m.
    block = README.split("**没有 make 时**", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    ran = [line.strip().replace("$(BIN)/gkctl", ".venv/bin/python -m gkctl") for line in demo]
    assert lines[0] == "python -m venv .venv"
    assert lines[1] == ".venv/bin/python -m pip install -c constraints.txt -e ."
    assert lines[2:4] == ran


def test_readme_exit_codes_match() -> None:
    from gkctl.core.errors import ExitCode

    for code in ExitCode:
        assert f"| {int(code)} |" in README


def test_makefile_targets_named_in_readme_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^make (\w+)", README, flags=re.M):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target


def test_ci_runs_make_test() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_command_module_table_matches_registrations() -> None:
    # main() builds only the module a command line names; the table must not drift.
    from gkctl.cli import app as appmod

    for module in appmod.MODULES:
        built = appmod.build((module,))
        names = {c.name or c.callback.__name__ for c in built.registered_commands}
        names |= {g.typer_instance.info.name for g in built.registered_groups if g.typer_instance}
        assert names == {n for n, m in appmod.COMMAND_MODULES.items() if m == module}, module
    assert set(appmod.COMMAND_MODULES) == {name.split()[0] for name, _ in COMMANDS}


@pytest.mark.parametrize("name", sorted(__import__("gkctl.cli.app").cli.app.COMMAND_MODULES))
def test_each_command_can_be_built_alone(name: str) -> None:
    # main() builds only the command a command line names.
    from gkctl.cli import app as appmod

    built = appmod.build((appmod.COMMAND_MODULES[name],), only=name)
    commands = [c.name or appmod._command_name(c) for c in built.registered_commands]
    groups = [g.typer_instance.info.name for g in built.registered_groups if g.typer_instance]
    assert commands + groups == [name]


def _package_map() -> dict[str, set[str]]:
    """The README's 代码地图: each package row and the module files it names."""
    section = README.split("### 代码地图", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        found = re.match(r"\| `gkctl/([a-z_]+)/` \| (.*) \|$", line)
        if found:
            rows[found.group(1)] = set(re.findall(r"`([a-z_]+)(?:\.py|/)`", found.group(2)))
    return rows


def test_readme_package_map_matches_the_tree() -> None:
    # A newcomer finds the room for a change from this table, so it must name every module.
    package = ROOT / "gkctl"
    loose = sorted(
        p.name for p in package.glob("*.py") if p.name not in {"__init__.py", "__main__.py"}
    )
    assert loose == [], f"modules outside a layer package: {loose}"
    layers = {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    mapped = _package_map()
    assert set(mapped) == layers
    for layer, named in mapped.items():
        folder = package / layer
        present = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
        present |= {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
        assert named == present, (
            f"gkctl/{layer}/: README names {sorted(named)}, tree has {sorted(present)}"
        )
