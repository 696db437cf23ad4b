"""The README's "一年的流程", played: every command of that section, in order, in a new
office repository (a folder of plans, the table to import beside it), each on the day its
block names (GKCTL_TODAY), writes included; each command must succeed and print what the
README shows (a line of … or …… stands for any number of lines, as in test_readme)."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.test_readme import README, _matches


def _section(title: str) -> str:
    """A level-2 section of the README, up to the next level-2 heading outside a fence
    (a report shown in a console block holds headings of its own)."""
    lines, out, fence = README.split(f"\n## {title}\n", 1)[1].splitlines(), [], ""
    for line in lines:
        if not fence and line.startswith("## "):
            break
        if m := re.match(r"^(`{3,})", line):
            fence = "" if fence == m.group(1) else fence or m.group(1)
        out.append(line)
    return "\n".join(out) + "\n"


SECTION = _section("一年的流程")
MARK = re.compile(r"^<!-- 一年的流程 (\d{4}-\d{2}-\d{2}) -->\n```console\n(.*?)^```$", re.S | re.M)


def _steps() -> list[tuple[str, str, list[str]]]:
    """(day, command, expected lines) for every command of the section, in order."""
    steps: list[tuple[str, str, list[str]]] = []
    for day, body in MARK.findall(SECTION):
        for text in body.splitlines():
            if text.startswith("$ "):
                steps.append((day, text[2:], []))
            else:
                steps[-1][2].append(text)
    return steps


def test_the_story_covers_the_year() -> None:
    # Import, the cycle, the year's end and the next plan: the section must not shrink
    # to nothing without this test saying so.
    words = {shlex.split(c.split("|")[0])[1] for _, c, _ in _steps()}
    assert {"plan", "form", "progress", "close", "report", "carry", "due", "show"} <= words
    assert SECTION.count("<!-- 一年的流程 ") == len(MARK.findall(SECTION))


def test_the_year_as_the_readme_tells_it(gk, tmp_path: Path, monkeypatch) -> None:
    office = tmp_path / "office"
    (office / "plans").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=office, check=True)
    shutil.copy(DATA / "units.yaml", office / "plans" / "units.yaml")
    # The table the office was sent: here the bundled plan, exported as the office prints it.
    table = office / "任务分解表.xlsx"
    exported = gk("export", "-f", "xlsx", "-o", str(table), "--as-of", "2024-04-10", data=DATA)
    assert exported.exit_code == 0, exported.output
    monkeypatch.chdir(office)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("GKCTL_DATA", raising=False)
    for day, line, expected in _steps():
        command, _, pipe = line.partition("|")
        words = shlex.split(command)
        assert words[0] == "gkctl", line
        monkeypatch.setenv("GKCTL_TODAY", day)
        result = gk(*words[1:], data=None)
        assert result.exit_code == 0, f"{day} `{line}`:\n{result.output}"
        output = (result.stdout + result.stderr).splitlines()
        if pipe:
            how, count = pipe.split()
            output = output[: int(count[1:])] if how == "head" else output[-int(count[1:]) :]
        if not _matches(expected, output):
            pytest.fail(f"README 一年的流程, {day} `{line}` now prints:\n" + "\n".join(output))
