"""The YAML text writer: values read back as written, new lines land in the file's own
style, and nothing else in the file changes."""

import threading
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gkctl.core.errors import DataError, GkctlError, UsageError
from gkctl.store import edit, loader

DATA = Path(__file__).resolve().parent.parent / "data"
DAY = date(2024, 10, 15)
ENTRY: edit.Fields = [("date", DAY), ("unit", "区经委"), ("status", "done")]

HEAD = "document: {year: 2024}\ntasks:\n"


def load(text: str) -> object:
    return yaml.load(text, Loader=yaml.CSafeLoader)


# --- scalars ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("区经委", "区经委"),
        ("已发布：见区政府网站", "已发布：见区政府网站"),
        (
            "https://www.jinshan.gov.cn/zwgk/a.html?x=1#top",
            "https://www.jinshan.gov.cn/zwgk/a.html?x=1#top",
        ),
        ("done", "done"),
        (DAY, "2024-10-15"),
        (True, "true"),
        ("yes", '"yes"'),
        ("2024-10-15", '"2024-10-15"'),
        ("12", '"12"'),
        ("1:20", '"1:20"'),
        ("null", '"null"'),
        ("", '""'),
        ("a: b", '"a: b"'),
        ("a #b", '"a #b"'),
        ("- item", '"- item"'),
        ("*alias", '"*alias"'),
        ("[red]", '"[red]"'),
        (" lead", '" lead"'),
        ('说"引号"', '说"引号"'),
        ('"引号"在前', '"\\"引号\\"在前"'),
        ("两行\n文字", '"两行\\n文字"'),
        ("tab\there", '"tab\\there"'),
        ("esc\x1b", '"esc\\u001b"'),
        ("del\x7f", '"del\\u007f"'),
        ("sep\u2028x", '"sep\\u2028x"'),
    ],
)
def test_scalar_is_plain_only_where_it_reads_back(value: edit.Value, written: str) -> None:
    assert edit.scalar(value) == written
    assert load(f"k: {written}") == {"k": value}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("区经委", "区经委"),
        ("a, b", '"a, b"'),
        ("{x}", '"{x}"'),
        # ":" and "?" in a flow item read differently in libyaml and pure-Python PyYAML.
        ("https://example.org/a", '"https://example.org/a"'),
        ("区经委?", '"区经委?"'),
    ],
)
def test_scalar_in_a_flow_collection(value: str, written: str) -> None:
    assert edit.scalar(value, flow=True) == written
    assert load(f"[{written}]") == [value]


# Any text without lone surrogates (the command layer refuses those before writing).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(TEXT)
def test_any_text_reads_back_in_block_context(value: str) -> None:
    written = edit.scalar(value)
    assert "\n" not in written
    assert load(f"k: {written}  # comment\nnext: 1\n") == {"k": value, "next": 1}


@given(TEXT)
def test_any_text_reads_back_in_flow_context(value: str) -> None:
    assert load("[" + edit.scalar(value, flow=True) + ", x]") == [value, "x"]


# --- append_item ---------------------------------------------------------------------------------


def test_append_creates_the_key_after_the_last_task_key() -> None:
    text = (
        HEAD + "  - id: 1\n    units: [区经委]\n    deadline: 全年\n\n  - id: 2\n    units: [a]\n"
    )
    done = edit.append_item(text, 1, "progress", ENTRY)
    added = "    progress:\n      - date: 2024-10-15\n        unit: 区经委\n        status: done\n"
    assert done.text == text.replace("全年\n", "全年\n" + added)
    assert (done.added, done.first_line, done.last_line) == (added, 6, 9)


def test_append_goes_after_the_last_entry_and_before_trailing_comments() -> None:
    text = (
        HEAD + "  - id: 1\n    progress:\n      - date: 2024-10-01\n        unit: x\n"
        "        status: doing  # first\n      # later entries go here\n\n  - id: 2\n"
    )
    done = edit.append_item(text, 1, "progress", ENTRY)
    new = "      - date: 2024-10-15\n        unit: 区经委\n        status: done\n"
    assert done.text == text.replace("# first\n", "# first\n" + new)


def test_append_follows_the_file_indentation() -> None:
    # Four-space indentation, lists not indented under their key.
    text = "document: {year: 2024}\ntasks:\n-   id: 1\n    deadline: 全年\n"
    done = edit.append_item(text, 1, "progress", ENTRY)
    assert done.added == (
        "    progress:\n    -   date: 2024-10-15\n        unit: 区经委\n        status: done\n"
    )
    assert load(done.text)["tasks"][0]["progress"] == [dict(ENTRY)]  # type: ignore[index]


def test_append_to_a_flow_list() -> None:
    text = HEAD + "  - id: 1\n    progress: []  # none yet\n"
    done = edit.append_item(text, 1, "progress", [("unit", "a, b"), ("status", "done")])
    assert (
        done.text == HEAD + '  - id: 1\n    progress: [{unit: "a, b", status: done}]  # none yet\n'
    )
    again = edit.append_item(done.text, 1, "progress", [("unit", "c")])
    assert again.text.endswith("status: done}, {unit: c}]  # none yet\n")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_append_keeps_line_endings_and_the_bom(newline: str) -> None:
    text = "\ufeff" + (HEAD + "  - id: 1\n    deadline: 全年\n").replace("\n", newline)
    done = edit.append_item(text, 1, "progress", ENTRY)
    assert done.text.startswith("\ufeff")
    assert done.text.count("\n") == done.text.count(newline)
    assert done.text.startswith(text)


def test_append_when_the_file_does_not_end_its_last_line() -> None:
    text = HEAD + "  - id: 1\n    deadline: 全年"
    done = edit.append_item(text, 1, "progress", ENTRY)
    assert done.text.startswith(text + "\n    progress:\n")
    assert done.first_line == 5


def test_append_after_a_block_scalar_keeps_it() -> None:
    text = HEAD + "  - id: 1\n    text: |\n      第一行\n\n      第二行\n\n\n  - id: 2\n"
    done = edit.append_item(text, 1, "progress", ENTRY)
    assert load(done.text)["tasks"][0]["text"] == "第一行\n\n第二行\n"  # type: ignore[index]
    assert "第二行\n    progress:\n" in done.text


def test_a_flow_task_is_refused() -> None:
    with pytest.raises(edit.EditError, match="流式映射"):
        edit.append_item(HEAD + "  - {id: 1, deadline: 全年}\n", 1, "progress", ENTRY)


def test_an_unknown_task_is_refused() -> None:
    with pytest.raises(UsageError, match="没有序号为 9 的任务"):
        edit.append_item(HEAD + "  - id: 1\n", 9, "progress", ENTRY)


# --- insert_keys / remove_keys ---------------------------------------------------------------------


def test_keys_go_in_the_loader_order_and_comments_stay_with_their_key() -> None:
    text = HEAD + "  - id: 1\n    deadline: 全年\n    # why the note\n    notes: 备注\n"
    done = edit.insert_keys(text, 1, [("closed", DAY), ("closed_note", "完成")])
    assert done.text == text.replace(
        "全年\n", "全年\n    closed: 2024-10-15\n    closed_note: 完成\n"
    )
    assert edit.remove_keys(done.text, 1, ["closed", "closed_note"]).text == text


def test_remove_takes_a_multi_line_value_and_its_comment() -> None:
    text = HEAD + '  - id: 1\n    closed_note: "two\n      lines"  # why\n    notes: x\n'
    assert edit.remove_keys(text, 1, ["closed_note"]).text == HEAD + "  - id: 1\n    notes: x\n"


def test_insert_refuses_a_key_that_is_there() -> None:
    with pytest.raises(edit.EditError, match="已有 closed"):
        edit.insert_keys(HEAD + "  - id: 1\n    closed: 2024-01-01\n", 1, [("closed", DAY)])


# --- the bundled data ------------------------------------------------------------------------------


def without_added(edit_: edit.Edit) -> str:
    """The new text with the added lines taken out again."""
    lines = edit_.text.splitlines(True)
    assert "".join(lines[edit_.first_line - 1 : edit_.last_line]) == edit_.added
    return "".join(lines[: edit_.first_line - 1] + lines[edit_.last_line :])


# The first task, one followed by a comment that belongs to the next task, one with a
# pending deadline, and the last two, one with milestones and comments (each edit parses
# the whole file, so not all 75).
@pytest.mark.parametrize("task_id", [1, 29, 40, 74, 75])
def test_tasks_of_the_bundled_plan_take_progress_and_a_closing(task_id: int) -> None:
    original = (DATA / "tasks.yaml").read_text(encoding="utf-8")
    task = loader.load(DATA).plan.task(task_id)
    assert task is not None
    done = edit.append_item(original, task.id, "progress", ENTRY)
    assert without_added(done) == original
    assert done.added.count("\n") == 4 - ("progress" in task.keys)
    # Inside the task: what follows is the blank line before the next task (and its
    # comment), or the end of the file.
    assert done.text.splitlines(True)[done.last_line :][:1] in ([], ["\n"])
    edit.verify(
        original, done.text, task.id, lambda t: t.setdefault("progress", []).append(dict(ENTRY))
    )
    closed = edit.insert_keys(original, task.id, [("closed", DAY), ("closed_note", "完成")])
    assert closed.added == "    closed: 2024-10-15\n    closed_note: 完成\n"
    assert without_added(closed) == original
    assert edit.remove_keys(closed.text, task.id, ["closed", "closed_note"]).text == original


def test_verify_refuses_any_other_difference() -> None:
    text = HEAD + "  - id: 1\n    deadline: 全年\n"
    with pytest.raises(GkctlError, match="与预期内容不符"):
        edit.verify(text, text.replace("全年", "年内"), 1, lambda t: None)
    edit.verify(text, text.replace("全年", "年内"), 1, lambda t: t.update(deadline="年内"))


# --- the transaction ------------------------------------------------------------------------------


def test_write_tasks_refuses_an_invalid_result_and_writes_nothing(data_copy: Path) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()

    def bad_unit(dataset: object, text: str) -> edit.Edit:
        return edit.append_item(
            text, 28, "progress", [("date", DAY), ("unit", "区经委会"), ("status", "done")]
        )

    with pytest.raises(UsageError) as refused:
        edit.write_tasks(data_copy, bad_unit)
    assert str(refused.value).startswith("进展记录的单位“区经委会”不存在，是否为“区经委”？")
    assert (data_copy / "tasks.yaml").read_bytes() == before

    def breaks_elsewhere(dataset: object, text: str) -> edit.Edit:
        return edit.Edit(text.replace("deadline: 全年", "deadline: 某天", 1))

    with pytest.raises(DataError):
        edit.write_tasks(data_copy, breaks_elsewhere)
    assert (data_copy / "tasks.yaml").read_bytes() == before


def test_write_tasks_refuses_an_invalid_file(data_copy: Path) -> None:
    path = data_copy / "tasks.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("units: [区经委]", "units: [区经委会]"),
        encoding="utf-8",
    )
    before = path.read_bytes()
    with pytest.raises(DataError, match="未知责任单位“区经委会”"):
        edit.write_tasks(data_copy, lambda d, t: edit.Edit(t))
    assert path.read_bytes() == before


def test_a_held_lock_makes_a_writer_wait_then_give_up(data_copy: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with edit.locked(data_copy):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        with pytest.raises(
            GkctlError, match=r"另一个 gkctl 正在写入 .*tasks.yaml.*等待 0.2 秒后仍未结束"
        ):
            edit.write_tasks(data_copy, lambda d, t: edit.Edit(t), timeout=0.2)
    finally:
        release.set()
        holder.join()
    edit.write_tasks(data_copy, lambda d, t: edit.Edit(t), timeout=0.2)  # free again
