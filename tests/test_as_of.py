"""Every view as of a day shows the records as they stood then (Task.as_of, given by the core
in each task's state): an office's return, acceptance, decision or closing dated after the
day is not there yet, in any view, and every view tells the same status.

The history is written with the real CLI onto a copy of the bundled plan:
- task 31 (区经委 leads, 10月底前): 区经委 asks on 09-20 to extend to 11-30, approved on 10-20;
  reports done on 09-25, sent back (退办) on 10-15;
- task 2 (区经委 alone, 全年): reported done on 09-01, accepted on 10-20, closed (销号) on 10-22.
As of 10-10 the requests wait, the reports stand, nothing is accepted or closed: both tasks are
已报完成，待销号 in the plan-wide views. As of 10-31 every record is there.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]

BEFORE = "2024-10-10"
AFTER = "2024-10-31"
# The days of the office's later acts, as every view may write them.
LATER = ("2024-10-15", "2024-10-20", "2024-10-22", "10月15日", "10月20日", "10月22日")

# A report template that prints a task's raw records, as a custom template may read them.
RECORDS_TEMPLATE = """\
{% for t in tasks %}{% if t.progress or t.extensions or t.closed %}\
task {{ t.id }} {{ t.status }} closed={{ t.closed }}
{% for p in t.progress %}progress {{ p.date }} returned={{ p.returned }} \
reason={{ p.return_reason }} accepted={{ p.accepted }}
{% endfor %}{% for e in t.extensions %}extension {{ e.date }} {{ e.decision }} \
decided={{ e.decided }}
{% endfor %}{% endif %}{% endfor %}"""


def _ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


@pytest.fixture
def history(gk: Run, data_copy: Path) -> Path:
    for args in (
        ("extend", "31", "--unit", "区经委", "--to", "2024-11-30", "--reason", "需协调数据",
         "--date", "2024-09-20"),
        ("approve", "31", "--unit", "区经委", "--date", "2024-10-20"),
        ("progress", "add", "31", "--unit", "区经委", "--status", "done", "--note",
         "已上线政策服务包", "--date", "2024-09-25"),
        ("return", "31", "--unit", "区经委", "--reason", "未附公开链接", "--date", "2024-10-15"),
        ("progress", "add", "2", "--unit", "区经委", "--status", "done", "--note", "已发布",
         "--date", "2024-09-01"),
        ("accept", "2", "--unit", "区经委", "--date", "2024-10-20"),
        ("close", "2", "--date", "2024-10-22"),
    ):  # fmt: skip
        _ok(gk(*args, data=data_copy))
    return data_copy


def _views(gk: Run, data: Path, day: str, tmp: Path) -> dict[str, str]:
    """Each view's output as of `day`, by name."""
    template = tmp / "records.md.j2"
    template.write_text(RECORDS_TEMPLATE, encoding="utf-8")
    out = {
        "show 31": _ok(gk("show", "31", "--as-of", day, data=data)),
        "show 2": _ok(gk("show", "2", "--as-of", day, data=data)),
        "show 31 json": _ok(gk("show", "31", "--format", "json", "--as-of", day, data=data)),
        "show 2 json": _ok(gk("show", "2", "--format", "json", "--as-of", day, data=data)),
        "list json": _ok(gk("list", "--format", "json", "--as-of", day, data=data)),
        "list unit json": _ok(
            gk("list", "--unit", "区经委", "--format", "json", "--as-of", day, data=data)
        ),
        "due json": _ok(gk("due", "--format", "json", "--as-of", day, data=data)),
        "review json": _ok(gk("review", "--format", "json", "--as-of", day, data=data)),
        "stats json": _ok(gk("stats", "--format", "json", "--as-of", day, data=data)),
        "report records": _ok(gk("report", "-t", str(template), "--as-of", day, data=data)),
        "report unit": _ok(
            gk("report", "-t", "unit", "--unit", "区经委", "--as-of", day, data=data)
        ),
    }
    site = tmp / f"site-{day}"
    _ok(gk("site", "-o", str(site), "--as-of", day, data=data))
    for page in ("tasks/31.html", "tasks/2.html", "index.html"):
        out[f"site {page}"] = (site / page).read_text(encoding="utf-8")
    out["site unit"] = (site / "units" / "区经委.html").read_text(encoding="utf-8")
    ics = tmp / f"cal-{day}.ics"
    _ok(gk("ics", "-o", str(ics), "--as-of", day, data=data))
    out["ics"] = ics.read_text(encoding="utf-8")
    return out


def test_no_view_as_of_a_day_shows_what_the_office_did_after_it(
    gk: Run, history: Path, tmp_path: Path
) -> None:
    views = _views(gk, history, BEFORE, tmp_path)
    for name, text in views.items():
        for day in LATER:
            assert day not in text, f"{name} as of {BEFORE} shows {day}"
    # Nor the words of those acts on the two tasks' pages and records.
    for name in (
        "show 31",
        "show 2",
        "report records",
        "report unit",
        "site tasks/31.html",
        "site tasks/2.html",
        "site unit",
    ):
        for word in ("未附公开链接", "批准", "确认完成", "销号 "):
            assert word not in views[name].replace("不批准", ""), f"{name}: {word}"
    assert "；待批" in views["show 31"]


def test_every_view_as_of_a_day_tells_the_same_story(
    gk: Run, history: Path, tmp_path: Path
) -> None:
    views = _views(gk, history, BEFORE, tmp_path)
    listed = {t["id"]: t for t in json.loads(views["list json"])["tasks"]}
    due = {t["id"]: t for t in json.loads(views["due json"])["tasks"]}
    for task_id in (2, 31):
        shown = json.loads(views[f"show {task_id} json"])["task"]
        assert listed[task_id]["status"] == shown["status"] == "reported"
        assert due.get(task_id, shown)["status"] == "reported"
        assert shown["closed"] is None
        assert [p["returned"] for p in shown["progress"]] == [None]
        assert [p["accepted"] for p in shown["progress"]] == [None]
        assert f"task {task_id} reported closed=None" in views["report records"]
        assert "已报完成，待销号" in views[f"show {task_id}"]
        assert "已报完成" in views[f"site tasks/{task_id}.html"]
    request = json.loads(views["show 31 json"])["task"]["extensions"]
    assert [(e["decision"], e["decided"]) for e in request] == [("requested", None)]
    assert "extension 2024-09-20 requested decided=None" in views["report records"]
    # The office's queue: both reports wait to be closed, the request waits for a decision.
    queue = json.loads(views["review json"])
    assert sorted(c["id"] for c in queue["to_close"]) == [2, 31]
    assert [(r["id"], r["decision"]) for r in queue["extension_requests"]] == [(31, "requested")]
    # 区经委's own view: both its parts are done (reported, not sent back yet), as stats count.
    mine = {t["id"]: t["status"] for t in json.loads(views["list unit json"])["tasks"]}
    assert mine[2] == mine[31] == "done"
    unit = next(u for u in json.loads(views["stats json"])["units"] if u["unit"] == "区经委")
    assert unit["done"] == sum(1 for s in mine.values() if s == "done")
    assert unit["extensions"] == 1


def test_as_of_a_later_day_every_record_is_there(gk: Run, history: Path, tmp_path: Path) -> None:
    """The control: the same views show the records once their days have come."""
    views = _views(gk, history, AFTER, tmp_path)
    task31 = json.loads(views["show 31 json"])["task"]
    assert [(p["returned"], p["return_reason"]) for p in task31["progress"]] == [
        ("2024-10-15", "未附公开链接")
    ]
    assert [(e["decision"], e["decided"]) for e in task31["extensions"]] == [
        ("approved", "2024-10-20")
    ]
    task2 = json.loads(views["show 2 json"])["task"]
    assert task2["closed"] == "2024-10-22" and task2["status"] == "done"
    assert [p["accepted"] for p in task2["progress"]] == ["2024-10-20"]
    assert "returned=2024-10-15 reason=未附公开链接" in views["report records"]
    assert "extension 2024-09-20 approved decided=2024-10-20" in views["report records"]
    assert "task 2 done closed=2024-10-22" in views["report records"]
    assert "2024-10-15 退办：未附公开" in views["show 31"]  # the table wraps the reason
    assert "未附公开链接" in views["site tasks/31.html"]
    assert "10月22日" in views["site tasks/2.html"]
    assert "未附公开链接" in views["site unit"] and "未附公开链接" in views["report unit"]
    assert json.loads(views["review json"])["extension_requests"] == []
