"""The reading commands through the CLI: due, list, show, deadline, units."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
import rich.console

from tests.conftest import DATA

AS_OF = "2024-10-15"


def test_due_unit_table_golden(gk, golden) -> None:
    result = gk("due", "--unit", "区经委", "--as-of", AS_OF)
    assert result.exit_code == 0
    golden("due-区经委-2024-10-15.txt", result.stdout)
    assert "已逾期（1）" in result.stdout
    assert "即将到期（3）" in result.stdout
    assert "待市级部署（1）" in result.stdout
    # Tasks of 各相关部门 come apart, after the unit's own.
    assert "可能涉及（2）" in result.stdout
    assert result.stdout.index("可能涉及（2）") > result.stdout.index("待市级部署（1）")
    assert "（另有可能涉及 14 项）" in result.stdout


def test_piped_output_on_windows_is_as_wide_as_elsewhere(gk, golden, monkeypatch) -> None:
    """Rich takes output without VT codes on Windows for the legacy console and draws it
    narrower (found under Wine): as Rich sees a pipe there, the table is the golden one."""
    monkeypatch.setattr(rich.console, "detect_legacy_windows", lambda: True)
    result = gk("due", "--unit", "区经委", "--as-of", AS_OF)
    assert result.exit_code == 0
    golden("due-区经委-2024-10-15.txt", result.stdout)


def test_due_unit_all_golden(gk, golden) -> None:
    result = gk("due", "--unit", "区经委", "--as-of", AS_OF, "--all")
    assert result.exit_code == 0
    golden("due-区经委-all-2024-10-15.txt", result.stdout)
    for label in ("全年持续（22）", "未到期（2）", "可能涉及（14）"):
        assert label in result.stdout


def test_due_summary_golden(gk, golden) -> None:
    result = gk("due", "--as-of", AS_OF)
    assert result.exit_code == 0
    golden("due-summary-2024-10-15.txt", result.stdout)
    first_row = result.stdout.splitlines()[3]
    assert first_row.split()[:4] == ["1", "区政府办公室", "36", "7"]
    assert "可能" in result.stdout.splitlines()[1]


def test_due_json_for_unit(gk) -> None:
    result = gk("due", "--unit", "经委", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["unit"] == "区经委"
    assert [(t["id"], t["status"], t["days_left"], t["via"]) for t in data["tasks"]] == [
        (48, "overdue", -76, "各相关部门"),
        (60, "overdue", -45, "各部门"),
        (39, "overdue", -15, "各相关部门"),
        (31, "due_soon", 16, "direct"),
        (72, "due_soon", 16, "各部门"),
        (73, "due_soon", 16, "各部门"),
        (64, "pending", None, "各部门"),
    ]
    task31 = data["tasks"][3]
    assert task31["lead"] is True and task31["possible"] is False
    assert data["tasks"][0]["possible"] is True


def test_due_direct_only(gk) -> None:
    result = gk(
        "due", "--unit", "区经委", "--as-of", AS_OF, "--direct", "--all", "--format", "json"
    )
    data = json.loads(result.stdout)
    assert {t["via"] for t in data["tasks"]} == {"direct"}
    assert [t["id"] for t in data["tasks"] if t["status"] == "due_soon"] == [31]
    assert [t["id"] for t in data["tasks"]] == [31, 2, 8, 9, 10, 11, 19, 37]


def test_due_csv_has_bom_and_rows(gk) -> None:
    result = gk("due", "--unit", "区经委", "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "section", "name"]
    assert rows[0][-1] == "via"
    assert [r[0] for r in rows[1:]] == ["48", "60", "39", "31", "72", "73", "64"]
    assert rows[1][rows[0].index("status_label")] == "已逾期"


def test_due_summary_json(gk) -> None:
    result = gk("due", "--as-of", AS_OF, "--format", "json")
    data = json.loads(result.stdout)
    by_unit = {u["unit"]: u for u in data["units"]}
    assert by_unit["区经委"]["overdue"] == 1
    assert by_unit["区经委"]["possible"] == 14
    assert by_unit["区政府办公室"]["total"] == 36


def test_due_fail_on_overdue(gk) -> None:
    result = gk("due", "--unit", "区经委", "--as-of", AS_OF, "--fail-on", "overdue")
    assert result.exit_code == 1
    # The unit's own overdue task (60), not the two it only possibly has (48, 39).
    assert "--fail-on overdue：有 1 项任务符合条件。" in result.stderr
    early = gk("due", "--unit", "区经委", "--as-of", "2024-04-15", "--fail-on", "overdue")
    assert early.exit_code == 0


def test_due_after_the_year_reads_the_plan_as_ended(gk) -> None:
    # Issue 23: a 全年 task is not overdue on 1 January, the year is over.
    result = gk("due", "--unit", "区经委", "--as-of", "2025-01-02", "--all", "--format", "json")
    data = json.loads(result.stdout)
    statuses = {t["id"]: t["status"] for t in data["tasks"]}
    assert statuses[2] == "ongoing_unreported"  # 全年, direct, nothing reported
    assert statuses[60] == "unfinished"  # 8月底前, never reported done
    assert data["plan_ended"] is True and data["plan_end"] == "2024-12-31"
    table = gk("due", "--unit", "区经委", "--as-of", "2025-01-02")
    assert table.stdout.startswith("本计划已于2024年12月31日结束：以下为截至查看日的最终结果")


def test_due_window(gk) -> None:
    narrow = json.loads(
        gk("due", "--unit", "区经委", "--as-of", AS_OF, "--within", "5", "--format", "json").stdout
    )
    assert [t["id"] for t in narrow["tasks"] if t["status"] == "due_soon"] == []


def test_due_as_of_from_environment(gk) -> None:
    result = gk("due", "--unit", "区经委", "--format", "json", env={"GKCTL_TODAY": AS_OF})
    assert json.loads(result.stdout)["as_of"] == AS_OF


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ("区经委员会", "未知单位“区经委员会”。是否为“区经委”？"),
        ("区", "单位“区”不明确，可能是：区政府办公室、"),
        ("各部门", "“各部门”是统称"),
        ("火星办", "未知单位“火星办”。"),
    ],
)
def test_unknown_or_ambiguous_unit(gk, unit: str, message: str) -> None:
    result = gk("due", "--unit", unit, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_bad_as_of_is_usage_error(gk) -> None:
    result = gk("due", "--as-of", "2024/10/15")
    assert result.exit_code == 2
    assert "--as-of“2024/10/15”无法识别，请写作 YYYY-MM-DD" in result.stderr


def test_unsupported_format_is_usage_error(gk) -> None:
    result = gk("due", "--format", "github")
    assert result.exit_code == 2
    assert "此命令不支持 --format github" in result.stderr


def test_empty_result_is_not_an_error(gk) -> None:
    result = gk("due", "--unit", "区经委", "--as-of", "2024-04-11", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [t["status"] for t in data["tasks"]] == ["pending"]
    empty = gk("list", "--grep", "不存在的文字", "--format", "json")
    assert empty.exit_code == 0
    assert json.loads(empty.stdout)["tasks"] == []
    assert "没有符合条件的任务" in empty.stderr
    csv_out = gk("list", "--grep", "不存在的文字", "--format", "csv")
    assert csv_out.stdout.count("\n") == 1  # header only


def test_list_filters(gk) -> None:
    def ids(*args: str) -> list[int]:
        result = gk("list", "--as-of", AS_OF, "--format", "json", *args)
        assert result.exit_code == 0
        return [t["id"] for t in json.loads(result.stdout)["tasks"]]

    assert ids("--section", "三") == list(range(49, 56))
    assert ids("--status", "pending") == [40, 55, 64]
    assert ids("--status", "overdue", "--section", "五") == [71]
    assert ids("--due-before", "2024-05-31") == [35, 36, 41]
    assert ids("--due-after", "2024-11-01", "--due-before", "2024-11-30") == [
        28,
        30,
        38,
        42,
        43,
        46,
        47,
        59,
    ]
    assert ids("--grep", "政府公报") == [54, 55]
    # 26 names 各相关部门 (possibly the unit's), 28 names 各部门, 29 names it directly.
    assert ids("--unit", "区财政局", "--section", "一") == [26, 28, 29]


def test_list_unknown_section(gk) -> None:
    result = gk("list", "--section", "六")
    assert result.exit_code == 2
    assert "没有部分“六”，可用：一、二、三、四、五。" in result.stderr


def test_list_table(gk) -> None:
    result = gk("list", "--section", "三", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert "52" in result.stdout and "9月底前" in result.stdout and "已逾期" in result.stdout


def test_show_task(gk, golden) -> None:
    result = gk("show", "28", "--as-of", AS_OF)
    assert result.exit_code == 0
    golden("show-28-2024-10-15.txt", result.stdout)
    assert "及时制定发布全区各级行政机关的年度重大行政决策目录" in result.stdout
    assert "2024-11-30" in result.stdout and "工作日 11-29" in result.stdout
    assert "牵头：区政府办公室" in result.stdout


def test_show_milestone_and_json(gk) -> None:
    result = gk("show", "75", "--as-of", AS_OF, "--format", "json")
    task = json.loads(result.stdout)["task"]
    assert task["deadline"]["milestones"] == [
        {"text": "任务分解报送区政府办公室", "due": "2024-05-10"}
    ]
    assert task["status"] == "ongoing"
    assert task["text"].startswith("根据本工作要点")


def test_show_unknown_task(gk) -> None:
    result = gk("show", "99")
    assert result.exit_code == 2
    assert "没有序号为 99 的任务（现有序号：1–75）。" in result.stderr


def test_deadline_explain(gk) -> None:
    result = gk("deadline", "十一月底前")
    assert result.exit_code == 0
    assert "2024年11月30日（2024-11-30）" in result.stdout
    assert "最后工作日  2024年11月29日（2024-11-29）" in result.stdout


def test_deadline_json(gk) -> None:
    result = gk("deadline", "6月底前完成初稿，11月底前完成", "--format", "json")
    assert json.loads(result.stdout) == {
        "version": 1,
        "text": "6月底前完成初稿，11月底前完成",
        "kind": "date",
        "due": "2024-11-30",
        "workday_due": "2024-11-29",
        "milestones": [
            {"text": "6月底前完成初稿", "due": "2024-06-30"},
            {"text": "11月底前完成", "due": "2024-11-30"},
        ],
        "recurrence": None,
        "workday_basis": "holidays",
    }


def test_deadline_with_year_and_published(gk, tmp_path: Path) -> None:
    result = gk(
        "deadline",
        "发布后30日内",
        "--year",
        "2025",
        "--published",
        "2025-03-01",
        "--format",
        "json",
        data=tmp_path,
    )
    assert json.loads(result.stdout)["due"] == "2025-03-31"


def test_deadline_pending_and_recurring(gk) -> None:
    pending = json.loads(gk("deadline", "按市级部署", "--format", "json").stdout)
    assert (pending["kind"], pending["due"], pending["workday_due"]) == ("pending", None, None)
    monthly = json.loads(gk("deadline", "每月", "--as-of", AS_OF, "--format", "json").stdout)
    assert (monthly["kind"], monthly["due"], monthly["recurrence"]) == (
        "recurring",
        "2024-10-31",
        "monthly",
    )


def test_deadline_unreadable(gk) -> None:
    result = gk("deadline", "尽快")
    assert result.exit_code == 1
    assert result.stderr.startswith("无法识别时间节点“尽快”。可识别的写法：")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("一" * 4301 + "月底前", "时间节点过长（4304 个字符，最多 200 个）。\n"),
        ("11月底XYZ", "无法识别时间节点“11月底XYZ”：“11月底”后面的“XYZ”无法识别（"),
    ],
)
def test_deadline_refused_cleanly(gk, data_copy: Path, text: str, message: str) -> None:
    assert gk("deadline", text).stderr.startswith(message)
    # The same text in the plan: validate and due say so, with its position, no traceback.
    tasks = data_copy / "tasks.yaml"
    tasks.write_text(
        tasks.read_text(encoding="utf-8").replace("deadline: 11月底前", f"deadline: {text}", 1),
        encoding="utf-8",
    )
    checked = gk("validate", data=data_copy)
    assert checked.exit_code == 1
    assert ": " + message.rstrip("\n") in checked.stdout + checked.stderr
    assert gk("due", data=data_copy).exit_code == 1


def test_units_listing(gk) -> None:
    result = gk("units", "--format", "json")
    data = json.loads(result.stdout)
    assert len(data["units"]) == 40
    assert {
        "name": "区经委",
        "kind": "department",
        "aliases": ["经委"],
        "former": [],
        "full_name": None,
        "source": None,
    } in data["units"]
    table = gk("units")
    assert "石化街道" in table.stdout and "单位名录补充" in table.stdout


def test_version(gk) -> None:
    result = gk("--version", data=None)
    assert result.exit_code == 0
    assert result.stdout.startswith("gkctl ")


def test_markup_and_control_characters_print_literally(gk, data_copy: Path) -> None:
    tasks = data_copy / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    original = "content: 用足用好集成式发布成果，推出更多政策集成应用产品。探索通过人工智能、大数据等新技术对惠企政策进行拆解与整合，打造针对性实用性强、服务面广的“政策服务包”。"
    hostile = '"[red]红字[/red] [link=http://evil.example]点我[/link] '
    tasks.write_text(text.replace(original, f'content: {hostile}ESC"', 1), encoding="utf-8")
    result = gk("due", "--unit", "区经委", "--as-of", AS_OF, data=data_copy)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    # Literal wherever the table breaks the line (a break may fall between 我 and [/link]).
    unwrapped = "".join(line[6:48].rstrip() for line in out.splitlines())
    assert "[red]红字[/red]" in out
    assert "[link=http://evil.example]点我[/link]" in unwrapped
    # A control character is refused by the loader (issue 22, item 6), at its place, and
    # the message shows it escaped.
    tasks.write_text(
        text.replace(original, f'content: {hostile}\\e[31mESC\\e[0m"', 1), encoding="utf-8"
    )
    refused = gk("due", "--unit", "区经委", "--as-of", AS_OF, data=data_copy)
    assert refused.exit_code == 1
    assert "\x1b" not in refused.stdout + refused.stderr
    assert refused.stderr.startswith(
        f"{tasks}:274:65: 任务 31 的任务内容（content）中有控制字符（U+001B，第 51 个字符），请删去\n"
    )


def test_no_data_is_usage_error_not_traceback(gk, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = gk("due", data=None)
    assert result.exit_code == 2
    assert "找不到数据文件 data/tasks.yaml" in result.stderr


def test_python_m_gkctl_works(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "gkctl", "validate", "--data", str(DATA)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "75 项任务" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["due", "--unt", "x"], "错误：没有选项 --unt，是否为 --unit？"),
        (["nosuch"], "错误：没有命令“nosuch”，可用 gkctl -h 查看全部命令。"),
        (["show"], "错误：缺少参数“序号”。"),
        (["show", "abc"], "错误：参数“序号”的值无效：“abc”不是整数。"),
        (["due", "--within", "99999"], "错误：--within 的值无效：99999 不在范围 0<=x<=3660 内。"),
        (["due", "--fail-on", "x"], "错误：--fail-on 的值无效：“x”不是可选值之一："),
        (["due", "a", "b"], "错误：多余的参数：a b。"),
    ],
)
def test_usage_errors_are_chinese(gk, args: list[str], message: str) -> None:
    result = gk(*args, data=None)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "用法：gkctl" in result.stderr or args == ["nosuch"]
    assert "Error:" not in result.stderr and "Usage:" not in result.stderr


def test_help_is_chinese(gk) -> None:
    result = gk("due", "--help", data=None)
    assert "-h, --help" in result.stdout and "显示帮助并退出。" in result.stdout
    assert "Show this message" not in result.stdout
    assert "[table|json|csv]" in result.stdout


def test_show_for_a_unit_follows_its_progress(gk, data_copy: Path) -> None:
    tasks = data_copy / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    marker = "    units: [区政府办公室, 各部门, 街镇, 高新区]\n    deadline: 11月底前\n"
    assert marker in text
    entry = "    progress:\n      - date: 2024-10-01\n        unit: 区经委\n        status: done\n"
    tasks.write_text(text.replace(marker, marker + entry, 1), encoding="utf-8")
    own = json.loads(
        gk("show", "28", "--unit", "经委", "--as-of", AS_OF, "-f", "json", data=data_copy).stdout
    )["task"]
    assert (own["status"], own["via"], own["lead"]) == ("done", "各部门", False)
    plan_wide = json.loads(gk("show", "28", "--as-of", AS_OF, "-f", "json", data=data_copy).stdout)
    assert plan_wide["task"]["status"] == "open"
    table = gk("show", "28", "--unit", "经委", "--as-of", AS_OF, data=data_copy)
    assert "已完成" in table.stdout
    other = gk("show", "2", "--unit", "区财政局", data=data_copy)
    assert other.exit_code == 2
    assert "任务 2 的责任单位（区经委）不包括“区财政局”。" in other.stderr


@pytest.mark.parametrize(
    ("target", "message"), [("folder", "无法写入"), ("afile/x.md", "无法新建目录")]
)
def test_unwritable_output_is_a_message_not_a_traceback(
    gk, tmp_path: Path, target: str, message: str
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = gk("report", "--as-of", AS_OF, "-o", str(tmp_path / target))
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("width", ["40", "60", "80", "120"])
def test_due_view_fits_any_terminal(gk, monkeypatch, width: str) -> None:
    monkeypatch.setenv("COLUMNS", width)
    result = gk("due", "--unit", "区政府办公室", "--as-of", "2024-12-31")
    assert result.exit_code == 0
    out = result.stdout
    # Nothing is cut: long day counts, the involvement and every task id are all there.
    assert "逾期275天" in out  # task 41, due 03-31
    assert "2024-03-31" in out
    for task_id in ("41", "36", "35"):
        assert any(line.split()[:1] == [task_id] for line in out.splitlines()), task_id
    assert max(len(line.rstrip()) for line in out.splitlines()) <= max(int(width), 40) * 2


def test_due_counts_keep_each_number_with_its_label(gk, monkeypatch) -> None:
    # The counts line wraps between "已逾期 N" pieces, never inside one, at any width.
    labels = ("已逾期", "即将到期", "待市级部署", "全年持续", "未到期", "已完成")
    wrapped = 0
    for width in range(30, 101, 2):
        monkeypatch.setenv("COLUMNS", str(width))
        result = gk("due", "--unit", "区政府办公室", "--as-of", "2024-12-31", "--all")
        lines = result.stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("已逾期 "))
        counts = lines[start : lines.index("", start)]
        wrapped += len(counts) > 1
        pieces = [p for line in counts for p in line.strip().split("  ")]
        assert [p.split(" ")[0] for p in pieces][: len(labels)] == list(labels), width
        assert all(re.fullmatch(r"\S+ \d+", p) for p in pieces[: len(labels)]), counts
        assert all(len(line) <= width for line in counts)
    assert wrapped > 10


@pytest.mark.parametrize("width", ["60", "80"])
def test_unit_summary_fits_narrow_terminals(gk, monkeypatch, width: str) -> None:
    monkeypatch.setenv("COLUMNS", width)
    result = gk("due", "--as-of", AS_OF)
    assert "…" not in result.stdout
    assert "区政府办公室" in result.stdout and "36" in result.stdout


def test_csv_cells_are_never_formulas(gk, data_copy: Path) -> None:
    tasks = data_copy / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    text = text.replace(
        "content: 常态长效做好重点企业", 'content: "=HYPERLINK(1)常态长效做好重点企业', 1
    )
    text = text.replace("赋能企业发展。\n    text:", '赋能企业发展。"\n    text:', 1)
    tasks.write_text(text, encoding="utf-8")
    result = gk("list", "--grep", "HYPERLINK", "--format", "csv", data=data_copy)
    assert result.exit_code == 0, result.stderr
    row = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))[1]
    assert row[3].startswith("'=HYPERLINK(1)")
    days = gk("due", "--unit", "区经委", "--as-of", AS_OF, "--format", "csv")
    assert ",-45," in days.stdout  # numbers keep their sign


@pytest.mark.parametrize(
    "command",
    [
        ["due", "--unit", "区经委", "--all", "--as-of", AS_OF],
        ["due", "--as-of", AS_OF],
        ["list", "--unit", "区经委", "--as-of", AS_OF],
        ["show", "37", "--as-of", AS_OF],
        ["units"],
        ["stats", "--as-of", AS_OF],
        ["review", "--as-of", AS_OF],
    ],
)
def test_piped_tables_carry_no_trailing_spaces(gk, command: list[str]) -> None:
    # Rich pads every line to the table's width; a terminal shows none of it, but a file,
    # a CI log or a diff of two runs would.
    result = gk(*command)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) > 3
    assert [line for line in lines if line != line.rstrip()] == []
