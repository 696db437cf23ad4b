"""Packaging metadata: one source for the version, the licence that ships, classifiers."""

import tomllib

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
