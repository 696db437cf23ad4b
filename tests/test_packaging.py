"""Packaging metadata: one source for the version, the licence that ships, classifiers."""

import tomllib
import zipfile
from pathlib import Path

from gkctl import __version__
from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_version_has_one_source() -> None:
    # hatch reads __version__ from gkctl/__init__.py; pyproject.toml must not repeat it.
    assert "version" not in PROJECT["project"]
    assert PROJECT["project"]["dynamic"] == ["version"]
    assert PROJECT["tool"]["hatch"]["version"] == {"path": "gkctl/__init__.py"}
    assert __version__.count(".") == 2 and all(p.isdigit() for p in __version__.split("."))


def test_version_option_prints_it(gk) -> None:
    assert gk("--version", data=None).stdout == f"gkctl {__version__}\n"


def test_licence_ships() -> None:
    assert PROJECT["project"]["license"] == "MIT"
    assert PROJECT["project"]["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_classifiers_match_the_supported_pythons() -> None:
    classifiers = PROJECT["project"]["classifiers"]
    assert PROJECT["project"]["requires-python"] == ">=3.11"
    versions = [c.rsplit(" :: ", 1)[1] for c in classifiers if c.count("::") == 2 and "3." in c]
    assert versions == ["3.11", "3.12", "3.13"]
    assert "Natural Language :: Chinese (Simplified)" in classifiers


def test_the_wheel_ships_the_templates_and_its_type_marker(tmp_path: Path) -> None:
    # Built as pip builds it (the build backend of pyproject.toml), then looked inside: a
    # type checker only reads gkctl's annotations where the installed package has py.typed.
    from hatchling.builders.wheel import WheelBuilder

    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "gkctl/py.typed" in names
    assert "gkctl/templates/summary.md.j2" in names
    assert "gkctl/__main__.py" in names
    # The editors' JSON Schema of the data files, where gkctl init's files point.
    assert {"gkctl/schemas/tasks.schema.json", "gkctl/schemas/units.schema.json"} <= names
    assert not any(n.startswith(("tests/", "data/")) for n in names)


def test_the_minimum_versions_are_the_declared_floors() -> None:
    # make test-min (and CI's minimums job) install constraints-min.txt: it must name each
    # dependency's lower bound exactly, or the job tests versions nobody declared.
    declared = {}
    for spec in PROJECT["project"]["dependencies"]:
        name, _, bounds = spec.partition(">=")
        floor = bounds.split(",")[0]
        declared[name.lower()] = floor
    pinned = {}
    for line in (ROOT / "constraints-min.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[name.lower()] = version
    assert set(pinned) == set(declared)
    for name, floor in declared.items():
        # "13.8" admits 13.8.0; the pin may spell the zeros out.
        assert pinned[name].split(".")[: floor.count(".") + 1] == floor.split("."), name
        assert pinned[name].removeprefix(floor).strip(".0") == "", name
