"""The year-end 回头看 (issue 23, item 2): `gkctl report -t year`, its Word 通报 and the
site's year page, on the progress fixture counted by hand."""

import re
from datetime import date
from pathlib import Path

import pytest

from gkctl.core import yearend
from gkctl.core.errors import UsageError
from gkctl.store import loader
from tests.conftest import DATA, FIXTURES

PLAN = FIXTURES / "progress" / "plan"
AFTER = "2025-01-15"


def _unit_rows(markdown: str) -> dict[str, list[str]]:
    """The 各单位 table: unit name -> its cells after the name."""
    part = markdown.split("## 各单位", 1)[1].split("## 各部分", 1)[0]
    rows = {}
    for line in part.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 10 and cells[0].isdigit():
            rows[cells[1]] = [cells[0], *cells[2:]]
    return rows


def test_year_report_golden(gk, golden) -> None:
    result = gk("report", "-t", "year", "--as-of", AFTER, data=PLAN)
    assert result.exit_code == 0, result.stderr
    golden("report-year-progress-2025-01-15.md", result.stdout)


def test_per_unit_on_time_rate_is_the_count_by_hand(gk) -> None:
    # By hand, from tests/fixtures/progress/plan, as of 2025-01-15 (each unit's own view;
    # task 6, 各相关单位, is only possibly any unit's and counts for none):
    # 区甲委: 1 (9月底前, nothing) 未完成; 2 done 10-10 按期; 3 (各部门, 11月底前; the
    #   extension is 区乙局's, not its own) 未完成; 7 按市级部署 未部署. 应完成 3, 按期 1: 33%.
    # 丙镇: 4 closed 09-01 for 08-31: 逾期完成 1 天; 5 (no extension of its own) 未完成.
    #   应完成 2, 按期 0: 0%, average 1 day late.
    # 区丁办: 3 (各部门) 未完成. 应完成 1: 0%.
    # 区乙局: 2 (its entry is doing) 未完成; 3 extended to 12-20, 5 to 12-31, neither done:
    #   未完成. 应完成 3: 0%.
    # Ranked by rate, then fewer 未完成, then the directory's order.
    text = gk("report", "-t", "year", "--as-of", AFTER, data=PLAN).stdout
    assert _unit_rows(text) == {
        #         rank 应完成 按期 逾期完成 未完成 率  平均晚  全年 未部署
        "区甲委": ["1", "3", "1", "0", "2", "33%", "—", "0/0", "1"],
        "丙镇": ["2", "2", "0", "1", "1", "0%", "晚1天", "0/0", "0"],
        "区丁办": ["3", "1", "0", "0", "1", "0%", "—", "0/0", "0"],
        "区乙局": ["4", "3", "0", "0", "3", "0%", "—", "0/0", "0"],
    }
    # Nobody recorded anything on 1, 6 and 7.
    assert "3 项任务全年没有任何记录" in text


def _write(gk, data: Path, *args: str) -> None:
    result = gk(*args, data=data, env={"GKCTL_TODAY": "2025-01-20"})
    assert result.exit_code == 0, result.stderr


def test_late_reports_and_extensions_count_as_they_should(gk, tmp_path: Path) -> None:
    data = tmp_path / "plan"
    data.mkdir()
    for name in ("tasks.yaml", "units.yaml"):
        (data / name).write_bytes((PLAN / name).read_bytes())
    # 区丁办: 3 done on 11-20, by its 11月底前: 按期.
    _write(gk, data, "progress", "add", "3", "-u", "丁办", "-s", "done", "--date", "2024-11-20")
    # 区乙局: 3 done on 12-15, after 11-30 but by its extension to 12-20: 延期后按期;
    # 5 done on 2025-01-10, ten days after its extension to 12-31: 逾期完成, entered late.
    _write(gk, data, "progress", "add", "3", "-u", "乙局", "-s", "done", "--date", "2024-12-15")
    _write(gk, data, "progress", "add", "5", "-u", "乙局", "-s", "done", "--date", "2025-01-10")
    text = gk("report", "-t", "year", "--as-of", AFTER, data=data).stdout
    rows = _unit_rows(text)
    assert rows["区丁办"] == ["1", "1", "1", "0", "0", "100%", "—", "0/0", "0"]
    assert rows["区乙局"] == ["2", "3", "1", "1", "1", "33%", "晚10天", "0/0", "0"]
    assert rows["区甲委"][0:6] == ["3", "3", "1", "0", "2", "33%"]  # more 未完成 than 乙局
    # The same counts from the core.
    review = yearend.review(loader.load(data), date(2025, 1, 15))
    by_name = {u.unit.name: u.tally for u in review.units}
    assert (by_name["区乙局"].judged, by_name["区乙局"].on_time, by_name["区乙局"].rate) == (
        3,
        1,
        1 / 3,
    )
    assert by_name["区乙局"].after_extension == 1
    # A view date before the late report: it is not there yet.
    earlier = _unit_rows(gk("report", "-t", "year", "--as-of", "2025-01-05", data=data).stdout)
    assert earlier["区乙局"][3:5] == ["0", "2"]


def test_the_bundled_plan_with_no_progress_is_honest(gk) -> None:
    text = gk("report", "-t", "year", "--as-of", "2026-12-04").stdout
    # 75 tasks: 21 dated, all 未完成; 51 全年 without a report; 3 never deployed.
    assert "应完成（有截止日期、年内到期）21 项：按期完成 0 项" in text
    assert "未完成 21 项，按期完成率 0%" in text
    assert "有进展报送 0 项，无报送 51 项" in text and "市级未部署 3 项" in text
    assert "75 项任务全年没有任何记录" in text
    assert not re.search(r"逾期\d{3,}天", text)


def test_before_the_plan_ends_there_is_no_year_review(gk) -> None:
    result = gk("report", "-t", "year", "--as-of", "2024-12-31")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "年终回头看在计划结束之后才有最终结果：本计划到 2024-12-31 为止，"
        "请用 --as-of 2025-01-01 或之后的日期。"
    )
    with pytest.raises(UsageError):
        yearend.review(loader.load(DATA), date(2024, 6, 1))


def test_the_word_year_report_is_a_notice(gk, tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "回头看.docx"
    result = gk("report", "-t", "year", "--as-of", AFTER, "-f", "docx", "-o", str(out), data=PLAN)
    assert result.exit_code == 0, result.stderr
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "测试工作要点 年终回头看" in text
    assert "本计划已于2024年12月31日结束" in text
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    assert ["1", "区甲委", "3", "1", "0", "2", "33%", "—", "0/0", "1"] in cells


def test_the_site_has_a_year_page_once_the_plan_ended(gk, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert gk("site", "-o", str(out), "--as-of", AFTER, data=PLAN).exit_code == 0
    page = (out / "year.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="year.html"' in index and "本计划已于2024年12月31日结束" in index
    row = re.search(r'<tr data-unit="区甲委">(.*?)</tr>', page)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert [re.sub(r"<[^>]+>", "", c) for c in cells] == [
        "1", "区甲委", "3", "1", "0", "2", "33%", "—", "0/0", "1",
    ]  # fmt: skip
    assert re.search(r'data-year="unrecorded">3<', page)
    running = tmp_path / "running"
    assert gk("site", "-o", str(running), "--as-of", "2024-10-15", data=PLAN).exit_code == 0
    assert not (running / "year.html").exists()
    assert "year.html" not in (running / "index.html").read_text(encoding="utf-8")


def test_the_summary_of_an_ended_plan_points_to_the_year_review(gk) -> None:
    text = gk("report", "--as-of", AFTER, data=PLAN).stdout
    assert "见年终回头看（gkctl report -t year）" in text
    assert "年终回头看" not in gk("report", "--as-of", "2024-10-15", data=PLAN).stdout
