"""validate --format codequality / junit: the reports a GitLab merge request shows."""

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import DATA, FIXTURES

TYPO = "任务 1 中有未知的键“deadine”，是否为“deadline”？"


def _data(tmp_path: Path, tasks: Path | None = None, undated: bool = False) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy(tasks or DATA / "tasks.yaml", target / "tasks.yaml")
    shutil.copy(DATA / "units.yaml", target / "units.yaml")
    if undated:  # task 1 loses its 时间节点: a warning, not a problem
        path = target / "tasks.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("    deadline: 全年\n", "", 1), encoding="utf-8")
    return target


def test_codequality_marks_each_problem_on_its_line(tmp_path, gk, monkeypatch) -> None:
    _data(tmp_path, FIXTURES / "invalid" / "unknown_key_typo.yaml")
    monkeypatch.chdir(tmp_path)
    result = gk("validate", "--format", "codequality", data=Path("data"))
    assert result.exit_code == 1
    [entry] = json.loads(result.stdout)
    fingerprint = entry.pop("fingerprint")
    assert entry == {
        "description": TYPO + "（第 16 行第 5 列）",
        "check_name": "gkctl/unknown-key",
        "severity": "major",
        "location": {"path": "data/tasks.yaml", "lines": {"begin": 16}},
    }
    # The same problem keeps its fingerprint (GitLab tells new problems from old by it).
    again = json.loads(gk("validate", "-f", "codequality", data=Path("data")).stdout)
    assert len(fingerprint) == 64 and again[0]["fingerprint"] == fingerprint


def test_codequality_of_valid_data(tmp_path, gk, monkeypatch) -> None:
    _data(tmp_path, undated=True)
    monkeypatch.chdir(tmp_path)
    result = gk("validate", "--format", "codequality", data=Path("data"))
    assert result.exit_code == 0
    [entry] = json.loads(result.stdout)
    assert entry["severity"] == "minor" and entry["check_name"] == "gkctl/undated"
    assert gk("validate", "-f", "codequality").stdout == "[]\n"


def test_junit_lists_each_problem_as_a_failed_test(tmp_path, gk, monkeypatch) -> None:
    _data(tmp_path, FIXTURES / "invalid" / "unknown_key_typo.yaml")
    monkeypatch.chdir(tmp_path)
    result = gk("validate", "--format", "junit", data=Path("data"))
    assert result.exit_code == 1
    suites = ET.fromstring(result.stdout.encode("utf-8"))
    assert (suites.get("tests"), suites.get("failures")) == ("2", "2")
    plan, problem = suites.iter("testcase")
    assert (plan.get("name"), plan.find("failure").get("message")) == ("data", "共 1 个问题")
    assert problem.get("classname") == "data/tasks.yaml"
    assert problem.get("name") == f"data/tasks.yaml:16:5: {TYPO}"
    failure = problem.find("failure")
    assert (failure.get("type"), failure.get("message")) == ("unknown-key", TYPO)


def test_junit_of_valid_data_passes_with_warnings_in_the_log(tmp_path, gk, monkeypatch) -> None:
    _data(tmp_path, undated=True)
    monkeypatch.chdir(tmp_path)
    result = gk("validate", "--format", "junit", data=Path("data"))
    assert result.exit_code == 0
    suites = ET.fromstring(result.stdout.encode("utf-8"))
    assert (suites.get("tests"), suites.get("failures")) == ("1", "0")
    [case] = suites.iter("testcase")
    assert case.get("name") == "data" and case.find("failure") is None
    log = suites.find("testsuite/system-out").text
    assert log.startswith("data/tasks.yaml:") and "警告：任务 1 未明确时限" in log


@pytest.mark.parametrize("fmt", ["codequality", "junit"])
def test_a_control_character_in_a_problem_stays_readable(fmt, tmp_path, gk, monkeypatch) -> None:
    # A raw ESC in the file: the report shows it as an escape, and still parses.
    _data(tmp_path, FIXTURES / "invalid" / "raw_control_char.yaml")
    monkeypatch.chdir(tmp_path)
    result = gk("validate", "--format", fmt, data=Path("data"))
    assert result.exit_code == 1 and "\x1b" not in result.stdout
    if fmt == "junit":
        ET.fromstring(result.stdout.encode("utf-8"))
    else:
        assert json.loads(result.stdout)
