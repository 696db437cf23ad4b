"""Chinese line-breaking (core.linebreak): widths in terminal columns and the 禁则, for the
help formatter and the Rich tables alike."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gkctl.core.linebreak import (
    NO_LINE_END,
    NO_LINE_START,
    break_offsets,
    break_spans,
    break_sums,
    is_wide,
    width,
    wrap,
)


@pytest.mark.parametrize(
    ("text", "columns", "lines"),
    [
        (
            "推动各单位自建公开平台的对标管理，坚持数据同源",
            12,
            ["推动各单位自", "建公开平台的", "对标管理，坚", "持数据同源"],
        ),
        # ，would start the third line: 理 goes down with it.
        (
            "推动各单位自建公开平台的对标管理，坚持数据同源",
            16,
            ["推动各单位自建公", "开平台的对标管", "理，坚持数据同源"],
        ),
        # A run of closing marks moves down whole with the character before it.
        ("列出它的问题（退出码 1），不做比较", 24, ["列出它的问题（退出码", "1），不做比较"]),
        # An opening mark never ends a line.
        (
            "打造针对性实用性强、服务面广的“政策服务包”",
            31,
            ["打造针对性实用性强、服务面广的", "“政策服务包”"],
        ),
        # Words and option names stay whole; the spaces at a break are dropped.
        ("也可用环境变量 GKCTL_TODAY 指定", 20, ["也可用环境变量", "GKCTL_TODAY 指定"]),
        # click's notes stay whole.
        ("临期窗口。  [默认：30；0<=x<=3660]", 24, ["临期窗口。", "[默认：30；0<=x<=3660]"]),
        # A word wider than the line is cut.
        ("https://www.jinshan.gov.cn/a", 10, ["https://ww", "w.jinshan.", "gov.cn/a"]),
        ("", 10, []),
    ],
)
def test_wrap(text: str, columns: int, lines: list[str]) -> None:
    assert wrap(text, columns) == lines


def test_width_counts_wide_characters_twice() -> None:
    assert width("区经委 ab，") == 3 * 2 + 1 + 2 + 2


PIECES = [*"政务公开工作要点，。、；（）“”《》 abc12.-[]", "区经委", "GKCTL", "  "]
TEXT = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@example("政（GKCTL", 4)  # carrying （ down with a word too wide for the line overflowed it
@example("政[ 政", 3)  # the space between what moves down and the word counts too
@given(TEXT, st.integers(min_value=2, max_value=60))
def test_nothing_is_lost_and_every_line_fits(text: str, columns: int) -> None:
    spans = break_offsets(text, columns)
    lines = [text[a:b] for a, b in spans]
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(a < b for a, b in spans)
    assert [a for a, _ in spans] == sorted(a for a, _ in spans)
    for line in lines:
        assert line == line.strip()
        # The 禁则 give way where keeping them would overflow the line.
        assert width(line) <= columns


@pytest.mark.parametrize("columns", ["60", "80", "120"])
@pytest.mark.parametrize("command", [["due", "--unit", "区经委", "--all"], ["show", "37"]])
def test_tables_keep_the_rules(gk, columns: str, command: list[str]) -> None:
    # The bundled plan's texts as the tables wrap them: no line of a cell starts with a
    # comma or closing mark (Rich's own wrap put ，and 、 at line starts), none ends with “.
    result = gk(*command, "--as-of", "2024-10-15", env={"COLUMNS": columns})
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        cells = [cell for cell in line.split("  ") if cell.strip()]
        assert width(line.rstrip()) <= int(columns), line
        for cell in cells:
            cell = cell.strip()
            assert cell[0] not in set("，。、；：）”"), line
            assert cell[-1] not in NO_LINE_END, line


NAMES = ["区政府办公室", "区市场监管局", "高新区", "各部门", "山阳镇", "区经委"]


@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=8), st.integers(2, 40))
def test_whole_spans_break_only_at_their_edges(units: list[str], columns: int) -> None:
    # Unit names (the `whole` spans) are never split, unless one is wider than the line.
    text, whole = "", []
    for i, name in enumerate(units):
        name += "、" if i < len(units) - 1 else ""  # a name with its 、, as views.terminal
        whole.append((len(text), len(text) + len(name)))
        text += name
    spans = break_offsets(text, columns, whole=whole)
    assert "".join(text[a:b] for a, b in spans) == text
    for a, b in spans:
        assert width(text[a:b]) <= columns
        assert text[a] != "、" or columns < 4, (text[a:b], columns)  # the 禁则 hold
        for start, end in whole:
            if width(text[start:end]) <= columns:
                assert not start < a < end and not start < b < end, (text[a:b], columns)


@pytest.mark.parametrize("columns", range(30, 101, 5))
def test_show_keeps_unit_names_whole(gk, columns: int) -> None:
    # Task 60 names 区政府办公室、各部门、街镇、高新区 and its lead: at no width does a
    # line of the 责任单位 cell start or end inside a name (区政府办 ⏎ 公室).
    result = gk("show", "60", "--as-of", "2024-10-15", env={"COLUMNS": str(columns)})
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("责任单位"))
    cell = [lines[start].removeprefix("责任单位")]
    for line in lines[start + 1 :]:
        if line[:1].strip():  # the next row's label
            break
        cell.append(line)
    pieces = [piece.strip() for piece in cell]
    joined = "".join(pieces)
    assert joined == "区政府办公室、各部门、街镇、高新区（牵头：区政府办公室）"
    cuts, at = set(), 0
    for piece in pieces[:-1]:
        at += len(piece)
        cuts.add(at)
    for name in ("区政府办公室", "各部门", "街镇", "高新区"):
        for found in (i for i in range(len(joined)) if joined.startswith(name, i)):
            assert not any(found < cut < found + len(name) for cut in cuts), (columns, pieces)


@pytest.mark.parametrize("columns", [20, 24, 30, 36, 50])
def test_unit_cells_keep_the_rules_for_every_task(gk, columns: int) -> None:
    # Keeping names whole never costs the 禁则: no line of any task's 责任单位 cell starts
    # with 、 or ）, and none ends with （, at any width.
    dataset_ids = range(1, 76)
    for task_id in dataset_ids:
        result = gk("show", str(task_id), "--as-of", "2024-10-15", env={"COLUMNS": str(columns)})
        lines = result.stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("责任单位"))
        cell = [lines[start].removeprefix("责任单位").strip()]
        for line in lines[start + 1 :]:
            if line[:1].strip():
                break
            cell.append(line.strip())
        for piece in cell:
            assert piece[0] not in set("、，。；：）"), (task_id, columns, cell)
            assert piece[-1] not in NO_LINE_END, (task_id, columns, cell)


# break_sums (the tables' path: widths as prefix sums) fills a line by bisecting the sums
# and finds only the tokens at its end; it must break every text where break_spans, token
# by token, does. Its alphabet: wide and narrow characters, runs of spaces (the ideographic
# space too), every mark of the 禁则 on both sides, a combining mark (0 cells) and an emoji
# (2 cells, not wide to _tokens), widths from Rich's table and from width().
SUMS_PIECES = [
    *"政务公开工作要点任务abcXY12",
    *sorted(NO_LINE_START),
    *sorted(NO_LINE_END),
    " ",
    "  ",
    "\u3000",
    "\u0301",
    "😀",
    "GKCTL_TODAY",
    "https://example.gov.cn/a/b",
]


@example("?任。）X “要：:、“;…;1工{公作", 5)  # what moves down at the next break
@example("（要 \u0301作任%「“(作》1：）？", 6)
@given(
    st.lists(st.sampled_from(SUMS_PIECES), max_size=80).map("".join),
    st.integers(min_value=1, max_value=70),
)
@settings(max_examples=600, deadline=None)
def test_break_sums_breaks_as_break_spans(text: str, columns: int) -> None:
    from itertools import accumulate

    from rich.cells import get_character_cell_size

    for size in (get_character_cell_size, lambda c: 2 if is_wide(c) else 1):
        sums = list(accumulate(map(size, text), initial=0))
        expected = break_spans(text, columns, lambda a, b, s=sums: s[b] - s[a])
        assert break_sums(text, columns, sums) == expected


def test_break_sums_leaves_notes_and_whole_spans_to_break_spans() -> None:
    text = "临期窗口。  [默认：30；0<=x<=3660] 区政府办公室、区经委"
    sums = list(range(len(text) + 1))
    for whole in ((), ((len(text) - 9, len(text) - 3),)):
        expected = break_spans(text, 12, lambda a, b: b - a, whole)
        assert break_sums(text, 12, sums, whole) == expected
    lines = [text[a:b] for a, b in break_sums(text, 24, sums)]
    assert lines[1].startswith("[默认：30；0<=x<=3660] ")  # the note whole
