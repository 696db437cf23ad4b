"""gkctl validate: every bad input file gives the exact message at the exact position."""

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gkctl.core.deadlines import FORMS_HELP
from gkctl.store import loader
from tests.conftest import DATA, FIXTURES

INVALID = FIXTURES / "invalid"

BEFORE = "早于计划发布日期 2024-04-10：计划发布之前不会有它的记录"

# Each fixture in tests/fixtures/invalid/NAME.yaml, used as tasks.yaml beside the bundled
# units.yaml, and the problems validate must report: (line, column, code, message).
EXPECTED = {
    "alias_as_unit": [(15, 13, "unknown-unit", "责任单位请写单位名称“区经委”（“经委”是它的别名）")],
    "alias_bomb": [
        (1, 4, "alias", "不支持 YAML 锚点与别名（&、*）：此处的内容被别名重复引用，请直接写出")
    ],
    "closed_not_date": [
        (
            23,
            13,
            "bad-date",
            "任务 2 的销号日期（closed）应为日期，写作 YYYY-MM-DD（如 2024-11-30），这里是“yes”",
        )
    ],
    "custom_tag": [
        (
            14,
            14,
            "tag",
            "不允许使用 YAML 标签“!secret”：数据文件只能包含文字、数字、日期、列表和映射",
        )
    ],
    "deadline_bad_month": [(16, 15, "deadline", "无法识别时间节点“13月底前”：月份 13 不存在。")],
    "deadline_unreadable": [
        (
            16,
            15,
            "deadline",
            "无法识别时间节点“尽快”。可识别的写法：全年、年内、持续推进、长期坚持、常态化、持续开展、实时更新、动态更新；N月底前（如 11月底前、十一月底前）；N月N日前、N月N号前；N月上旬/中旬/下旬；年底前、年末前；上半年、下半年；一季度、第三季度末；2025年6月底前、2025年、2024—2026年、2022年11—12月、2025年1月11日-2025年10月底；2024年起；自即日起至11月20日、自本通知印发之日起至2025年3月31日止；按市级部署、按上级部署、按国家部署、按市里要求、按省里要求、根据上级安排、待上级通知；每月、每季度、每半年、每年、每月10日前、每季度最后一个月的30日前、每年1月31日前；发布后30日内、印发后一个月内；多个节点用逗号分开（6月底前完成初稿，11月底前完成），编号的节点可带做法（①3月底前,完成设计）；节点之前可写 于、在、到、截至、力争、务于、请于；日期之后可写当天的时刻（3月17日下午下班前）；节点之后只可跟“前”“止”或 完成初稿、完成任务、全面完成、完成、报送、上报、启动、印发、发布、出台、公开、投入使用、开工建设、开工、动工、建成、竣工",
        )
    ],
    "duplicate_id": [(17, 9, "duplicate-id", "任务序号 1 重复（第 11 行已有）")],
    "duplicate_key": [
        (
            17,
            5,
            "duplicate-key",
            "重复的键“deadline”（第 16 行已有）：YAML 会静默保留后一个，请删除或合并其中一个",
        )
    ],
    "empty_file": [(1, 1, "empty", "文件为空")],
    "extension_bad_to": [
        (
            26,
            13,
            "bad-date",
            "延期至（to）应为日期，写作 YYYY-MM-DD（如 2024-11-30），这里是“下个月”",
        )
    ],
    "extension_bad_decision": [
        (
            28,
            19,
            "bad-decision",
            "未知的决定“agreed”，应为 requested（待批）、approved（批准）或 rejected（不批准）",
        )
    ],
    "extension_decided_before_asked": [
        (29, 18, "bad-date", "决定日期 2024-04-30 早于申请日期 2024-05-01")
    ],
    "extension_rejected_without_reason": [
        (28, 19, "missing-key", "不批准（rejected）须写明理由（decision_note）")
    ],
    "extension_approved_without_date": [
        (28, 19, "missing-key", "已决定的申请须写明决定日期（decided）")
    ],
    "progress_returned_before_report": [
        (27, 19, "bad-date", "退办日期 2024-04-20 早于报送日期 2024-05-01")
    ],
    "progress_returned_without_reason": [
        (27, 19, "bad-return", "只有已完成（done）的进展才能退办（returned）"),
        (27, 19, "missing-key", "退办须写明理由（return_reason）"),
    ],
    "gbk_encoded": [
        (
            2,
            10,
            "encoding",
            "文件不是 UTF-8 编码：看起来是 GBK 编码（Windows 办公软件常用），请用 UTF-8 编码另存后再提交",
        )
    ],
    "id_negative": [(17, 9, "bad-id", "任务序号应为正整数，这里是 -3")],
    "id_not_integer": [(11, 9, "type", "任务序号（id）应为整数，这里是文字")],
    "id_zero": [(11, 9, "bad-id", "任务序号应为正整数，这里是 0")],
    "missing_content": [(11, 5, "missing-key", "任务 1 缺少必填的键“content”")],
    # Every problem of a task, not only its first class (issue 15, item 9).
    "missing_key_and_unknown_unit": [
        (11, 5, "missing-key", "任务 1 缺少必填的键“content”"),
        (14, 13, "unknown-unit", "未知责任单位“区经委员会”，是否为“区经委”？"),
        (
            15,
            15,
            "deadline",
            "无法识别时间节点“11月底钱”：“11月底”后面的“钱”无法识别（节点之后只可跟“前”“止”或 完成初稿、完成任务、全面完成、完成、报送、上报、启动、印发、发布、出台、公开、投入使用、开工建设、开工、动工、建成、竣工）。",
        ),
        (
            17,
            15,
            "bad-date",
            "进展日期（date）应为日期，写作 YYYY-MM-DD（如 2024-11-30），这里是“2024-13-01”",
        ),
    ],
    "missing_tasks_key": [(1, 1, "missing-key", "tasks.yaml 顶层缺少必填的键“tasks”")],
    "not_utf8": [(20, 14, "encoding", "文件不是 UTF-8 编码：请用 UTF-8 编码保存")],
    "only_comments": [(1, 1, "empty", "文件为空")],
    "progress_bad_date": [
        (
            24,
            15,
            "bad-date",
            "进展日期（date）应为日期，写作 YYYY-MM-DD（如 2024-11-30），这里是“2024-13-01”",
        )
    ],
    "progress_bad_link": [
        (
            27,
            15,
            "bad-link",
            "链接“ftp://example.org/x”不是有效的网址（应以 http:// 或 https:// 开头）",
        )
    ],
    "progress_bad_status": [
        (26, 17, "bad-status", "未知的进展状态“finished”，应为 done（已完成）或 doing（推进中）")
    ],
    "progress_missing_status": [(24, 9, "missing-key", "任务 2 的进展记录缺少必填的键“status”")],
    "progress_unit_not_involved": [
        (
            24,
            9,
            "progress-unit",
            "任务 2 的责任单位（区政府办公室、各部门）不包括“高新区”，不能记录它的进展",
        )
    ],
    "progress_unknown_unit": [
        (24, 9, "unknown-unit", "进展记录的单位“区财务局”不存在，是否为“区财政局”？")
    ],
    # Nothing is reported, asked, decided, sent back or closed under a plan before it was
    # published; the boundary day itself is fine (decided: 2024-04-10).
    "records_before_plan": [
        (18, 15, "before-plan", "进展日期（date） 2015-06-01 " + BEFORE),
        (21, 19, "bad-date", "退办日期 2014-06-02 早于报送日期 2015-06-01"),
        (21, 19, "before-plan", "退办日期（returned） 2014-06-02 " + BEFORE),
        (23, 13, "before-plan", "任务 1 的销号日期（closed） 2014-01-02 " + BEFORE),
        (31, 15, "before-plan", "申请日期（date） 2024-04-09 " + BEFORE),
    ],
    # Without a publication date, the plan starts on 1 January of its year.
    "records_before_plan_year": [
        (
            5,
            14,
            "bad-date",
            "发布日期（published）应为日期，写作 YYYY-MM-DD（如 2024-11-30），这里是“null”",
        ),
        (
            18,
            15,
            "before-plan",
            "进展日期（date） 2023-12-31 早于计划年度 2024 年的第一天 2024-01-01："
            "计划发布之前不会有它的记录",
        ),
    ],
    "published_bad_date": [
        (
            5,
            14,
            "bad-date",
            "发布日期（published）应为日期，写作 YYYY-MM-DD（如 2024-11-30），这里是“2024年4月10日”",
        )
    ],
    "python_tag": [
        (
            14,
            14,
            "tag",
            "不允许使用 YAML 标签“!!python/object/apply:os.system”：数据文件只能包含文字、数字、日期、列表和映射",
        )
    ],
    "syntax_bad_indent": [
        (
            13,
            11,
            "syntax",
            "YAML 语法错误：此处不能出现“键: 值”，多半是缩进不对或值里有未加引号的冒号",
        )
    ],
    "syntax_unclosed_quote": [(14, 14, "syntax", "YAML 语法错误：从这里开始的引号没有闭合")],
    "tab_indent": [(13, 1, "tab", "缩进中有制表符（Tab），YAML 只允许用空格缩进")],
    "top_level_list": [(1, 1, "type", "tasks.yaml 顶层应为映射（键: 值），这里是列表")],
    "units_empty": [(15, 12, "empty-value", "任务 1 的责任单位（units）不能为空")],
    "units_not_list": [(15, 12, "type", "任务 1 的责任单位（units）应为列表，这里是文字")],
    # deadline may be left out (未明确时限, a warning), so only the typo is a problem.
    "unknown_key_typo": [
        (16, 5, "unknown-key", "任务 1 中有未知的键“deadine”，是否为“deadline”？"),
    ],
    "unknown_section": [(18, 14, "unknown-section", "任务 2 的部分“六”不在 sections 中")],
    "unknown_unit": [(15, 13, "unknown-unit", "未知责任单位“区经委员会”，是否为“区经委”？")],
    "year_not_integer": [(6, 9, "type", "计划年度（year）应为整数，这里是文字")],
    # Files every write used to crash on (issue 12 item 5): a written-out tag must fit its
    # value, and a key must be text; dates are YYYY-MM-DD within ten years of the plan year.
    "tag_int_mismatch": [
        (16, 15, "tag", "标签“!!int”与这里的值“11月底前”不符，请删去标签或改正值")
    ],
    "tag_bool_mismatch": [(22, 15, "tag", "标签“!!bool”与这里的值“maybe”不符，请删去标签或改正值")],
    "tag_null_on_list": [(15, 12, "tag", "标签“!!null”与这里的列表不符，请删去标签或改正值")],
    "complex_key": [(17, 7, "complex-key", "键只能是文字，不能是列表或映射（“? ”开头的复杂键）")],
    "due_out_of_range": [
        (
            17,
            10,
            "date-range",
            "任务 1 的截止日期（due）：日期 9999-12-31 超出计划年度 2024 年前后 10 年"
            "（2014-01-01 至 2034-12-31）",
        )
    ],
    "extension_to_far": [
        (
            20,
            13,
            "date-range",
            "延期至（to）：日期 2099-12-31 超出计划年度 2024 年前后 10 年（2014-01-01 至 2034-12-31）",
        )
    ],
    # The text policy (issue 22, items 6, 13, 17, 21): control and invisible characters are
    # refused in every text, line breaks in what is one line; the position is the refused
    # character's own (an escape in a double-quoted value, the character in a block).
    "content_control_char": [
        (
            14,
            18,
            "control-char",
            "任务 1 的任务内容（content）中有控制字符（U+0007，第 4 个字符），请删去",
        )
    ],
    "note_bidi": [
        (29, 13, "invisible-char", "说明（note）中有看不见的字符（U+202E，第 10 个字符），请删去")
    ],
    "reason_zero_width": [
        (
            27,
            22,
            "invisible-char",
            "延期理由（reason）中有看不见的字符（U+200B，第 5 个字符），请删去",
        )
    ],
    "name_line_break": [
        (
            13,
            15,
            "line-break",
            "任务 1 的任务名称（name）中有换行符（U+000A，第 4 个字符）：这里只能写一行，请删去",
        )
    ],
    "title_carriage_return": [
        (
            2,
            15,
            "control-char",
            "标题（title）中有回车符（U+000D，第 5 个字符）：这里只能写一行，请删去",
        )
    ],
    "section_title_line_break": [
        (
            10,
            11,
            "line-break",
            "部分标题（title）中有换行符（U+000A，第 5 个字符）：这里只能写一行，请删去",
        )
    ],
    # A raw control character stops the YAML reader: said at its place, not at 1:1.
    "raw_control_char": [(20, 16, "control-char", "文件中有不允许的控制字符（U+0007），请删去")],
    # YAML 1.1 reads 0x4B as 75 (and 0o113, +75, 7_5); 075 was refused already.
    "id_hex": [(11, 9, "type", "任务序号（id）应写作十进制整数，这里是“0x4B”")],
    "year_hex": [(6, 9, "type", "计划年度（year）应写作十进制整数，这里是“0x7E8”")],
    "date_not_iso": [
        (
            17,
            13,
            "bad-date",
            "任务 1 的销号日期（closed）应为日期，写作 YYYY-MM-DD（如 2024-11-30），这里是“20241015”",
        )
    ],
}


def _data_with(tmp_path: Path, tasks: Path | None = None, units: Path | None = None) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy(tasks or DATA / "tasks.yaml", target / "tasks.yaml")
    shutil.copy(units or DATA / "units.yaml", target / "units.yaml")
    return target


def test_every_fixture_has_an_expectation() -> None:
    assert {p.stem for p in INVALID.glob("*.yaml")} == set(EXPECTED)
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_invalid_fixture_json(case: str, tmp_path: Path, gk, monkeypatch) -> None:
    _data_with(tmp_path, tasks=INVALID / f"{case}.yaml")
    monkeypatch.chdir(tmp_path)
    result = gk("validate", "--format", "json", data=Path("data"))
    assert result.exit_code == 1, result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["column"], p["code"], p["message"]) for p in problems] == EXPECTED[case]
    assert {p["file"] for p in problems} == {"data/tasks.yaml"}


@pytest.mark.parametrize("case", ["unknown_unit", "duplicate_key", "tab_indent"])
def test_invalid_fixture_text_has_file_line_column(
    case: str, tmp_path: Path, gk, monkeypatch
) -> None:
    _data_with(tmp_path, tasks=INVALID / f"{case}.yaml")
    monkeypatch.chdir(tmp_path)
    result = gk("validate", data=Path("data"))
    assert result.exit_code == 1
    line, column, _, message = EXPECTED[case][0]
    assert result.stdout.splitlines()[0] == f"data/tasks.yaml:{line}:{column}: {message}"
    assert "共发现 1 个问题" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_github_annotations(tmp_path: Path, gk, monkeypatch) -> None:
    _data_with(tmp_path, tasks=INVALID / "unknown_key_typo.yaml")
    monkeypatch.chdir(tmp_path)
    result = gk("validate", "--format", "github", data=Path("data"))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=data/tasks.yaml,line=16,col=5,title=gkctl unknown-key::"
        "任务 1 中有未知的键“deadine”，是否为“deadline”？",
    ]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "unknown_kind",
            [
                (
                    "data/units.yaml",
                    105,
                    11,
                    "bad-kind",
                    "未知的单位类型“bureau”（可用：department、town、subdistrict、park）",
                )
            ],
        ),
        (
            "duplicate_alias",
            [("data/units.yaml", 101, 5, "duplicate-unit", "名称或别名“经委”与单位“区经委”重复")],
        ),
        (
            "unknown_group_member",
            [
                (
                    "data/units.yaml",
                    161,
                    15,
                    "bad-kind",
                    "未知的单位类型“departments”，是否为“department”？"
                    "（可用：department、town、subdistrict、park）",
                )
            ],
        ),
        # Names that look the same but are not (issue 12 item 16).
        (
            "invisible_name",
            [
                (
                    "data/units.yaml",
                    37,
                    14,
                    "invisible-char",
                    "单位名称（name）“区经\\u200b委”中有看不见的字符（U+200B，第 3 个字符），请删去",
                )
            ],
        ),
        (
            "bidi_alias",
            [
                (
                    "data/units.yaml",
                    108,
                    21,
                    "invisible-char",
                    "别名（aliases）中的每一项“\\u202e局政财”中有看不见的字符（U+202E，第 1 个字符），请删去",
                )
            ],
        ),
        (
            "unit_line_break",
            [
                (
                    "data/units.yaml",
                    150,
                    16,
                    "line-break",
                    "单位名称（name）“区新单位\\x0a区经委”中有换行符（U+000A，第 5 个字符）："
                    "这里只能写一行，请删去",
                )
            ],
        ),
    ],
)
def test_invalid_units_file(
    case: str, expected: list[tuple[object, ...]], tmp_path: Path, gk, monkeypatch
) -> None:
    _data_with(tmp_path, units=FIXTURES / "invalid_units" / f"{case}.yaml")
    monkeypatch.chdir(tmp_path)
    result = gk("validate", "--format", "json", data=Path("data"))
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [
        (p["file"], p["line"], p["column"], p["code"], p["message"]) for p in problems
    ] == expected


def test_bundled_data_is_valid(gk) -> None:
    result = gk("validate")
    assert result.exit_code == 0
    assert result.stdout == (
        "数据有效：75 项任务，40 个单位，5 个统称，计划年度 2024。\n"
        "数据目录 data（--data），没有 gkctl.toml。\n"
    )


def test_bundled_data_json_has_no_problems(gk) -> None:
    result = gk("validate", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"version": 1, "problems": [], "warnings": []}


def test_utf8_bom_is_accepted(tmp_path: Path, gk) -> None:
    data = _data_with(tmp_path, tasks=FIXTURES / "valid_bom.yaml")
    assert (data / "tasks.yaml").read_bytes().startswith(b"\xef\xbb\xbf")
    result = gk("validate", data=data)
    assert result.exit_code == 0, result.stdout
    assert "2 项任务" in result.stdout


def test_minimal_fixture_is_valid(tmp_path: Path, gk) -> None:
    result = gk("validate", data=_data_with(tmp_path, tasks=FIXTURES / "valid_minimal.yaml"))
    assert result.exit_code == 0


def test_missing_data_folder_is_usage_error(tmp_path: Path, gk) -> None:
    result = gk("validate", data=tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "找不到数据文件" in result.stderr
    assert "--data" in result.stderr


def test_missing_units_file(tmp_path: Path, gk) -> None:
    data = _data_with(tmp_path)
    (data / "units.yaml").unlink()
    result = gk("validate", "--format", "json", data=data)
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [p["code"] for p in problems] == ["missing-file"]


def test_data_from_environment(tmp_path: Path, gk, monkeypatch) -> None:
    data = _data_with(tmp_path)
    monkeypatch.chdir(tmp_path.parent)
    monkeypatch.setenv("GKCTL_DATA", str(data))
    result = gk("validate", data=None)
    assert result.exit_code == 0


def test_other_commands_refuse_invalid_data(tmp_path: Path, gk, monkeypatch) -> None:
    _data_with(tmp_path, tasks=INVALID / "unknown_unit.yaml")
    monkeypatch.chdir(tmp_path)
    result = gk("due", "--unit", "区经委", "--as-of", "2024-10-15", data=Path("data"))
    assert result.exit_code == 1
    assert "data/tasks.yaml:15:13: 未知责任单位“区经委员会”，是否为“区经委”？" in result.stderr
    assert result.stdout == ""


def test_problems_are_all_collected_and_sorted(tmp_path: Path) -> None:
    text = (FIXTURES / "valid_minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("units: [区经委]", "units: [区经委员会]").replace(
        "deadline: 全年", "deadline: 尽快"
    )
    text = text.replace("  - id: 2", "  - id: 1")
    data = tmp_path / "data"
    data.mkdir()
    (data / "tasks.yaml").write_text(text, encoding="utf-8")
    shutil.copy(DATA / "units.yaml", data / "units.yaml")
    dataset, problems = loader.check(data)
    assert dataset is None
    assert [(p.line, p.code) for p in problems] == [
        (15, "unknown-unit"),
        (17, "duplicate-id"),
        (22, "deadline"),
    ]
    assert problems[2].message.endswith(FORMS_HELP)


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    # Not a timing assertion (machines are noisy): the walk must refuse the first shared
    # node rather than expand 9**9 references, so one call returns at all.
    data = _data_with(tmp_path, tasks=INVALID / "alias_bomb.yaml")
    started = time.process_time()
    _, problems = loader.check(data)
    assert [p.code for p in problems] == ["alias"]
    assert time.process_time() - started < 60


def test_a_duplicate_key_does_not_hide_other_problems(tmp_path: Path) -> None:
    text = (FIXTURES / "valid_minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    deadline: 11月底前\n", "    deadline: 11月底前\n    deadline: 12月底前\n"
    )
    text = text.replace("units: [区政府办公室, 各部门]", "units: [区政府办公室, 各部们]")
    text = text.replace("  - id: 2\n", "  - id: 1\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "tasks.yaml").write_text(text, encoding="utf-8")
    shutil.copy(DATA / "units.yaml", data / "units.yaml")
    _, problems = loader.check(data)
    assert [(p.line, p.code) for p in problems] == [
        (17, "duplicate-key"),
        (18, "duplicate-id"),
        (22, "unknown-unit"),
    ]
    assert problems[2].message == "未知责任单位“各部们”，是否为“各部门”？"


def test_empty_unit_directory_still_checks_tasks(tmp_path: Path) -> None:
    data = _data_with(tmp_path, tasks=INVALID / "deadline_unreadable.yaml")
    (data / "units.yaml").write_text("units: []\n", encoding="utf-8")
    _, problems = loader.check(data)
    codes = [(p.file.rsplit("/", 1)[-1], p.code) for p in problems]
    assert ("units.yaml", "empty-value") in codes
    assert ("tasks.yaml", "deadline") in codes
    assert ("tasks.yaml", "unknown-unit") in codes


def test_duplicate_sections_and_groups(tmp_path: Path) -> None:
    text = (FIXTURES / "valid_minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    title: 第一部分\n", "    title: 第一部分\n  - id: 一\n    title: 又一个第一部分\n"
    )
    units = (DATA / "units.yaml").read_text(encoding="utf-8")
    units += "  - name: 各部门\n    meaning: 重复\n    members: [department]\n"
    data = tmp_path / "data"
    data.mkdir()
    (data / "tasks.yaml").write_text(text, encoding="utf-8")
    (data / "units.yaml").write_text(units, encoding="utf-8")
    _, problems = loader.check(data)
    assert {(p.code, p.message) for p in problems} == {
        ("duplicate-section", "部分编号“一”重复"),
        ("duplicate-group", "统称“各部门”重复定义"),
    }


def test_a_legacy_extension_is_a_warning_not_a_problem(tmp_path: Path, gk) -> None:
    """An extension entry from before decisions existed reads as approved on the day it was
    asked; validate warns (exit 0) at the entry's position, in every format."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(DATA / "units.yaml", data / "units.yaml")
    text = (INVALID / "extension_bad_to.yaml").read_text(encoding="utf-8")
    (data / "tasks.yaml").write_text(text.replace("下个月", "2024-12-31"), encoding="utf-8")
    message = (
        "任务 2 的延期记录（区财政局，至 2024-12-31）没有 decision，按旧格式视为已于申请日 "
        "2024-05-01 批准；如果只是申请、尚待区政府办公室决定，请加一行 decision: requested"
    )
    table = gk("validate", data=data)
    assert table.exit_code == 0
    assert table.stderr == f"{data / 'tasks.yaml'}:24:9: 警告：{message}\n"
    doc = json.loads(gk("validate", "-f", "json", data=data).stdout)
    assert doc["problems"] == []
    assert [(n["line"], n["column"], n["code"]) for n in doc["warnings"]] == [
        (24, 9, "legacy-extension")
    ]
    github = gk("validate", "-f", "github", data=data)
    assert github.exit_code == 0 and github.stdout.startswith("::warning file=")
    shown = gk("show", "2", "--as-of", "2024-06-01", "-f", "json", data=data)
    extension = json.loads(shown.stdout)["task"]["extensions"][0]
    assert (extension["decision"], extension["decided"], extension["legacy"]) == (
        "approved",
        "2024-05-01",
        True,
    )


def test_look_alike_unit_names_are_a_warning(tmp_path: Path, gk) -> None:
    units = (DATA / "units.yaml").read_text(encoding="utf-8")
    extra = "  - name: ＡＢＣ\n    kind: department\n  - name: ABC\n    kind: department\n"
    data = _data_with(tmp_path)
    (data / "units.yaml").write_text(units.replace("\ngroups:", extra + "\ngroups:", 1), "utf-8")
    result = gk("validate", data=data)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "警告：名称“ABC”与“ＡＢＣ”看起来相同（仅全角/半角、空格或兼容字符不同），是否重复登记了同一个单位？"
        in result.stderr
    )


@pytest.mark.parametrize("twin", ["区经委 ", " 区经委", "区经委\u3000", "区经委\u00a0"])
def test_unit_names_differing_only_in_spaces_are_a_warning(tmp_path: Path, gk, twin: str) -> None:
    """A second 区经委 with a space at an end (or of another width) lists as a twin of the
    first in every view (issue 22 item 17, re-checked)."""
    units = (DATA / "units.yaml").read_text(encoding="utf-8")
    extra = f'  - name: "{twin}"\n    kind: department\n'
    data = _data_with(tmp_path)
    (data / "units.yaml").write_text(units.replace("\ngroups:", extra + "\ngroups:", 1), "utf-8")
    result = gk("validate", data=data)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        f"警告：名称“{twin}”与“区经委”看起来相同（仅全角/半角、空格或兼容字符不同），"
        "是否重复登记了同一个单位？" in result.stderr
    )


# Characters that show nothing and that the first policy let through in a name: a tag
# character, the Hangul filler, a variation selector, the Mongolian vowel separator, the
# combining grapheme joiner (the last four printable to str.isprintable()).
@pytest.mark.parametrize("hidden", ["\U000e0001", "\u3164", "\ufe0f", "\u180e", "\u034f"])
def test_a_unit_name_with_any_invisible_character_is_refused(
    tmp_path: Path, gk, hidden: str
) -> None:
    """区经委 followed by a character that shows nothing was a second unit that looks
    exactly like 区经委, in every view and on its own page."""
    units = (DATA / "units.yaml").read_text(encoding="utf-8")
    extra = f"  - name: 区经委{hidden}\n    kind: department\n"
    data = _data_with(tmp_path)
    text = units.replace("\ngroups:", extra + "\ngroups:", 1)
    (data / "units.yaml").write_text(text, "utf-8")
    line = text[: text.index(f"区经委{hidden}")].count("\n") + 1
    result = gk("validate", "-f", "json", data=data)
    assert result.exit_code == 1, result.stdout + result.stderr
    code = ord(hidden)
    escaped = f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    assert [
        (p["line"], p["column"], p["code"], p["message"])
        for p in json.loads(result.stdout)["problems"]
    ] == [
        (
            line,
            14,  # the character itself: 区经委 takes columns 11 to 13
            "invisible-char",
            f"单位名称（name）“区经委{escaped}”中有看不见的字符（U+{code:04X}，第 4 个字符），请删去",
        )
    ]


def test_a_request_waiting_on_a_closed_task_is_a_warning(tmp_path: Path, gk) -> None:
    """extend refuses a closed task; a request written by hand on one would wait for ever
    (approve and reject refuse a closed task, review hides it), so validate says so."""
    data = _data_with(tmp_path)
    text = (INVALID / "extension_decided_before_asked.yaml").read_text(encoding="utf-8")
    text = text.replace("decision: approved\n        decided: 2024-04-30", "decision: requested")
    (data / "tasks.yaml").write_text(text + "    closed: 2024-06-01\n", encoding="utf-8")
    result = gk("validate", data=data)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stderr == (
        f"{data / 'tasks.yaml'}:24:9: 警告：任务 2 已于 2024-06-01 销号，区财政局 的延期申请"
        "（至 2024-12-31）却仍待批：gkctl review 不再列出它，approve、reject 也只能按销号之前"
        "的日期决定；请先 gkctl reopen 2 再决定，或删去这条申请\n"
    )
    doc = json.loads(gk("validate", "-f", "json", data=data).stdout)
    assert [(n["line"], n["code"]) for n in doc["warnings"]] == [(24, "closed-request")]


# --- --all-plans: every plan of the repository, whatever gkctl.toml says (issue 22) --------------


def _plans_repo(root: Path) -> Path:
    """A repository that keeps its plan in data/ and, since a pull request, reads a copy in
    decoy/ (gkctl.toml), with data/tasks.yaml broken meanwhile; one more plan tracked in
    other/, and a broken fixture under tests/, as this repository has."""
    import subprocess

    shutil.copytree(DATA, root / "data")
    shutil.copytree(DATA, root / "decoy")
    shutil.copytree(DATA, root / "other" / "plan")
    fixture = root / "tests" / "fixtures" / "bad"
    fixture.mkdir(parents=True)
    (fixture / "tasks.yaml").write_text("tasks: [\n", encoding="utf-8")
    (root / "gkctl.toml").write_text('data = "decoy"\n', encoding="utf-8")
    tasks = root / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(
        text.replace("units: [区经委]\n", "units: [区经委员会]\n", 1), encoding="utf-8"
    )
    for args in (["init", "-q", "-b", "main"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def test_all_plans_checks_the_plan_gkctl_toml_no_longer_reads(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_plans_repo(tmp_path / "repo"))
    # What the issue saw: validate reads the folder gkctl.toml names, and passes.
    assert gk("validate", "--format", "github", data=None).exit_code == 0
    result = gk("validate", "--all-plans", data=None)
    assert result.exit_code == 1
    assert result.stdout.startswith("data/tasks.yaml:")
    assert "未知责任单位“区经委员会”，是否为“区经委”？" in result.stdout
    assert "tests/" not in result.stdout + result.stderr  # fixtures are not plans
    assert "共检查 3 份计划：data、decoy、other/plan（--all-plans" in result.stderr
    github = gk("validate", "--all-plans", "--format", "github", data=None)
    assert github.exit_code == 1
    assert github.stdout.startswith("::error file=data/tasks.yaml,line=")


def test_all_plans_lists_each_valid_plan(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _plans_repo(tmp_path / "repo")
    shutil.copy2(DATA / "tasks.yaml", root / "data" / "tasks.yaml")
    monkeypatch.chdir(root / "other")  # from a subfolder too: the repository is the scope
    result = gk("validate", "--all-plans", data=None)
    assert result.exit_code == 0, result.stdout + result.stderr
    valid = "数据有效：75 项任务，40 个单位，5 个统称，计划年度 2024。"
    # Named as every message names a file: relative to the working folder where it can be.
    data, decoy = root.resolve() / "data", root.resolve() / "decoy"
    assert result.stdout.splitlines() == [
        f"{data}：{valid}",
        f"{decoy}：{valid}",
        f"plan：{valid}",
        f"共检查 3 份计划：{data}、{decoy}、plan（--all-plans：仓库中的每一份，不论 gkctl.toml 指向哪里）。",
    ]


def test_all_plans_with_a_missing_folder_or_with_data(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    both = gk("validate", "--all-plans", "--data", str(DATA), data=None)
    assert both.exit_code == 2
    assert "--all-plans 检查仓库中的每一份计划，不能再用 --data 指定一个。" in both.stderr
    none = gk("validate", "--all-plans", data=None)
    assert none.exit_code == 2 and "仓库中没有计划" in none.stderr
    # A folder gkctl.toml names that holds no plan is a problem, not a folder passed over.
    (tmp_path / "gkctl.toml").write_text('data = "gone"\n', encoding="utf-8")
    missing = gk("validate", "--all-plans", data=None)
    assert missing.exit_code == 1
    assert "gone/tasks.yaml:1:1: 找不到任务文件 tasks.yaml" in missing.stdout


def test_all_plans_lists_each_plan_of_a_folder_of_plans_once(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # gkctl.toml names the folder of plans, and git tracks each plan's tasks.yaml: the
    # same two plans, found both ways, are checked and listed once each.
    import subprocess

    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "plans" / "plans", root / "plans")
    (root / "gkctl.toml").write_text('data = "plans"\n', encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    monkeypatch.chdir(root)
    result = gk("validate", "--all-plans", data=None)
    assert result.exit_code == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("：")[0] for line in lines[:-1]] == ["plans/2024", "plans/2025"]
    assert lines[-1].startswith("共检查 2 份计划：plans/2024、plans/2025（")


# --- the refused character's own position, however the value is written -------------------

_REFUSED = "\x07\x1b\x9b\r\u202e\u2066\u200b\ufeff\u2028"


@settings(max_examples=150, deadline=None)
@given(
    before=st.text(alphabet="内容甲 a:#'\"\\-\n\t", max_size=12),
    bad=st.sampled_from(_REFUSED),
    after=st.text(alphabet="乙 b'\"\\\n", max_size=6),
    style=st.sampled_from([None, "'", '"', "|"]),
)
def test_a_refused_character_is_reported_where_it_is_written(
    before: str, bad: str, after: str, style: str | None
) -> None:
    """Any free text with one refused character, in any style PyYAML writes it: the problem
    points at the character itself, or at the escape that spells it."""
    import yaml

    value = before + bad + after
    assume(value.strip())  # a blank content is its own problem (不能为空)
    content = yaml.safe_dump({"content": value}, default_style=style, allow_unicode=True)
    source = (FIXTURES / "valid_minimal.yaml").read_text(encoding="utf-8")
    indented = "\n".join("    " + line for line in content.rstrip("\n").split("\n"))
    text = source.replace("    content: 内容甲", indented, 1)
    _, problems = loader.check_bytes(
        text.encode("utf-8"), (DATA / "units.yaml").read_bytes(), "t", "u"
    )
    # A raw U+2028 is a line break to YAML too: the harness's indenting can break the file.
    assume(not any(p.code == "syntax" for p in problems))
    refused = [p for p in problems if p.code in ("control-char", "invisible-char", "line-break")]
    if not refused:
        # PyYAML refuses to write raw what YAML cannot hold raw, and a bare CR read back
        # from a block or a plain scalar is a line break (no CR in the value).
        assert "\r" in value or bad not in yaml.safe_load(content)["content"]
        return
    problem = refused[0]
    # Lines as YAML counts them (U+2028 ends one too, and may be the character itself).
    starts = [0, *(m.end() for m in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text))]
    at = text[starts[problem.line - 1] + problem.column - 1 :]
    escapes = {"\x07": "\\a", "\x1b": "\\e", "\r": "\\r", "\u2028": "\\L"}
    spelled = (bad, escapes.get(bad, bad), f"\\x{ord(bad):02x}", f"\\u{ord(bad):04x}")
    assert at.startswith(spelled) or at.lower().startswith(spelled), (text, problem)


def test_piped_the_count_comes_after_the_problems(tmp_path: Path) -> None:
    # A pre-commit hook or a CI log reads stdout and stderr from one pipe: stdout is then
    # block-buffered, and the count on stderr must not overtake the problems (issue 26).
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    data = _data_with(tmp_path, INVALID / "alias_as_unit.yaml")
    # Without PYTHONUNBUFFERED (CI runners and some shells set it), as a hook runs.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(ROOT)
    merged = subprocess.run(
        [sys.executable, "-m", "gkctl", "validate", "--data", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        check=False,
    )
    assert merged.returncode == 1
    lines = merged.stdout.splitlines()
    assert lines[0].startswith(f"{data / 'tasks.yaml'}:15:13: "), lines
    assert lines[1] == "共发现 1 个问题。"


def test_a_name_is_judged_at_every_place_it_is_written() -> None:
    """schema.Reader.name() remembers the texts it found good (a unit's name is written
    thousands of times); a refused one is refused again wherever it stands, and a good one
    written after it is still good."""
    source = (FIXTURES / "valid_minimal.yaml").read_text(encoding="utf-8")
    bad = "区经\u200b委"
    text = source.replace("units: [区经委]", f"units: [区经委, {bad}]", 1).replace(
        "units: [区政府办公室, 各部门]", f"units: [{bad}, 区经委, 区政府办公室]", 1
    )
    assert text.count(bad) == 2
    _, problems = loader.check_bytes(
        text.encode("utf-8"), (DATA / "units.yaml").read_bytes(), "t", "u"
    )
    refused = [p for p in problems if p.code == "invisible-char"]
    lines = text.splitlines()
    assert len(refused) == 2 and refused[0].line != refused[1].line
    for p in refused:
        assert lines[p.line - 1][p.column - 1] == "\u200b", p
    assert [p.code for p in problems if p.code != "invisible-char"] == []
