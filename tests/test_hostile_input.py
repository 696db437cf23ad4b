"""Nothing crashes: what validate accepts every write can handle, text that looks like a
date is written quoted, dates stay near the plan year (issue 12, items 5, 6 and 8)."""

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gkctl.store import loader

TODAY = {"GKCTL_TODAY": "2024-10-20"}
Run = Callable[..., Any]


def with_task_2(data: Path, extra: str) -> None:
    """Add lines to task 2 of a copy of the bundled plan (after its deadline)."""
    path = data / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "    deadline: 全年\n\n  - id: 3"
    assert marker in text
    path.write_text(text.replace(marker, f"    deadline: 全年\n{extra}\n  - id: 3", 1), "utf-8")


@pytest.mark.parametrize(
    "write",
    [
        ["progress", "add", "2", "-u", "经委", "-s", "doing", "--note", "x"],
        ["close", "2", "--note", "x"],
        ["extend", "2", "-u", "经委", "--to", "2025-01-31", "--reason", "x", "--late"],
    ],
)
def test_a_date_like_note_the_loader_reads_as_text_does_not_stop_writes(
    gk: Run, data_copy: Path, write: list[str]
) -> None:
    with_task_2(data_copy, "    notes: 2024-02-30\n")
    assert gk("validate", data=data_copy).exit_code == 0
    result = gk(*write, data=data_copy, env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert "notes: 2024-02-30\n" in (data_copy / "tasks.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("write", "key"),
    [
        (["progress", "add", "2", "-u", "经委", "-s", "doing", "--note"], "note"),
        (["close", "2", "--note"], "closed_note"),
        (["extend", "2", "-u", "经委", "--to", "2025-01-31", "--late", "--reason"], "reason"),
    ],
)
@pytest.mark.parametrize("text", ["2024-13-45", "2024-10-15", "12", "true", "null", "1:30"])
def test_text_that_looks_like_another_type_is_written_quoted(
    gk: Run, data_copy: Path, write: list[str], key: str, text: str
) -> None:
    result = gk(*write, text, data=data_copy, env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert f'{key}: "{text}"\n' in result.stdout
    task = loader.load(data_copy).plan.task(2)
    assert task is not None
    found = {
        "note": [p.note for p in task.progress],
        "closed_note": [task.closed_note],
        "reason": [e.reason for e in task.extensions],
    }[key]
    assert found == [text]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--to", "9999-12-31"],
            "--to：日期 9999-12-31 超出合理范围（1990-01-01 至 2110-12-31）。\n",
        ),
        (
            ["--to", "2099-12-31"],
            "延期至（to）：日期 2099-12-31 超出计划年度 2024 年前后 10 年"
            "（2014-01-01 至 2034-12-31）。未写入。\n",
        ),
    ],
)
def test_an_extension_to_the_end_of_the_calendar_is_refused(
    gk: Run, data_copy: Path, args: list[str], message: str
) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    result = gk("extend", "28", "-u", "区经委", *args, "--reason", "x", data=data_copy, env=TODAY)
    assert result.exit_code == 2
    assert result.stderr == message
    assert (data_copy / "tasks.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "--as-of不能为空，请写作 YYYY-MM-DD，如 2024-10-15。\n"),
        ("20241015", "--as-of“20241015”无法识别，请写作 YYYY-MM-DD，如 2024-10-15。\n"),
        ("2024-W42-2", "--as-of“2024-W42-2”无法识别，请写作 YYYY-MM-DD，如 2024-10-15。\n"),
        ("85357-01-01", "--as-of“85357-01-01”无法识别，请写作 YYYY-MM-DD，如 2024-10-15。\n"),
        ("9999-12-31", "--as-of：日期 9999-12-31 超出合理范围（1990-01-01 至 2110-12-31）。\n"),
    ],
)
@pytest.mark.parametrize("command", ["due", "ics", "report"])
def test_as_of_is_a_real_date_in_range(gk: Run, command: str, value: str, message: str) -> None:
    result = gk(command, "--as-of", value)
    assert result.exit_code == 2
    assert result.stderr == message


def test_ics_at_the_edges_of_the_range_does_not_overflow(gk: Run) -> None:
    for day in ("1990-01-01", "2110-12-31"):
        result = gk("ics", "--as-of", day)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("BEGIN:VCALENDAR")


def test_a_far_due_date_stops_ics_at_validate(gk: Run, data_copy: Path) -> None:
    with_task_2(data_copy, "    due: 9999-12-31\n")
    result = gk("ics", "--as-of", "2024-10-20", data=data_copy)
    assert result.exit_code == 1
    assert "截止日期（due）：日期 9999-12-31 超出计划年度 2024 年前后 10 年" in result.stderr
    assert "Traceback" not in result.stderr


# --- item 14: text from the data never drives the terminal ------------------------------------

EVIL = "\\e]8;;http://evil.example\\e\\\\点我\\e]8;;\\e\\\\\\e[2J\\0\\u202e\\x9b31m\\u200b"
RAW = ("\x1b", "\x00", "\u202e", "\x9b", "\u200b")


def evil_plan(data: Path, unit_valid: bool) -> None:
    path = data / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    name: 围绕落实重大战略任务做好信息公开\n", f'    name: "{EVIL}"\n', 1)
    if not unit_valid:
        text = text.replace("    units: [区经委]\n", f'    units: ["区经委{EVIL}"]\n', 1)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--format", "github"],
        ["validate", "--format", "json"],
        ["due", "--as-of", "2024-10-15"],
        ["list", "--format", "csv"],
    ],
)
def test_control_characters_from_an_invalid_plan_are_shown_not_obeyed(
    gk: Run, data_copy: Path, args: list[str]
) -> None:
    evil_plan(data_copy, unit_valid=False)
    result = gk(*args, data=data_copy)
    assert result.exit_code == 1
    out = result.stdout + result.stderr
    assert not any(c in out for c in RAW)
    assert "\\x1b]8;;http://evil.example" in out or "\\u001b]8;;http://evil.example" in out


def test_a_plan_with_them_is_refused_by_every_command(gk: Run, data_copy: Path) -> None:
    # Validate refuses what no output can carry (issue 22, item 6): the views no longer
    # see it from a file, and the message shows it escaped.
    evil_plan(data_copy, unit_valid=True)
    for args in (["list"], ["show", "1"], ["ics", "--as-of", "2024-10-15"], ["export"]):
        result = gk(*args, data=data_copy)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert (
            "任务 1 的任务名称（name）中有控制字符（U+001B，第 1 个字符），请删去" in result.stderr
        )
        assert not any(c in result.stderr for c in RAW)


# --- issue 22, items 6, 8, 13, 14: every writer escapes what slips through ------------------

# What a plan read before the loader refused it could hold: a bidi override that makes
# 理由…意同 read as ending in 同意, ESC, BEL, NUL, a bare CR and a line feed before lines a
# calendar would obey, a zero-width space, the noncharacter U+FFFE (XML cannot carry it).
SLIPPED = "理由\u202e意同\x1b[31m\x07\x00\ufffe\rATTACH:x\nEND:VCALENDAR\u200b"
UNSHOWABLE = ("\u202e", "\x1b", "\x07", "\x00", "\ufffe", "\u200b")


def slipped(data: Path) -> Any:
    """The bundled plan with SLIPPED in its title, a section title and task 2's texts, as
    the writers could be given it (the loader now refuses such a file)."""
    dataset = loader.load(data)
    plan = dataset.plan
    tasks = tuple(
        t._replace(name=t.name + SLIPPED, content=SLIPPED) if t.id == 2 else t for t in plan.tasks
    )
    sections = tuple(
        s._replace(title=s.title + SLIPPED) if i == 0 else s for i, s in enumerate(plan.sections)
    )
    document = plan.document._replace(title=plan.document.title + SLIPPED)
    return dataset._replace(plan=plan._replace(document=document, sections=sections, tasks=tasks))


def _texts_of_package(data: bytes) -> str:
    """Every XML part of a .docx or .xlsx, as text."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(
            package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xml")
        )


def test_word_and_excel_show_what_xml_cannot_carry(data_copy: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    from gkctl.exchange import docx_io, form, table, xlsx_io
    from gkctl.store.formkey import FormKey

    dataset = slipped(data_copy)
    as_of = date(2024, 10, 15)
    export = table.export_table(dataset, as_of)
    unit = dataset.directory.unit("区经委")
    assert unit is not None
    files = {
        "xlsx": xlsx_io.write_xlsx(export),
        "docx": docx_io.write_docx(export),
        "form": form.write_form(form.form_layout(dataset, unit, as_of), FormKey(b"k" * 32, "test")),
    }
    for data in files.values():
        xml = _texts_of_package(data)
        assert not any(c in xml for c in UNSHOWABLE)
        assert "理由\\u202e意同\\x1b[31m\\x07\\x00\\ufffe\\x0dATTACH:x" in xml
    import io

    cells = [
        c.value for row in load_workbook(io.BytesIO(files["xlsx"])).active.iter_rows() for c in row
    ]
    assert "理由\\u202e意同\\x1b[31m\\x07\\x00\\ufffe\\x0dATTACH:x\nEND:VCALENDAR\\u200b" in cells
    words = Document(io.BytesIO(files["docx"]))
    assert words.core_properties.title.endswith("\\u200b")
    assert any("\\u202e" in cell.text for cell in words.tables[0]._cells)


def test_the_word_report_shows_them_as_escapes(data_copy: Path) -> None:
    from gkctl.exchange import gongwen

    data = gongwen.write_report(
        "# 标题" + SLIPPED + "\n\n" + SLIPPED + "\n", date(2024, 10, 15), "x"
    )
    xml = _texts_of_package(data)
    assert not any(c in xml for c in UNSHOWABLE)
    assert "理由\\u202e意同" in xml


def test_the_site_shows_bidi_controls_as_escapes(data_copy: Path) -> None:
    from gkctl.views import site

    files = site.build(slipped(data_copy), date(2024, 10, 15))
    for name in ("index.html", "tasks/2.html"):
        assert not any(c in files[name] for c in UNSHOWABLE), name
    assert "理由\\u202e意同\\x1b[31m\\x07\\x00\\ufffe\\x0dATTACH:x" in files["tasks/2.html"]
    # The section's title in the chart's SVG too.
    assert "\\u202e" in files["index.html"].split("<svg", 1)[1]


def test_the_calendar_escapes_its_header_as_its_events(data_copy: Path) -> None:
    from gkctl.exchange import ics

    unit = loader.load(data_copy).directory.unit("区经委")
    feed = ics.feed(slipped(data_copy), date(2024, 10, 15), unit)
    text = feed.data.decode("utf-8")
    # Every line ends in CR LF, no CR or LF stands alone, and no line of the title's
    # begins a property of its own.
    assert "\r" not in text.replace("\r\n", "")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines.count("END:VCALENDAR") == 1
    assert not any(line.startswith(("ATTACH", " ATTACH")) for line in lines)
    assert not any(c in text for c in UNSHOWABLE)
    unfolded = text.replace("\r\n ", "")
    name = next(line for line in unfolded.split("\r\n") if line.startswith("X-WR-CALNAME:"))
    assert name == (
        "X-WR-CALNAME:2024年金山区政务公开工作要点理由\\\\u202e意同\\\\x1b[31m\\\\x07"
        "\\\\x00\\\\ufffe\\\\x0dATTACH:x\\nEND:VCALENDAR\\\\u200b（区经委）"
    )


def test_terminal_csv_and_json_still_escape_them(data_copy: Path) -> None:
    import json

    from rich.console import Console

    from gkctl.core import status, textsafe
    from gkctl.views import machine, terminal

    dataset = slipped(data_copy)
    states = status.plan_states(dataset, date(2024, 10, 15))
    console = Console(width=120, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(terminal.task_table(states, False))
    shown = console.export_text()
    assert not any(c in shown for c in UNSHOWABLE)
    assert "\\u202e" in shown
    csv = textsafe.machine(machine.tasks_csv(dataset, states))
    assert not any(c in csv for c in UNSHOWABLE)
    # JSON reads back the same text.
    record = machine.task_record(dataset, states[1])
    out = textsafe.machine(machine.dumps(record))
    assert not any(c in out for c in UNSHOWABLE)
    assert json.loads(out)["content"] == SLIPPED


@pytest.mark.parametrize(
    ("hidden", "shown"),
    [("\U000e0041", "\\U000e0041"), ("\u2062", "\\u2062"), ("\ufff9", "\\ufff9")],
)
def test_hidden_format_characters_are_refused_and_escaped(
    gk: Run, data_copy: Path, hidden: str, shown: str
) -> None:
    """Tag characters spell hidden ASCII beside visible text; the invisible operators and
    the interlinear annotation marks show nothing either. A note cannot bring one in, and
    what slipped through shows as an escape (beyond the BMP too: \\U000e0041, and in JSON
    the surrogate pair, which reads back as the same character)."""
    import json

    from gkctl.core import textsafe

    note = f"理由{hidden}意同"
    result = gk(
        "progress",
        "add",
        "1",
        "-u",
        "区国资委",
        "-s",
        "doing",
        "--note",
        note,
        "--date",
        "2024-05-01",
        data=data_copy,
    )
    assert result.exit_code == 2
    assert f"看不见的字符（U+{ord(hidden):04X}，第 3 个字符）" in result.stderr
    assert textsafe.visible(note) == f"理由{shown}意同"
    out = textsafe.machine(json.dumps({"note": note}, ensure_ascii=False))
    assert hidden not in out and json.loads(out)["note"] == note


def test_every_unsafe_character_fails_the_printable_fast_path() -> None:
    """visible() and the refusal of a line or a text skip their search where
    str.isprintable() passes the text: that is safe only while every character they look
    for is unprintable. Checked against the classes themselves for every code point, so a
    character added to _UNSAFE that Python calls printable (or a Unicode update that makes
    one printable) fails here instead of slipping through unescaped."""
    import sys

    from gkctl.core import textsafe

    classes = {
        "visible": textsafe.char_class(textsafe.UNSAFE_CHARS + "\r"),
        **{f.value: textsafe._refused(f) for f in (textsafe.Field.LINE, textsafe.Field.TEXT)},
    }
    for name, pattern in classes.items():
        matched = [c for c in map(chr, range(sys.maxunicode + 1)) if pattern.match(c)]
        assert len(matched) > 150, name  # the class is the real one, not an empty one
        printable = [f"U+{ord(c):04X}" for c in matched if c.isprintable()]
        assert printable == [], name
        for char in matched:
            if name == "visible":
                assert textsafe.visible(f"甲{char}乙") != f"甲{char}乙"
            else:
                assert textsafe.refusal(f"甲{char}乙", textsafe.Field(name), "备注") is not None


# --- item 11: custom templates run in bounded time and size --------------------------------------


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
            "t.md.j2: 模板渲染超过 1 秒，已停止（循环过多或过深？）。\n",
        ),
        ("{{ lipsum(10**6) }}\n", "t.md.j2:1: lipsum(1000000) 超出上限（至多 100 段），已停止。\n"),
        ('{{ "x" * 10**10 }}\n', "t.md.j2:1: 模板中的重复（* 10000000000）结果过大，已停止。\n"),
        ("{{ 2 ** 100000 }}\n", "t.md.j2:1: 模板中的乘方（** 100000）结果过大，已停止。\n"),
        (
            '{% for i in range(1000) %}{{ "x" * 100000 }}{% endfor %}\n',
            "t.md.j2: 模板输出超过 20 MB 字符的上限，已停止。\n",
        ),
    ],
)
def test_a_runaway_template_is_stopped_with_a_message(
    gk: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, message: str
) -> None:
    from gkctl.views import report

    # One second for the case that tests the time limit; the others test another limit,
    # which must fire first however busy the machine is (a loaded one once let the timer
    # win the 20 MB case).
    timed = "超过 1 秒" in message
    monkeypatch.setattr(report, "RENDER_SECONDS", 1 if timed else 120)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.md.j2").write_text(template, encoding="utf-8")
    result = gk("report", "-t", "t.md.j2", "--as-of", "2024-10-15")
    assert result.exit_code == 1
    assert result.stderr == message


# --- item 18: old Mac line endings --------------------------------------------------------------


def test_a_file_with_old_mac_line_endings_is_read_and_written_as_it_is(
    gk: Run, data_copy: Path
) -> None:
    path = data_copy / "tasks.yaml"
    lf = path.read_bytes()
    path.write_bytes(lf.replace(b"\n", b"\r"))
    assert gk("validate", data=data_copy).exit_code == 0
    add = ("progress", "add", "28", "-u", "区经委", "-s", "doing", "--note", "x")
    result = gk(*add, data=data_copy, env=TODAY)
    assert result.exit_code == 0, result.stderr
    after = path.read_bytes()
    assert b"\n" not in after
    # The same edit as on the LF file, with CR line ends: nothing else changed.
    path.write_bytes(lf)
    again = gk(*add, data=data_copy, env=TODAY)
    assert again.exit_code == 0, again.stderr
    assert after == path.read_bytes().replace(b"\n", b"\r")


def test_a_lone_carriage_return_in_an_lf_file_is_a_problem(gk: Run, data_copy: Path) -> None:
    path = data_copy / "tasks.yaml"
    text = path.read_bytes()
    at = text.index(b"\n", text.index(b"id: 2\n"))
    path.write_bytes(text[:at] + b"\r" + text[at + 1 :])
    line = text[:at].count(b"\n") + 1
    result = gk("validate", data=data_copy)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"{data_copy / 'tasks.yaml'}:{line}:1: 这一行以单独的回车符（CR）结束，"
        "而文件其余各行以换行符（LF）结束：请统一换行符（编辑器中选 LF 或 CRLF）\n"
    )


@pytest.mark.parametrize("code", ["FFFE", "FFFF"])
def test_a_noncharacter_xml_cannot_carry_is_refused_where_it_is_written(
    gk: Run, data_copy: Path, code: str
) -> None:
    """U+FFFE and U+FFFF, which a YAML escape can spell, would make every Word and Excel
    file of the plan unreadable (lxml refused to write one): validate names the place."""
    path = data_copy / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    line = "    name: 围绕落实重大战略任务做好信息公开\n"
    assert line in text
    text = text.replace(line, f'    name: "围绕\\u{code}落实"\n', 1)
    path.write_text(text, encoding="utf-8")
    row = text[: text.index(f"\\u{code}")].count("\n") + 1
    result = gk("validate", data=data_copy)
    assert result.exit_code != 0
    assert f"tasks.yaml:{row}:" in result.stdout + result.stderr
    assert f"无法识别的字符（U+{code}，第 3 个字符），请删去" in result.stdout + result.stderr
