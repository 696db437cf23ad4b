"""The JSON Schema of tasks.yaml and units.yaml (gkctl/schemas) against the loader.

Every fixture and every generated variant is read twice: by the loader, and by
check-jsonschema with the shipped schema (as make lint runs it: ruamel.yaml's YAML 1.2 and
ECMA-262 patterns, as editors read). The schema must refuse a file exactly when the loader
refuses its shape, and accept it when the loader accepts it or refuses only what the
schema cannot know (a unit that is not in units.yaml, a duplicate id, a 时间节点 it cannot
read, dates out of order).
"""

import copy
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ruamel.yaml
import yaml
from jsonschema import Draft202012Validator

from gkctl.core.errors import Problem
from gkctl.store import fileschema, loader, yamlsrc
from tests.conftest import DATA, FIXTURES, ROOT

SCHEMAS = ROOT / "gkctl" / "schemas"

# The loader's refusals of a file's shape, which the schema states too (by code). The
# others are about meaning: references, uniqueness, the 时间节点 grammar, dates against the
# plan year and against each other.
SHAPE = {
    "type",
    "missing-key",
    "unknown-key",
    "empty-value",
    "empty",  # an empty file reads as null, not a mapping
    "control-char",
    "line-break",
    "invisible-char",
    "bad-status",
    "bad-decision",
    "bad-kind",
    "bad-id",
    "bad-year",
    "bad-link",
    "bad-return",
    "bad-accept",
}
MEANING = {
    "duplicate-id",
    "duplicate-section",
    "duplicate-unit",
    "duplicate-group",
    "unknown-unit",
    "unknown-section",
    "unknown-group",
    "progress-unit",
    "deadline",
    "date-range",
    "before-plan",
}
# What a parsed value no longer shows: the loader reads the spelling, the schema the value.
BLIND = {
    "invalid/id_hex.yaml": "0x4B is the integer 75 once read",
    "invalid/year_hex.yaml": "0x7E8 is the integer 2024 once read",
    "variant/octal-id": "0o1 is the integer 1 once read",
    "variant/late-quoted-yes": "a YAML 1.2 reader (an editor) reads late: yes as the text yes",
}
# YAML anchors are valid YAML; refusing them is gkctl's rule (and an alias bomb would
# take check-jsonschema's reader for ever).
OUTSIDE = {"invalid/alias_bomb.yaml"}


def _shape(problem: Problem) -> bool:
    if problem.code == "bad-date":
        # One code for two things: a value that is no date (shape), and a date earlier
        # than the one it follows (meaning: 退办日期 早于报送日期).
        return "应为日期" in problem.message
    assert problem.code in SHAPE | MEANING, f"unclassified code {problem.code}: {problem}"
    return problem.code in SHAPE


def loader_verdict(role: str, raw: bytes) -> str:
    """file: not a YAML document the loader reads; shape: a refused shape; ok: a shape
    the loader accepts (with or without problems of meaning)."""
    read: list[Problem] = []
    yamlsrc.read_bytes(raw, "f", read)
    if read and {p.code for p in read} != {"empty"}:
        return "file"
    if role == "tasks":
        _, problems = loader.read_plan(raw, "f")
    else:
        _, problems = loader.read_directory(raw, "f")
    return "shape" if any(_shape(p) for p in problems) else "ok"


def schema_verdicts(role: str, files: list[Path]) -> dict[Path, str]:
    """check-jsonschema on every file at once: unreadable, invalid or valid."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--output-format",
            "json",
            "--schemafile",
            str(SCHEMAS / fileschema.FILES[role]),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    invalid = {Path(e["filename"]) for e in report["errors"]}
    unreadable = {Path(e["filename"]) for e in report["parse_errors"]}
    return {
        f: "unreadable" if f in unreadable else "invalid" if f in invalid else "valid"
        for f in files
    }


EXPECTED = {"file": "invalid", "shape": "invalid", "ok": "valid"}


def _yaml_reads(raw: bytes) -> bool:
    """Whether a YAML 1.2 reader (check-jsonschema's, safe) reads the file at all."""
    try:
        ruamel.yaml.YAML(typ="safe", pure=True).load(raw)
    except Exception:  # a refusal, or a crash of the reader (!!bool maybe: a KeyError)
        return False
    return True


def _agree(role: str, files: dict[str, Path]) -> list[str]:
    """The files on which the two disagree (BLIND ones: where they do not).

    A file the loader cannot read as YAML must be refused by a YAML reader or else by the
    schema (a list as a key reads, then is no key the schema knows); one a YAML reader
    refuses is not given to check-jsonschema, which crashes on some (!!bool maybe)."""
    verdicts = {name: loader_verdict(role, path.read_bytes()) for name, path in files.items()}
    readable = {
        name: path
        for name, path in files.items()
        if verdicts[name] != "file" or _yaml_reads(path.read_bytes())
    }
    wrong = []
    schema = schema_verdicts(role, list(readable.values()))
    for name, path in sorted(readable.items()):
        expected = "valid" if name in BLIND else EXPECTED[verdicts[name]]
        if name in BLIND:
            assert verdicts[name] == "shape", name
        if schema[path] != expected:
            wrong.append(f"{name}: loader {verdicts[name]}, schema {schema[path]}")
    return wrong


# --- the shipped files ----------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(fileschema.FILES))
def test_the_shipped_schema_is_the_generated_one(role: str) -> None:
    shipped = (SCHEMAS / fileschema.FILES[role]).read_text(encoding="utf-8")
    assert shipped == fileschema.render(role), "run make schemas"
    Draft202012Validator.check_schema(json.loads(shipped))


def test_the_schema_knows_every_key_the_loader_does() -> None:
    tasks = json.loads(fileschema.render("tasks"))
    task = tasks["properties"]["tasks"]["items"]
    assert list(task["properties"]) == list(loader.TASK_KEYS)
    assert task["required"] == [k for k, req in loader.TASK_KEYS.items() if req]
    changed = dict(loader.TASK_KEYS, sponsor=False)
    with pytest.raises(ValueError, match="sponsor"):
        fileschema._mapping(changed, {k: {} for k in loader.TASK_KEYS}, "任务")


def test_the_bundled_data_names_its_schema() -> None:
    for role, name in fileschema.FILES.items():
        lines = (DATA / f"{role}.yaml").read_text(encoding="utf-8").splitlines()
        modeline = f"# yaml-language-server: $schema=../gkctl/schemas/{name}"
        assert modeline in lines, role
        assert (DATA / lines[lines.index(modeline)].split("=", 1)[1]).resolve() == (SCHEMAS / name)


# --- every fixture --------------------------------------------------------------------------


def _fixtures(role: str) -> dict[str, Path]:
    """The fixtures of one role, by their path under tests/fixtures (data/ for the
    bundled files)."""
    other = "units" if role == "tasks" else "tasks"
    found = {f"data/{role}.yaml": DATA / f"{role}.yaml"}
    for path in FIXTURES.rglob("*.yaml"):
        name = path.relative_to(FIXTURES).as_posix()
        folder = name.split("/", 1)[0]
        if path.name == f"{role}.yaml":
            found[name] = path
        elif path.name != f"{other}.yaml" and (folder == "invalid_units") == (role == "units"):
            found[name] = path  # invalid/*.yaml and valid_*.yaml are tasks.yaml files
    return {name: path for name, path in found.items() if name not in OUTSIDE}


def test_the_fixtures_are_all_walked() -> None:
    tasks, units = _fixtures("tasks"), _fixtures("units")
    every = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.yaml")}
    assert set(tasks) | set(units) | OUTSIDE == every | {"data/tasks.yaml", "data/units.yaml"}
    assert len(tasks) > 60 and len(units) > 8
    verdicts = [loader_verdict("tasks", p.read_bytes()) for p in tasks.values()]
    assert {"file", "shape", "ok"} <= set(verdicts)


@pytest.mark.parametrize("role", ["tasks", "units"])
def test_every_fixture_passes_the_schema_exactly_when_the_loader_takes_its_shape(
    role: str,
) -> None:
    assert _agree(role, _fixtures(role)) == []


# --- generated variants ---------------------------------------------------------------------

TASKS: dict[str, Any] = {
    "document": {
        "title": "测试计划",
        "number": "测试〔2024〕1号",
        "issuer": "测试办公室",
        "published": "2024-04-10",
        "year": 2024,
    },
    "sections": [{"id": "一", "title": "第一部分"}],
    "tasks": [
        {
            "id": 1,
            "section": "一",
            "name": "任务甲",
            "content": "内容甲\n第二行",
            "text": "正文甲",
            "units": ["区经委", "各部门"],
            "deadline": "6月底前完成初稿，11月底前完成",
            "due": "2024-11-30",
            "milestones": [
                {"name": "初稿", "deadline": "6月底前"},
                {"name": "定稿", "due": "2024-10-31"},
            ],
            "progress": [
                {
                    "date": "2024-05-06",
                    "unit": "区经委",
                    "status": "done",
                    "note": "已公开",
                    "link": "https://example.org/a",
                    "returned": "2024-05-10",
                    "return_reason": "缺少链接",
                    "recorded": "2024-05-07",
                    "return_recorded": "2024-05-11",
                },
                {
                    "date": "2024-06-01",
                    "unit": "区经委",
                    "status": "done",
                    "accepted": "2024-06-03",
                    "accept_recorded": "2024-06-04",
                },
            ],
            "extensions": [
                {
                    "date": "2024-11-20",
                    "unit": "区经委",
                    "to": "2024-12-31",
                    "reason": "等待市级部署",
                    "late": False,
                    "decision": "rejected",
                    "decided": "2024-11-25",
                    "decision_note": "时限不变",
                    "recorded": "2024-11-21",
                    "decision_recorded": "2024-11-26",
                },
                {
                    "date": "2024-11-27",
                    "unit": "区经委",
                    "to": "2024-12-15",
                    "reason": "再次申请",
                    "decision": "approved",
                    "decided": "2024-11-28",
                },
                {
                    "date": "2024-11-29",
                    "unit": "区经委",
                    "to": "2024-12-20",
                    "reason": "第三次",
                    "decision": "requested",
                },
            ],
            "closed": "2024-12-20",
            "closed_note": "",
            "closed_recorded": "2024-12-21",
            "notes": "备注",
            "carried_from": {"plan": 2023, "id": 4},
            "carried_to": {"plan": "2025", "id": 1},
        }
    ],
}
UNITS: dict[str, Any] = {
    "units": [
        {
            "name": "区经委",
            "kind": "department",
            "aliases": ["经委"],
            "former": ["区经济委员会"],
            "full_name": "金山区经济委员会",
            "source": "outside",
        },
        {"name": "区政府办公室", "kind": "department"},
    ],
    "groups": [
        {"name": "各部门", "meaning": "每个区级部门", "members": ["department"], "relevant": False},
        {"name": "各区级部门", "meaning": "同上", "members": ["department"], "same_as": "各部门"},
    ],
}
# Values every key is tried with: every kind of YAML value; and by the kind of value it
# holds, the forms, words and characters that decide (what the text policy refuses, one
# of each class; the status, decision and kind words; dates and links right and wrong).
EVERY: list[Any] = [None, [], {}, "", "  ", "a\nb", "a\u200bb", 0, 1.5, True, "2024-05-01"]
BY_KIND: dict[type, list[Any]] = {
    str: [
        "a\tb",
        "a\rb",
        "a\x07b",
        "a\u3164b",
        "a\u202eb",
        "a\U000e0041b",
        "2024-02-30",
        "2024-5-1",
        "20240501",
        "ftp://example.org/x",
        "http://example.org/x",
        "requested",
        "approved",
        "done",
        "doing",
        "department",
        "区经委",
    ],
    int: [-1, 7, 1999, 2101, "7"],
    bool: [False, "true"],
    list: [["区经委"], ["a\nb"], [None], [""], ["town"]],
    dict: [{"plan": "2024", "id": 1}],
}


def _walk(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value below the root: mapping keys and list indexes."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        yield (*path, key)
        if isinstance(value, dict | list):
            yield from _walk(value, (*path, key))


def _at(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        root = root[step]
    return root


def _pruned(data: Any, path: tuple[Any, ...]) -> Any:
    """The document with the task keeping only its required keys and the one `path`
    goes through: a smaller file to check, the same question."""
    tasks = data.get("tasks")
    if isinstance(tasks, list) and tasks and isinstance(tasks[0], dict):
        through = path[2] if path[:2] == ("tasks", 0) and len(path) > 2 else None
        keep = {k for k, required in loader.TASK_KEYS.items() if required} | {through}
        tasks[0] = {k: v for k, v in tasks[0].items() if k in keep}
    return data


def _seen_first(base: Any, path: tuple[Any, ...]) -> bool:
    """Whether `path` goes through a later item of a list where the first item has the
    same key (its values are tried there)."""
    for n, step in enumerate(path):
        if isinstance(step, int) and step:
            first = (*path[:n], 0, *path[n + 1 :])
            try:
                _at(base, first)
            except (KeyError, IndexError, TypeError):
                continue
            return True
    return False


def _variants(base: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each one change: a key left out, an unknown key added, a value replaced."""
    for path in _walk(base):
        parent, key = path[:-1], path[-1]
        label = "/".join(map(str, path))
        if isinstance(key, str):
            left_out = copy.deepcopy(base)
            del _at(left_out, parent)[key]
            yield f"{label}:left-out", _pruned(left_out, path)
        if _seen_first(base, path):
            continue  # a key of the second of a list is left out, replaced in the first
        for n, value in enumerate(EVERY + BY_KIND[type(_at(base, path))]):
            changed = copy.deepcopy(base)
            _at(changed, parent)[key] = copy.deepcopy(value)
            yield f"{label}:{n}", _pruned(changed, path)
    for path in [(), *(p for p in _walk(base) if isinstance(_at(base, p), dict))]:
        extra = copy.deepcopy(base)
        _at(extra, path)["sponsor"] = "x"
        yield "/".join(map(str, path)) + ":extra-key", _pruned(extra, (*path, "sponsor"))


# Spellings a dump would not write: YAML 1.1 words, padding kept by quotes, a block.
RAW_TASKS = {
    "late-yes": ("  late: false\n", "  late: yes\n"),
    "late-quoted-yes": ("  late: false\n", '  late: "yes"\n'),
    "padded-date": ("  due: 2024-11-30\n", '  due: " 2024-11-30 "\n'),
    "padded-bad-date": ("  due: 2024-11-30\n", '  due: " 2024-11-3 "\n'),
    "block-name": ("  name: 任务甲\n", "  name: |\n    任务甲\n"),
    "block-name-strip": ("  name: 任务甲\n", "  name: |-\n    任务甲\n"),
    "folded-text": ("  text: 正文甲\n", "  text: >\n    正文甲\n"),
    "quoted-id": ("- id: 1\n", "- id: '1'\n"),
    "octal-id": ("- id: 1\n", "- id: 0o1\n"),
    "bool-name": ("  name: 任务甲\n", "  name: yes\n"),
}


DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: Any) -> str:
    """As the files are written: dates plain (a YAML 1.1 timestamp, as the loader reads
    them; text to a YAML 1.2 reader)."""
    text = yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=1000)
    return re.sub(r"'([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})'", r"\1", text)


def _write_variants(
    tmp_path: Path, role: str, base: dict[str, Any], raw: dict[str, tuple[str, str]]
) -> dict[str, Path]:
    files = {}
    for n, (label, data) in enumerate(_variants(base)):
        path = tmp_path / f"{role}-{n}.yaml"
        path.write_text(_dump(data), encoding="utf-8")
        files[f"variant/{label}"] = path
    text = _dump(base)
    for label, (old, new) in raw.items():
        assert text.count(old) >= 1, label
        path = tmp_path / f"{role}-{label}.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        files[f"variant/{label}"] = path
    return files


@pytest.mark.parametrize(
    ("role", "base", "raw"), [("tasks", TASKS, RAW_TASKS), ("units", UNITS, {})]
)
def test_every_variant_passes_the_schema_exactly_when_the_loader_takes_its_shape(
    role: str, base: dict[str, Any], raw: dict[str, tuple[str, str]], tmp_path: Path
) -> None:
    files = _write_variants(tmp_path, role, base, raw)
    verdicts = [loader_verdict(role, p.read_bytes()) for p in files.values()]
    # The base is accepted, and the changes reach both sides of the line.
    assert loader_verdict(role, _dump(base).encode()) == "ok"
    assert verdicts.count("ok") > 50 and verdicts.count("shape") > 200
    assert _agree(role, files) == []


def test_a_wrong_value_is_marked_where_it_is() -> None:
    # What an editor shows: the place, and the reason in Chinese where the schema has one.
    data = copy.deepcopy(TASKS)
    data["tasks"][0]["progress"].append({"date": "2024-06-01", "unit": "区经委", "status": "ok"})
    data["tasks"][0]["name"] = "任务\n甲"
    del data["tasks"][0]["extensions"][0]["decided"]
    validator = Draft202012Validator(json.loads(fileschema.render("tasks")))
    found = {(e.json_path, e.validator) for e in validator.iter_errors(data)}
    assert found == {
        ("$.tasks[0].progress[2].status", "enum"),
        ("$.tasks[0].name", "pattern"),
        ("$.tasks[0].extensions[0]", "required"),
    }
    line = json.loads(fileschema.render("tasks"))["$defs"]["line"]
    assert line["patternErrorMessage"].startswith("不能为空；这里只能写一行")
