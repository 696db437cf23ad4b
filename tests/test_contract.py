"""The JSON output is a contract: these keys, types and values stay while version is 1."""

import json

import pytest

AS_OF = "2024-10-15"
RUNNING = {"done", "overdue", "due_soon", "pending", "ongoing", "open", "undated", "reported"}
# An ended plan's outcomes (issue 23), added while version stays 1.
FINAL = {
    "done_on_time",
    "done_after_extension",
    "done_late",
    "unfinished",
    "not_deployed",
    "ongoing_reported",
    "ongoing_unreported",
}
STATUSES = RUNNING | FINAL
# A unit's own counts never hold `reported` (its done report is `done` in its view).
UNIT_STATUSES = STATUSES - {"reported"}
KINDS = {"date", "ongoing", "pending", "recurring", "undated"}
TASK_KEYS = {
    "id",
    "section",
    "name",
    "content",
    "units",
    "deadline",
    "status",
    "days_left",
    "days_late",
    "finished",
    "closed",
    "extension",
    "extension_request",
    "extensions",
    "reported",
    "progress",
    # Carry-over between plans (gkctl carry): null, or {"plan": "2024", "id": 31}.
    "carried_from",
    "carried_to",
}
PROGRESS_KEYS = {
    "date",
    "unit",
    "status",
    "note",
    "link",
    "returned",
    "return_reason",
    "recorded",
}
EXTENSION_KEYS = {
    "date",
    "unit",
    "to",
    "reason",
    "late",
    "decision",
    "decided",
    "decision_note",
    "legacy",
    "recorded",
}
UNIT_TASK_KEYS = TASK_KEYS | {"via", "lead", "possible"}
DEADLINE_KEYS = {"text", "kind", "due", "workday_due", "milestones", "recurrence", "original_due"}


def _is_date(value: object) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"


def _check_task(task: dict[str, object], keys: set[str]) -> None:
    assert set(task) == keys
    assert isinstance(task["id"], int)
    assert isinstance(task["units"], list) and all(isinstance(u, str) for u in task["units"])
    assert task["status"] in STATUSES
    assert task["days_left"] is None or isinstance(task["days_left"], int)
    assert task["days_late"] is None or isinstance(task["days_late"], int)
    assert task["finished"] is None or _is_date(task["finished"])
    deadline = task["deadline"]
    assert isinstance(deadline, dict)
    assert set(deadline) == DEADLINE_KEYS
    assert deadline["kind"] in KINDS
    for key in ("due", "workday_due", "original_due"):
        assert deadline[key] is None or _is_date(deadline[key])
    for milestone in deadline["milestones"]:
        assert set(milestone) == {"text", "due"}
    reported = task["reported"]
    assert isinstance(reported, dict) and set(reported) == {"units", "count", "expected"}
    assert reported["count"] == len(reported["units"]) <= reported["expected"]
    for entry in task["progress"]:  # type: ignore[attr-defined]
        assert set(entry) == PROGRESS_KEYS
    for entry in [*task["extensions"], task["extension"], task["extension_request"]]:  # type: ignore[misc]
        assert entry is None or set(entry) == EXTENSION_KEYS
    for link in (task["carried_from"], task["carried_to"]):
        assert link is None or (set(link) == {"plan", "id"} and isinstance(link["id"], int))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--unit", "区经委"),
        ("due", "--unit", "区经委", "--all"),
    ],
)
def test_task_envelope(gk, args: tuple[str, ...]) -> None:
    result = gk(*args, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    with_unit = "--unit" in args
    ending = ["plan_end", "plan_ended"]
    assert list(data) == (
        ["version", "as_of", *ending, "unit", "tasks"]
        if with_unit
        else ["version", "as_of", *ending, "tasks"]
    )
    assert data["version"] == 1 and data["as_of"] == AS_OF
    assert data["plan_end"] == "2024-12-31" and data["plan_ended"] is False
    assert data["tasks"]
    for task in data["tasks"]:
        _check_task(task, UNIT_TASK_KEYS if with_unit else TASK_KEYS)
    if with_unit:
        assert {t["via"] for t in data["tasks"]} <= {
            "direct",
            "各部门",
            "各街镇",
            "街镇",
            "各相关部门",
            "各相关单位",
        }


def test_list_json_covers_every_task(gk) -> None:
    data = json.loads(gk("list", "--as-of", AS_OF, "--format", "json").stdout)
    assert [t["id"] for t in data["tasks"]] == list(range(1, 76))
    task28 = data["tasks"][27]
    assert task28["deadline"] == {
        "text": "11月底前",
        "kind": "date",
        "due": "2024-11-30",
        "workday_due": "2024-11-29",
        "milestones": [],
        "recurrence": None,
        "original_due": "2024-11-30",
    }
    assert task28["units"] == ["区政府办公室", "各部门", "街镇", "高新区"]
    assert task28["status"] == "open" and task28["days_left"] == 46


def test_summary_envelope(gk) -> None:
    data = json.loads(gk("due", "--as-of", AS_OF, "--format", "json").stdout)
    assert list(data) == [
        "version", "as_of", "plan_end", "plan_ended", "tasks", "ranked_by", "units"
    ]  # fmt: skip
    assert data["ranked_by"] == [
        "lead_overdue", "overdue", "lead_due_soon", "due_soon", "group_overdue",
        "group_due_soon", "directory",
    ]  # fmt: skip
    assert [row["rank"] for row in data["units"]] == list(range(1, len(data["units"]) + 1))
    # Without --all: what needs attention, plan-wide.
    assert {t["status"] for t in data["tasks"]} == {"overdue", "due_soon", "pending"}
    for task in data["tasks"]:
        _check_task(task, TASK_KEYS)
    for row in data["units"]:
        assert set(row) == {
            "rank", "light", "unit", "kind", "total", "possible", "completion", *UNIT_STATUSES
        }  # fmt: skip
        assert row["light"] in {"red", "orange", "yellow", "green"}
        assert sum(row[s] for s in UNIT_STATUSES) == row["total"]


@pytest.mark.parametrize("args", [("list",), ("due", "--unit", "区经委", "--all")])
def test_an_ended_plan_gives_final_statuses_only(gk, args: tuple[str, ...]) -> None:
    data = json.loads(gk(*args, "--as-of", "2026-12-04", "--format", "json").stdout)
    assert data["plan_ended"] is True and data["plan_end"] == "2024-12-31"
    # The bundled plan has no extension past its end: no task is still running.
    assert {t["status"] for t in data["tasks"]} <= FINAL
    for task in data["tasks"]:
        assert task["days_left"] is None
        # Counted to the plan's last day, never on: at most the year.
        assert task["days_late"] is None or 0 <= task["days_late"] <= 365


def test_deadline_envelope(gk) -> None:
    data = json.loads(gk("deadline", "全年", "--format", "json").stdout)
    assert data == {
        "version": 1,
        "text": "全年",
        "kind": "ongoing",
        "due": "2024-12-31",
        "workday_due": "2024-12-31",
        "milestones": [],
        "recurrence": None,
        "workday_basis": "holidays",
    }


def test_validate_envelope(gk) -> None:
    data = json.loads(gk("validate", "--format", "json").stdout)
    assert data == {"version": 1, "problems": [], "warnings": []}


def test_cross_plan_envelope(gk) -> None:
    """A folder of plans: the envelope names the plans, and each task its "plan"."""
    from tests.conftest import FIXTURES

    data = json.loads(
        gk(
            "due",
            "--unit",
            "区经委",
            "--all",
            "--as-of",
            "2025-03-01",
            "--format",
            "json",
            data=FIXTURES / "plans" / "plans",
        ).stdout
    )
    assert list(data) == ["version", "as_of", "unit", "plans", "tasks"]
    assert data["plans"] == ["2024", "2025"]
    for task in data["tasks"]:
        _check_task(task, UNIT_TASK_KEYS | {"plan"})
    carried = {(t["plan"], t["id"]): t["carried_from"] for t in data["tasks"]}
    assert carried[("2025", 2)] == {"plan": "2024", "id": 31}
