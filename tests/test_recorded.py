"""Issue 24 item 5: every write says when it reached the office (`recorded` beside the
entry's own date, where the two differ), and the period (本期变化) lists a unit's reports and
requests by that day. The done-means case: a form filled on 11-04 for work done on 10-28,
imported on 11-05, is in November's 通报 and was not in October's.

Real files throughout: the bundled data copied to a temporary folder, the real CLI, a form
made by `gkctl form` and filled in with openpyxl as a person would."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from tests.test_form import fill

Run = Any
ON_1105 = {"GKCTL_TODAY": "2024-11-05"}
NOVEMBER = ("--since", "2024-11-01", "--as-of", "2024-11-30")
OCTOBER = ("--since", "2024-09-30", "--as-of", "2024-10-31")
# The 本期变化 row of the late report, as the Markdown report writes it.
ROW = re.compile(r"^\| 10月28日完成，11月5日报送 \| 31 \| .+ \| 区经委 \| 已完成 \|", re.MULTILINE)


def _progress_rows(report: str) -> list[str]:
    """The rows of the 本期变化's 报送的进展 table (none where the section is absent)."""
    part = report.partition("报送的进展（")[2].partition("\n\n#")[0]
    return [line for line in part.splitlines() if line.startswith("| ") and "---" not in line][1:]


def _report(gk: Run, data: Path, *period: str) -> str:
    result = gk("report", *period, data=data)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def _check_periods(gk: Run, data: Path) -> None:
    """November's 通报 lists the report with both days; October's (as of 10-31) does not."""
    november = _report(gk, data, *NOVEMBER)
    assert ROW.search(november), _progress_rows(november)
    assert [r for r in _progress_rows(november) if "| 31 |" in r and "区经委" in r]
    assert "各单位报送进展 1 条（其中报完成 1 条）" in november
    october = _report(gk, data, *OCTOBER)
    assert not [r for r in _progress_rows(october) if "| 31 |" in r]
    assert "报送进展" not in october.partition("## 存在问题")[0]


def test_progress_add_for_an_earlier_day_says_when_it_was_entered(gk: Run, data_copy: Path) -> None:
    result = gk("progress", "add", "31", "-u", "经委", "-s", "done", "--date", "2024-10-28",
                data=data_copy, env=ON_1105)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(
        "      - date: 2024-10-28\n        unit: 区经委\n        status: done\n"
        "        recorded: 2024-11-05\n"
    )
    shown = json.loads(gk("show", "31", "-f", "json", data=data_copy, env=ON_1105).stdout)
    entry = shown["task"]["progress"][-1]
    assert (entry["date"], entry["recorded"]) == ("2024-10-28", "2024-11-05")
    # Done on 10-28, before its deadline (10-31): the status reads the entry's own date.
    assert shown["task"]["status"] == "reported"
    _check_periods(gk, data_copy)


def test_a_write_on_its_own_day_adds_no_line_and_reads_that_day(gk: Run, data_copy: Path) -> None:
    result = gk("progress", "add", "31", "-u", "经委", "-s", "doing", data=data_copy, env=ON_1105)
    assert result.exit_code == 0, result.stderr
    assert "recorded" not in result.stdout
    shown = json.loads(gk("show", "31", "-f", "json", data=data_copy, env=ON_1105).stdout)
    entry = shown["task"]["progress"][-1]
    assert (entry["date"], entry["recorded"]) == ("2024-11-05", "2024-11-05")
    november = _report(gk, data_copy, *NOVEMBER)
    assert [r for r in _progress_rows(november) if r.startswith("| 11月5日 | 31 |")]


def test_an_imported_form_is_recorded_on_the_day_of_the_import(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's walk-through: 区经委's form, filled on 11-04 with 完成日期 2024-10-28,
    imported on 11-05."""
    monkeypatch.chdir(tmp_path)
    made = gk("form", "--unit", "经委", "--as-of", "2024-10-15", data=data_copy)
    assert made.exit_code == 0, made.stderr
    form = tmp_path / "区经委-填报表.xlsx"
    fill(form, {31: {"完成情况": "已完成", "完成日期": "2024-10-28"}}, fill_date="2024-11-04")
    imported = gk("progress", "import", str(form), data=data_copy, env=ON_1105)
    assert imported.exit_code == 0, imported.stderr
    text = (data_copy / "tasks.yaml").read_text(encoding="utf-8")
    assert (
        "      - date: 2024-10-28\n        unit: 区经委\n        status: done\n"
        "        recorded: 2024-11-05\n"
    ) in text
    assert gk("validate", data=data_copy).exit_code == 0
    _check_periods(gk, data_copy)
    # Imported again (the unit sends the same form twice): nothing new, still one entry.
    again = gk("progress", "import", str(form), data=data_copy, env={"GKCTL_TODAY": "2024-11-06"})
    assert again.exit_code == 0, again.stderr
    assert (data_copy / "tasks.yaml").read_text(encoding="utf-8") == text


def test_a_late_request_belongs_to_the_period_it_arrived_in(gk: Run, data_copy: Path) -> None:
    result = gk("extend", "31", "-u", "经委", "--to", "2024-11-30", "-r", "等待市级平台上线",
                "--date", "2024-10-29", data=data_copy, env=ON_1105)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("        decision: requested\n        recorded: 2024-11-05\n")
    november = _report(gk, data_copy, *NOVEMBER)
    assert re.search(r"^\| 10月29日申请，11月5日报送 \| 31 \| ", november, re.MULTILINE)
    october = _report(gk, data_copy, *OCTOBER)
    assert "延期申请（" not in october.partition("本期变化（")[2]


def test_the_word_report_and_the_site_show_both_days(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    assert gk("progress", "add", "31", "-u", "经委", "-s", "done", "--date", "2024-10-28",
              data=data_copy, env=ON_1105).exit_code == 0  # fmt: skip
    word = tmp_path / "通报.docx"
    made = gk("report", "-f", "docx", "-o", str(word), *NOVEMBER, data=data_copy)
    assert made.exit_code == 0, made.stderr
    # Word keeps each day whole with word joiners (U+2060) between its characters, and
    # sets the second on a line of its own.
    cells = [
        c.text.replace("\u2060", "")
        for t in Document(str(word)).tables
        for r in t.rows
        for c in r.cells
    ]
    assert "10月28日完成，\n11月5日报送" in cells
    site = tmp_path / "site"
    built = gk("site", "-o", str(site), *NOVEMBER, data=data_copy)
    assert built.exit_code == 0, built.stderr
    index = (site / "index.html").read_text(encoding="utf-8")
    period = index.partition('id="period"')[2].partition("</section>")[0]
    assert (
        # Each day whole; the line may break between them.
        '<tr><td><span class="date">2024年10月28日完成，</span><span class="date">11月5日报送</span></td>'
        '<td class="num"><a href="tasks/31.html">31</a></td>'
    ) in period
    october = tmp_path / "october"
    assert gk("site", "-o", str(october), *OCTOBER, data=data_copy).exit_code == 0
    index = (october / "index.html").read_text(encoding="utf-8")
    assert "报送</td>" not in index.partition('id="period"')[2].partition("</section>")[0]
