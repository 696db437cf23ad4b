"""The README's console examples, run: each ```console block whose commands are read-only
gkctl commands with a fixed date (--as-of, or none needed) is run against the bundled data
and compared with what the README shows (at 100, 80 or 120 columns), so that the examples
stay true.

Inside an expected output, a line of only … or …… stands for any number of lines (the README
shortens long tables). A block that tells a story the bundled data does not hold (after
writes, or with made-up data) is marked with `<!-- 不核对：reason -->` on the line before.
"""

import re
import shlex
from dataclasses import dataclass

import pytest

from tests.conftest import DATA, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
READ_ONLY = {"due", "list", "show", "deadline", "units", "stats", "report", "review", "validate"}
NO_DATE_NEEDED = {"deadline", "units", "validate"}
SKIP_MARK = "<!-- 不核对："
# The year's story is played in order, writes included, by tests/test_year_story.py.
STORY_MARK = "<!-- 一年的流程 "
PLANS_FIXTURE = "tests/fixtures/plans/plans"


@dataclass
class Example:
    line: int
    command: str
    expected: list[str]


def _blocks() -> list[tuple[int, str, str]]:
    found = []
    # A fence of three or more backticks, closed by the same (```` holds a ``` inside).
    for m in re.finditer(r"^(`{3,})console\n(.*?)^\1$", README, re.S | re.M):
        line = README.count("\n", 0, m.start()) + 1
        before = README[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        found.append((line, before, m.group(2)))
    return found


def _checked(command: str) -> bool:
    words = shlex.split(command.split("|")[0])
    if words[:1] != ["gkctl"] or len(words) < 2 or words[1] not in READ_ONLY:
        return False
    if "-o" in words or "--output" in words:
        return False
    # Another data folder only where the repository holds it (the several-plans fixture).
    if "--data" in words and words[words.index("--data") + 1 :][:1] != [PLANS_FIXTURE]:
        return False
    pipe = command.split("|")[1:]
    if (pipe and not re.fullmatch(r"\s*head -\d+\s*", pipe[0])) or len(pipe) > 1:
        return False
    return "--as-of" in words or words[1] in NO_DATE_NEEDED


def examples() -> list[Example]:
    out = []
    for line, before, body in _blocks():
        if before.startswith((SKIP_MARK, STORY_MARK)):
            continue
        commands: list[tuple[str, list[str]]] = []
        for text in body.splitlines():
            if text.startswith("$ "):
                commands.append((text[2:], []))
            elif commands:
                commands[-1][1].append(text)
        if commands and all(_checked(c) for c, _ in commands):
            out += [Example(line, c, lines) for c, lines in commands]
    return out


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line (trailing spaces aside); a line of … or …… matches any run of lines."""
    if not expected:
        return not actual
    head, rest = expected[0].rstrip(), expected[1:]
    if head in ("…", "……"):
        return any(_matches(rest, actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and actual[0].rstrip() == head and _matches(rest, actual[1:])


def test_some_examples_are_checked() -> None:
    # The filter must not quietly drop everything.
    commands = [e.command.split()[1] for e in examples()]
    assert {"due", "show", "deadline", "stats", "report"} <= set(commands), commands


# Terminal widths the README's tables are shown at (tables wrap to the terminal).
WIDTHS = ("100", "80", "120")


@pytest.mark.parametrize("example", examples(), ids=lambda e: f"line{e.line}:{e.command[:40]}")
def test_readme_example(example: Example, gk, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    command, _, pipe = example.command.partition("|")
    outputs = []
    for width in WIDTHS:
        monkeypatch.setenv("COLUMNS", width)
        result = gk(*shlex.split(command)[1:], data=DATA)
        output = (result.stdout + result.stderr).splitlines()
        if pipe:
            output = output[: int(pipe.split("-")[1])]
        if _matches(example.expected, output):
            return
        outputs.append(output)
    pytest.fail(
        f"README line {example.line}: `{example.command}` now prints (at 100 columns):\n"
        + "\n".join(outputs[0])
    )
