"""gkctl report: built-in templates (golden files), Markdown escaping, custom and overriding
templates, StrictUndefined, the sandbox, determinism, and finding templates outside the repo."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkctl.store import loader
from gkctl.views import report as core
from tests.conftest import DATA, ROOT

AS_OF = "2024-10-15"
HOSTILE = "坏|任务\n# heading <script>alert(1)</script> [link](http://x) *em* _u_ `code` a & b | 完"


# --- built-in templates on the bundled data -----------------------------------------------


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("--template", "summary"), "report-summary-2024-10-15.md"),
        (("--template", "unit", "--unit", "区经委"), "report-unit-区经委-2024-10-15.md"),
        (("--template", "breakdown"), "report-breakdown-2024-10-15.md"),
        # What the monthly workflow writes: the period since the 1st of the month before.
        (
            ("--template", "summary", "--since", "previous-month"),
            "report-summary-since-2024-09-01-2024-10-15.md",
        ),
        (
            ("--template", "unit", "--unit", "区经委", "--since", "2024-09-01"),
            "report-unit-区经委-since-2024-09-01-2024-10-15.md",
        ),
    ],
)
def test_builtin_golden(gk, golden, args, name) -> None:
    result = gk("report", *args, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    golden(name, result.stdout)


def test_summary_content(gk) -> None:
    out = gk("report", "--as-of", AS_OF).stdout
    assert out.startswith("# 关于2024年金山区政务公开工作要点 落实情况的通报\n\n各有关单位：\n")
    assert "截至 2024年10月15日｜" in out
    assert "| 已逾期 | 9 |" in out and "| 即将到期 | 4 |" in out and "| 待市级部署 | 3 |" in out
    # Overdue tasks grouped by lead unit, the unit with most first, most overdue first.
    office = out.index("### 区政府办公室（7 项）")
    centre = out.index("### 区行政服务中心（2 项）")
    assert office < centre
    rows = re.findall(r"^\| (\d+) \|", out[office:centre], re.MULTILINE)
    assert rows == ["41", "36", "35", "34", "48", "60", "71"]
    assert "| 40 | 增设政策评价与建议窗口" in out  # pending city arrangement
    assert (
        "| 二、助力政策落地落实，全链条全周期优化公开服务 | 19 | 6 | 1 | 1 | 5 | 6 | 0 | 0% | 0 |"
        in out
    )
    behind = out.split("## 落后单位", 1)[1]
    # Issue 18, scene 3: who is behind on the tasks naming them, lead first; the tasks late
    # for every department or town are one line per group, not 40 identical red rows.
    rows = re.findall(r"^\| [^|]* \| ([^-|][^|]*) \|", behind, re.MULTILINE)
    assert rows == ["单位", "区政府办公室", "区行政服务中心", "高新区", "区经委"]
    assert "| 1 | 区政府办公室 | 红灯 | 29 | 7（7） | 2（2） | 0% |" in behind
    # 高新区 is late only on tasks naming it as a co-operating unit: orange, not red.
    assert "| 3 | 高新区 | 橙灯 |" in behind
    assert "- 各部门：任务 60 已逾期（逾期45天），已报 0/28\n" in behind
    assert "- 各街镇：任务 60 已逾期（逾期45天），已报 0/10\n" in behind


def test_breakdown_has_every_task(gk) -> None:
    out = gk("report", "-t", "breakdown", "--as-of", AS_OF).stdout
    rows = [line for line in out.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [int(r.split("|")[1]) for r in rows] == list(range(1, 76))
    header = "| 序号 | 任务名称 | 任务内容 | 责任单位 | 时间节点 | 截止日期 | 状态 |"
    assert header in out
    assert all(_cells(r) == 7 for r in rows)
    assert rows[40] == (
        "| 41 | 强化政策留言板建设 | 健全政策留言板咨询回应工作机制，坚持和完善政务公开部门统筹、"
        "业务部门协同的工作程序，明确政策留言答复时限，安排专人负责答复办理，进一步提升政策咨询"
        "回应的规范性、针对性、实效性。 | 区政府办公室、区行政服务中心 | 3月底前 | 3月31日 | "
        "已逾期 |"
    )
    assert "| 按市级部署 | 待定 | 待市级部署 |" in out


def test_unit_report_lists_by_status(gk) -> None:
    out = gk("report", "-t", "unit", "-u", "经委", "--as-of", AS_OF).stdout
    assert out.startswith("# 区经委 任务清单\n")
    assert (
        "本单位承担 29 项任务：已逾期 1，即将到期 3，待市级部署 1，全年持续 22，未到期 2，已完成 0"
        in out
    )
    sections = re.findall(r"^## (.+)$", out, re.MULTILINE)
    assert sections == [
        "概况",
        "已逾期（1 项）",
        "即将到期（3 项）",
        "待市级部署（1 项）",
        "全年持续（22 项）",
        "未到期（2 项）",
        "已记录的进展",
        "延期申请",
        "可能涉及的任务（14 项）",
    ]
    assert (
        "| 31 | 用足用好集成式发布成果" in out and "| 牵头 | 10月底前 | 10月31日 | 剩16天 |" in out
    )
    assert "暂无进展记录。" in out and "暂无延期申请。" in out


def test_unit_report_shows_records(gk, data_copy) -> None:
    _add_to_task(
        data_copy,
        31,
        [
            "    progress:",
            "      - {date: 2024-09-20, unit: 区经委, status: doing, note: 已梳理惠企政策清单,"
            " link: 'https://example.com/a?b=1&c=<x>'}",
            "      - {date: 2024-09-01, unit: 区经委, status: doing}",
            "    extensions:",
            "      - {date: 2024-10-10, unit: 区经委, to: 2024-12-15, reason: 等待市级平台上线}",
        ],
    )
    result = gk("report", "-t", "unit", "-u", "区经委", "--as-of", AS_OF, data=data_copy)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    progress = out.split("## 已记录的进展", 1)[1].split("## 延期申请", 1)[0]
    lines = [line for line in progress.splitlines() if line.startswith("| 9月")]
    assert lines == [
        "| 9月1日 | 31 | 用足用好集成式发布成果，推出更多政策集成应用产品 | 推进中 |  |  |",
        "| 9月20日 | 31 | 用足用好集成式发布成果，推出更多政策集成应用产品 | 推进中 | "
        "已梳理惠企政策清单 | <https://example.com/a?b=1&c=%3Cx%3E> |",
    ]
    assert (
        "| 10月10日 | 31 | 用足用好集成式发布成果，推出更多政策集成应用产品 | "
        "12月15日 | 等待市级平台上线 |"
    ) in out
    # The extension moves the unit's deadline: no longer due soon, shown as extended.
    assert "即将到期（2 项）" in out
    assert "| 12月15日（延期，原 10月31日） | 剩61天 |" in out


def _two_units_extend(data: Path) -> None:
    """Extensions by two units: the lead of tasks 34 and 41 asks twice, a co-unit of 41 once
    (whether a co-unit's request moves the plan's deadline is status.py's business; the
    counts here are requests recorded, whatever they moved)."""
    _add_to_task(
        data,
        34,
        [
            "    extensions:",
            "      - {date: 2024-06-20, unit: 区政府办公室, to: 2024-11-30, reason: 评选延后}",
        ],
    )
    _add_to_task(
        data,
        41,
        [
            "    extensions:",
            "      - {date: 2024-04-25, unit: 区政府办公室, to: 2024-12-31, reason: 机制调整}",
            "      - {date: 2024-04-10, unit: 区行政服务中心, to: 2024-06-30, reason: 系统改版,"
            " late: true}",
        ],
    )


def _column(table: str, header: str, key: int = 0) -> dict[str, str]:
    """A Markdown table's column as {cell in column `key`: cell under `header`}."""
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]
    rows = [r for r in rows if r and r[0] and not set(r[0]) <= set("-: ")]
    at = rows[0].index(header)
    return {r[key]: r[at] for r in rows[1:]}


def test_extensions_are_counted_per_unit(gk, data_copy) -> None:
    _two_units_extend(data_copy)
    assert gk("validate", data=data_copy).exit_code == 0
    result = gk("report", "--as-of", AS_OF, data=data_copy)
    assert result.exit_code == 0, result.stderr
    behind = result.stdout.split("## 落后单位", 1)[1]
    table = "\n".join(line for line in behind.splitlines() if line.startswith("|"))
    asked = _column(table, "延期申请", key=1)  # by 单位, after 名次
    assert asked["区政府办公室"] == "2" and asked["区行政服务中心"] == "1"
    assert {n: c for n, c in asked.items() if c != "0"} == {
        "区政府办公室": "2",
        "区行政服务中心": "1",
    }
    for name, count in [("区政府办公室", 2), ("区行政服务中心", 1), ("区经委", 0)]:
        out = gk("report", "-t", "unit", "-u", name, "--as-of", AS_OF, data=data_copy).stdout
        overview = out.split("## 概况", 1)[1].split("\n\n")[1]
        assert overview.startswith("本单位承担 ") and overview.endswith(f"；申请延期 {count} 次。")
    # The context: every unit row carries the count; the unit view lists the requests.
    dataset = loader.load(data_copy)
    context = core.build_context(dataset, date(2024, 10, 15))
    counts = {u["name"]: u["extensions"] for u in context["units"]}
    assert len(counts) == 40
    assert {n: c for n, c in counts.items() if c} == {"区政府办公室": 2, "区行政服务中心": 1}
    office = dataset.directory.unit("区政府办公室")
    assert office is not None
    view = core.with_unit(context, dataset, office, date(2024, 10, 15))["unit"]
    assert [(e["task"], e["date"]) for e in view["extensions"]] == [
        (41, "2024-04-25"),
        (34, "2024-06-20"),
    ]


# --- Markdown escaping ------------------------------------------------------------------------


def _cells(row: str) -> int:
    """Cells of a table row, counting only pipes that are not backslash-escaped."""
    unescaped = re.sub(r"\\.", "", row)
    return unescaped.count("|") - 1


def _hostile_data(data_copy: Path) -> Path:
    text = (data_copy / "tasks.yaml").read_text(encoding="utf-8")
    old = "    content: 组织区内政策解读优秀案例评选"
    assert old in text
    quoted = HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(old))
    lines[index] = f'    content: "{quoted}"'
    (data_copy / "tasks.yaml").write_text("\n".join(lines), encoding="utf-8")
    return data_copy


@pytest.mark.parametrize(
    "args", [("-t", "summary"), ("-t", "breakdown"), ("-t", "unit", "-u", "区政府办公室")]
)
def test_hostile_task_text_is_escaped(gk, data_copy, args) -> None:
    data = _hostile_data(data_copy)
    result = gk("report", *args, "--as-of", AS_OF, data=data)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    row = next(line for line in out.splitlines() if line.startswith("| 34 |"))
    header = next(
        line for line in out[: out.index(row)].splitlines()[::-1] if line.startswith("| 序号")
    )
    assert _cells(row) == _cells(header)
    assert "坏\\|任务<br>\\# heading &lt;script&gt;alert(1)&lt;/script&gt;" in row
    rest = "\\[link\\](http\\://x) \\*em\\* \\_u\\_ \\`code\\` a &amp; b \\| 完"
    # The summary shows a task's first 60 characters; the others show all of it.
    assert (rest if args[1] != "summary" else rest[:20]) in row
    assert "<script>" not in out
    assert not re.search(r"(?<!\\)\]\(", out)  # no link markup
    assert not any(line.startswith("# heading") for line in out.splitlines())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", "a\\|b"),
        ("第一行\n第二行\r\n第三行", "第一行<br>第二行<br>第三行"),
        ("# 标题", "\\# 标题"),
        ("- 条目", "\\- 条目"),
        ("1. 第一", "1\\. 第一"),
        ("<b>粗</b> & 1 > 0", "&lt;b&gt;粗&lt;/b&gt; &amp; 1 &gt; 0"),
        ("[点我](http://x.cn)", "\\[点我\\](http\\://x.cn)"),
        ("见 www.example.com", "见 www\\.example.com"),
        ("*强调* _斜体_ `代码` ~删除~ $x$", "\\*强调\\* \\_斜体\\_ \\`代码\\` \\~删除\\~ \\$x\\$"),
        ("反斜杠\\|", "反斜杠\\\\\\|"),
        ("控制\x1b[31m", "控制\\\\x1b\\[31m"),
        ("2024-2026年", "2024-2026年"),
    ],
)
def test_md_escape(text, expected) -> None:
    assert core.md_escape(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_md_escape_any_text_stays_in_one_cell(text) -> None:
    out = core.md_escape(text)
    assert "\n" not in out and "\r" not in out
    bare = re.sub(r"\\.", "", out)  # drop escaped characters
    assert "|" not in bare and "`" not in bare and "[" not in bare and "*" not in bare
    assert "<" not in bare.replace("<br>", "")
    assert not re.match(r"\s*(#|[-+=]\s|\d+[.)])", out)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(date(2024, 11, 30), "2024年11月30日"), ("2024-01-05", "2024年1月5日"), (None, "—")],
)
def test_zh_date(value, expected) -> None:
    assert core.zh_date(value) == expected


def test_zh_date_leaves_out_the_plans_year() -> None:
    # In a table of the year's 通报: 10月31日 in its own year, the year shown in another.
    assert core.zh_date("2024-10-31", year=2024) == "10月31日"
    assert core.zh_date("2025-01-15", year=2024) == "2025年1月15日"
    assert core.zh_date(None, "待定", year=2024) == "待定"


def test_link_is_autolink_only_for_http() -> None:
    assert core.md_link("https://a.cn/x y") == "https\\://a.cn/x y"
    assert core.md_link("https://a.cn/p?q=<1>") == "<https://a.cn/p?q=%3C1%3E>"
    assert core.md_link("javascript:alert(1)") == "javascript:alert(1)"


# --- custom templates, errors, sandbox ---------------------------------------------------------


def test_custom_template_by_path(gk, tmp_path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text(
        "{{ document.number }} 截至 {{ as_of|zh_date }}：共 {{ total }} 项，逾期"
        "{% for t in tasks if t.status == 'overdue' %} {{ t.id }}{% endfor %}。\n"
        "{% for u in units[:2] %}{{ u.name }}={{ u.counts.overdue }}；{% endfor %}\n"
        "{{ statuses|map(attribute='key')|join('|') }}\n",
        encoding="utf-8",
    )
    result = gk("report", "--template", str(template), "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "金府办发〔2024〕5号 截至 2024年10月15日：共 75 项，逾期 34 35 36 39 41 "
        "48 52 60 71。\n区政府办公室=7；区行政服务中心=4；"
        "overdue\\|due\\_soon\\|pending\\|ongoing\\|open\\|done\n"
    )


def test_custom_template_may_extend_builtin(gk, tmp_path) -> None:
    template = tmp_path / "more.md.j2"
    template.write_text('{% extends "breakdown.md.j2" %}\n', encoding="utf-8")
    result = gk("report", "-t", str(template), "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == gk("report", "-t", "breakdown", "--as-of", AS_OF).stdout


def test_custom_template_with_unit(gk, tmp_path) -> None:
    template = tmp_path / "u.md.j2"
    template.write_text(
        "{{ unit.name }} {{ unit.kind_label }} {{ unit.total }} "
        "{{ unit.tasks|map(attribute='id')|list|first }}\n",
        encoding="utf-8",
    )
    result = gk("report", "-t", str(template), "-u", "朱泾", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "朱泾镇 镇 24 48\n"


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        (
            "第一行\n{{ no_such_variable }}\n",
            2,
            "模板使用了未定义的变量（'no_such_variable' is undefined）",
        ),
        (
            "{% for t in tasks %}\n\n{{ t.no_such_key }}{% endfor %}\n",
            3,
            "模板使用了未定义的变量（'dict object' has no attribute 'no_such_key'）",
        ),
        ("{{ unit.name }}\n", 1, "模板使用了未定义的变量（'None' has no attribute 'name'）"),
    ],
)
def test_undefined_is_an_error(gk, tmp_path, monkeypatch, body, line, words) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.md.j2").write_text(body, encoding="utf-8")
    result = gk("report", "-t", "bad.md.j2", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"bad.md.j2:{line}: {words}")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ tasks.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_sandbox_refuses_unsafe_access(gk, tmp_path, monkeypatch, body) -> None:
    monkeypatch.chdir(tmp_path)
    Path("evil.md.j2").write_text("无害的第一行\n" + body + "\n", encoding="utf-8")
    result = gk("report", "-t", "./evil.md.j2", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.match(
        r"evil\.md\.j2:2: 模板试图访问不允许的属性，已被沙箱拒绝|"
        r"evil\.md\.j2:2: 模板使用了未定义的变量",
        result.stderr,
    ), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("好\n{% for x in %}\n", "broken.md.j2:2: 模板语法错误：Expected an expression"),
        ("{% if total %}\n没有结束\n", "broken.md.j2:2: 模板语法错误：Unexpected end of template"),
        ("{{ 1 / 0 }}\n", "broken.md.j2:1: 渲染模板出错（ZeroDivisionError: division by zero）"),
        ('{% include "nowhere.md.j2" %}\n', "broken.md.j2:1: 找不到模板“nowhere.md.j2”"),
    ],
)
def test_template_errors_name_file_and_line(gk, tmp_path, monkeypatch, body, message) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.md.j2").write_text(body, encoding="utf-8")
    result = gk("report", "-t", "broken.md.j2", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message), result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-t", "nosuch"), "没有名为“nosuch”的模板，可用：summary、unit、breakdown、year；"),
        (("-t", "nosuch.md.j2"), "找不到模板文件 nosuch.md.j2。"),
        (("-t", "unit"), "模板 unit 需要用 --unit 指定单位"),
        (("-t", "unit", "-u", "区经委员会"), "未知单位“区经委员会”。是否为“区经委”？"),
        (("--each-unit",), "--each-unit 需要用 -o 指定输出目录。"),
        (("--each-unit", "-u", "区经委", "-o", "x"), "--each-unit 与 --unit 不能同时使用。"),
    ],
)
def test_usage_errors(gk, tmp_path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    result = gk("report", *args, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message), result.stderr


# --- output: files, determinism ------------------------------------------------------------------


def test_output_file_matches_stdout(gk, tmp_path) -> None:
    target = tmp_path / "汇总.md"
    result = gk("report", "--as-of", AS_OF, "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"已写入 {target}。\n"
    assert target.read_bytes() == gk("report", "--as-of", AS_OF).stdout.encode("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["汇总.md"]  # no temporary file left


@pytest.mark.parametrize("template", ["summary", "breakdown", "unit"])
def test_deterministic(gk, tmp_path, template) -> None:
    unit = ["-u", "区政府办公室"] if template == "unit" else []
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    gk("report", "-t", template, *unit, "--as-of", AS_OF, "-o", str(first))
    gk("report", "-t", template, *unit, "--as-of", AS_OF, "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().endswith(b"\n") and not first.read_bytes().endswith(b"\n\n")


def test_other_as_of_changes_only_what_changed(gk) -> None:
    before = gk("report", "-t", "breakdown", "--as-of", "2024-10-30").stdout.splitlines()
    after = gk("report", "-t", "breakdown", "--as-of", "2024-11-01").stdout.splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    # The header's date, the four tasks due on 10-31 that turned overdue, and the eight
    # due on 11-30 that came within 30 days.
    assert changed[0][1].endswith("状态截至 2024年11月1日")
    assert (
        sorted(b.rsplit("|", 2)[1].strip() for _, b in changed[1:])
        == ["即将到期"] * 8 + ["已逾期"] * 4
    )


def test_each_unit_writes_one_file_per_unit(gk, tmp_path) -> None:
    folder = tmp_path / "out" / "units"
    result = gk("report", "-t", "unit", "--each-unit", "-o", str(folder), "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"已生成 40 份单位报告，写入 {folder}。\n"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 40 and "区经委.md" in names and "石化街道.md" in names
    one = gk("report", "-t", "unit", "-u", "区经委", "--as-of", AS_OF).stdout
    assert (folder / "区经委.md").read_text(encoding="utf-8") == one


def test_each_unit_never_overwrites_one_report_with_another(gk, data_copy, tmp_path) -> None:
    """Units a/b and a_b (and ABC/abc, one file on many file systems) each get a file."""
    units = (data_copy / "units.yaml").read_text(encoding="utf-8")
    extra = "".join(
        f"  - name: {n}\n    kind: department\n" for n in ("a/b", "a_b", "ABC", "abc", "CON")
    )
    (data_copy / "units.yaml").write_text(
        units.replace("\ngroups:", extra + "\ngroups:", 1), "utf-8"
    )
    folder = tmp_path / "units"
    result = gk(
        "report", "-t", "unit", "--each-unit", "-o", str(folder), "--as-of", AS_OF, data=data_copy
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(f"已生成 45 份单位报告，写入 {folder}。\n")
    names = {p.name for p in folder.iterdir()}
    assert len(names) == 45
    # The name that needed no change keeps it; the other gets a hash of its own name.
    hashed = {n: hashlib.sha256(n.encode()).hexdigest()[:8] for n in ("a/b", "abc")}
    assert {"a_b.md", f"a_b-{hashed['a/b']}.md", "ABC.md", f"abc-{hashed['abc']}.md"} <= names
    assert "_CON.md" in names
    assert "a\\_b" in (folder / "a_b.md").read_text(encoding="utf-8")
    assert "a/b" in (folder / f"a_b-{hashed['a/b']}.md").read_text(encoding="utf-8")


# --- finding templates ---------------------------------------------------------------------------


def test_runs_outside_the_repository(gk, data_copy, tmp_path, monkeypatch, golden) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert not (data_copy.parent / "templates").exists()
    result = gk("report", "--as-of", AS_OF, data=data_copy)
    assert result.exit_code == 0, result.stderr
    golden("report-summary-2024-10-15.md", result.stdout)


def test_templates_next_to_data_override_builtin(gk, data_copy, tmp_path, monkeypatch) -> None:
    own = data_copy.parent / "templates"
    own.mkdir()
    (own / "summary.md.j2").write_text("本地汇总 {{ as_of }}\n", encoding="utf-8")
    (own / "weekly.md.j2").write_text("周报 {{ counts.overdue }}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "data")  # --data . : the templates are next to ./
    assert gk("report", "--as-of", AS_OF, data=Path(".")).stdout == "本地汇总 2024-10-15\n"
    assert gk("report", "-t", "weekly", "--as-of", AS_OF, data=Path(".")).stdout == "周报 9\n"
    breakdown = gk("report", "-t", "breakdown", "--as-of", AS_OF, data=Path(".")).stdout
    assert breakdown.startswith("# 2024年金山区政务公开工作要点 任务分解表")  # still built in
    wrong = gk("report", "-t", "monthly", data=Path("."))
    assert wrong.exit_code == 2
    assert "可用：summary、unit、breakdown、year、weekly；" in wrong.stderr


def test_builtin_dir_inside_an_installed_package(tmp_path) -> None:
    wheel = tmp_path / "site-packages" / "gkctl"
    (wheel / "templates").mkdir(parents=True)
    assert core.builtin_dir(wheel) == wheel / "templates"
    source = tmp_path / "checkout" / "gkctl"
    source.mkdir(parents=True)
    assert core.builtin_dir(source) == tmp_path / "checkout" / "templates"
    assert core.builtin_dir() == ROOT / "templates"
    # Besides the reports, the parts they include (named with a leading "_").
    assert {p.name for p in (ROOT / "templates").glob("*.md.j2")} == {
        f"{n}.md.j2" for n in (*core.BUILTIN, "_changes", "_tongbao")
    }


def test_installed_layout_renders(tmp_path) -> None:
    # The wheel maps templates/ to gkctl/templates: a copy of the package laid out that way,
    # run from a folder with neither the repository nor templates next to the data, through
    # the installed script's entry point (run(): on Windows it also makes the ANSI code page of
    # the pipe take the report, which main() alone left to a UnicodeEncodeError: seen under Wine).
    site = tmp_path / "site"
    shutil.copytree(ROOT / "gkctl", site / "gkctl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", site / "gkctl" / "templates")
    shutil.copytree(DATA, tmp_path / "work" / "plan")
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gkctl, sys; from gkctl.cli.app import run; "
            "sys.argv = ['gkctl', 'report', '-t', 'breakdown', '--as-of', '2024-10-15', "
            "'--data', 'plan']; print(gkctl.__file__, file=sys.stderr, flush=True); run()",
        ],
        cwd=tmp_path / "work",
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert str(site / "gkctl") in run.stderr
    assert run.stdout.count("\n| ") == 77  # the header, its rule and 75 tasks


# --- the context ---------------------------------------------------------------------------------

CONTEXT_KEYS = {
    "office",
    "overall",
    "trend",
    "group_lines",
    "since",
    "changes",
    "as_of",
    "within",
    "ending",
    "document",
    "statuses",
    "total",
    "counts",
    "tasks",
    "by_status",
    "overdue_by_lead",
    "overdue_led",
    "sections",
    "units",
    "behind",
    "behind_total",
    "rank_note",
    "lights_note",
    "compared_with",
    "move_note",
    "unit",
}
TASK_KEYS = {
    "id",
    "section",
    "section_title",
    "name",
    "content",
    "summary",
    "text",
    "units",
    "lead",
    "deadline",
    "kind",
    "due",
    "original_due",
    "workday_due",
    "milestones",
    "status",
    "status_label",
    "days_left",
    "days_label",
    "extended",
    "extension",
    "extension_request",
    "reported",
    "returned",
    "closed",
    "closed_note",
    "notes",
    "progress",
    "extensions",
    "via",
    "role",
    "possible",
    "carried_from",
    "carried_to",
    "carry",
}
UNIT_KEYS = {
    "rank",
    "light",
    "move",
    "direct",
    "via_groups",
    "name",
    "kind",
    "kind_label",
    "total",
    "possible",
    "counts",
    "completion",
    "extensions",
}
UNIT_VIEW_KEYS = UNIT_KEYS | {
    "changes",
    "aliases",
    "full_name",
    "tasks",
    "by_status",
    "possible_tasks",
    "progress",
    "extensions",
}


def _plain(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_context_is_plain_and_documented() -> None:
    dataset = loader.load(DATA)
    day = date(2024, 10, 15)
    context = core.build_context(dataset, day)
    unit = dataset.directory.unit("区经委")
    assert unit is not None
    with_unit = core.with_unit(context, dataset, unit, day)
    assert set(context) == CONTEXT_KEYS
    assert context["unit"] is None
    assert set(context["tasks"][0]) == TASK_KEYS
    assert set(context["units"][0]) == UNIT_KEYS
    assert set(with_unit["unit"]) == UNIT_VIEW_KEYS
    assert set(with_unit["unit"]["tasks"][0]) == TASK_KEYS
    assert _plain(context) and _plain(with_unit)
    assert [t["id"] for t in context["tasks"]] == list(range(1, 76))
    assert context["tasks"][74]["milestones"] == [
        {"text": "任务分解报送区政府办公室", "due": "2024-05-10"}
    ]


def test_jinja_is_not_imported_by_other_commands() -> None:
    code = (
        "import sys; from gkctl.cli.app import app; import gkctl.views.report; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'markupsafe')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert run.stdout == "[]\n"


def _add_to_task(data: Path, task_id: int, extra: list[str]) -> None:
    """Append lines to a task's mapping in tasks.yaml (before the next task)."""
    path = data / "tasks.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"  - id: {task_id}")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id:"))
    while not lines[end - 1].strip():
        end -= 1
    lines[end:end] = extra
    path.write_text("\n".join(lines), encoding="utf-8")


def test_error_in_an_included_template_names_that_file(gk, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("main.md.j2").write_text('# 标题\n{% include "part.md.j2" %}\n', encoding="utf-8")
    Path("part.md.j2").write_text("片段\n{{ missing }}\n", encoding="utf-8")
    result = gk("report", "-t", "main.md.j2", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "part.md.j2:2: 模板使用了未定义的变量（'missing' is undefined）"
    )


def test_non_utf8_template_is_a_message(gk, tmp_path) -> None:
    template = tmp_path / "gbk.md.j2"
    template.write_bytes("# 督办 {{ as_of }}\n".encode("gbk"))
    result = gk("report", "-t", str(template), "--as-of", "2024-10-15")
    assert result.exit_code == 1
    assert "模板不是 UTF-8 编码" in result.stderr
    assert "Traceback" not in result.stderr


MIXED = """{% macro cell(x) %}*{{ x }}*{% endmacro %}
{{ document.title }} {{ total }} {{ counts }} {{ tasks[0].units }} {{ tasks[0].due }}
{{ cell("a|b") }} {{ "<b>_x_</b>"|safe }} {{ tasks[0].content|md }} {{ none_here|default(None) }}
{% for t in tasks[:5] %}| {{ t.id }} | {{ t.summary }} | {{ t.units|join("、") }} | {{ t.reported }} |
{% endfor %}{% autoescape false %}{{ "a*b" }} {{ tasks[0].name }}{% endautoescape %}
{{ 1.5 }} {{ true }} {{ tasks|length }} {{ "#1 [x](http://a.b)" }}
"""


@pytest.mark.parametrize("name", ["summary", "unit", "breakdown", "mixed"])
def test_compiled_output_is_jinjas_own(tmp_path: Path, name: str) -> None:
    # Renderer compiles {{ … }} to one call (MarkdownOutput); Jinja's own code generator
    # must give the same text, for every kind of value a template outputs.
    from jinja2.compiler import CodeGenerator

    dataset = loader.load(DATA)
    as_of = date(2024, 12, 20)
    context = core.build_context(dataset, as_of, since=date(2024, 10, 1))
    unit = dataset.directory.units[5]
    context = core.with_unit(context, dataset, unit, as_of)
    spec = name
    if name == "mixed":
        (tmp_path / "mixed.md.j2").write_text(MIXED, encoding="utf-8")
        spec = str(tmp_path / "mixed.md.j2")
    ours = core.Renderer(core.find_template(spec, DATA))
    assert type(ours.template.environment).code_generator_class is not CodeGenerator
    theirs = core.Renderer(core.find_template(spec, DATA))
    env = theirs.template.environment
    env.code_generator_class = CodeGenerator
    theirs.template = env.from_string(env.loader.get_source(env, theirs.ref.name)[0])
    text = ours.render(context)
    assert text == theirs.render(context)
    assert len(text) > 200


def test_tongbao_names_only_lead_tasks_overdue_for_the_lead(gk, data_copy) -> None:
    """The 通报 counts a unit's own overdue tasks and names its lead tasks beside the count:
    a lead task whose lead has done its part (confirmed by the office) is overdue for the
    other units, so it stays in the annex's overdue list, but is not named as the lead's."""
    for args in (
        (
            "progress",
            "add",
            "48",
            "--unit",
            "区政府办公室",
            "--status",
            "done",
            "--date",
            "2024-07-20",
        ),
        ("accept", "48", "--unit", "区政府办公室", "--date", "2024-07-25"),
    ):
        assert gk(*args, data=data_copy).exit_code == 0
    result = gk("report", "--as-of", "2024-10-20", data=data_copy)
    assert result.exit_code == 0, result.stderr
    # Six of its own (41, 36, 35, 34, 60, 71), the first five named: not 48.
    assert (
        "区政府办公室逾期 6 项（牵头任务 41、36、35、34、60等），即将到期 2 项；" in result.stdout
    )
    annex = result.stdout.split("### 逾期任务", 1)[1].split("### 即将到期", 1)[0]
    assert "| 48 | “以点带面”" in annex  # still overdue: eleven units have not reported
    unit = gk(
        "due", "--unit", "区政府办公室", "--as-of", "2024-10-20", "--format", "json", data=data_copy
    )
    overdue = [t["id"] for t in json.loads(unit.stdout)["tasks"] if t["status"] == "overdue"]
    assert 48 not in overdue and {41, 36, 35, 34, 60, 71} <= set(overdue)
