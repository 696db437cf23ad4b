"""Write data/tasks.yaml by editing its text, never by dumping it.

A YAML dump would lose comments, key order, quoting and blank lines. Instead the file is
composed into nodes (which know where they stand) and new lines are inserted at the right
place, in the file's own indentation; nothing else changes, so `git diff` shows only the
lines that were added. Every edit is checked twice before it may be written: the new text
must hold exactly the old data plus the intended change (`verify`), and the transaction
(`write_tasks`) re-validates it with the loader. Writers take a lock file, so two at once do
not lose an entry, and write through gkctl.store.atomic, so a crash leaves the old file.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gkctl.core.errors import DataError, GkctlError, Problem, UsageError, os_reason
from gkctl.core.model import Dataset
from gkctl.store import atomic, loader, paths, yamlsrc

Value = str | date | bool
Fields = list[tuple[str, Value]]

LOCK_NAME = ".tasks.yaml.lock"
LOCK_TIMEOUT = 10.0
_BOM = "\ufeff"

_Loader = yamlsrc.LOADER

# A plain scalar may not start with an indicator; quoting those is simpler than knowing
# which ones are safe where.
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")


@cache
def _unprintable() -> re.Pattern[str]:
    """Characters a YAML file may not hold as they are (written as escapes): U+2028/U+2029
    are printable to YAML but count as line breaks, U+FEFF is a BOM. Compiled on first use:
    the astral range costs about 10 ms, which start-up should not pay."""
    return re.compile(
        "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
    )


class EditError(GkctlError):
    """The file is valid but written in a way the writer will not touch (exit 1)."""


@dataclass(frozen=True)
class Edit:
    """The new text, and what was added to it (for the message and for blaming problems)."""

    text: str
    added: str = ""
    first_line: int = 0  # 1-based line of the first added line in `text`; 0: nothing added

    @property
    def last_line(self) -> int:
        return self.first_line + max(self.added.count("\n"), 1) - 1 if self.first_line else 0


# --- scalars ---------------------------------------------------------------------------------


def scalar(value: Value, flow: bool = False) -> str:
    """One value as YAML text on one line: plain where that reads back as the same string,
    else double-quoted with JSON escapes (which YAML reads the same way)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if _plain_ok(value, flow):
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    return _unprintable().sub(lambda m: _escape(m.group(0)), quoted)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text[0] in _INDICATORS:
        return False
    if _unprintable().search(text) or any(c in text for c in "\t\r\n"):
        return False
    # In a flow list, "?" and ":" and " #" read differently in libyaml and in pure-Python
    # PyYAML (e.g. [区经委?]); quote them so that either parser reads the same value.
    if flow and any(c in text for c in ",[]{}?:#"):
        return False
    # Composed, not loaded: the tag the parser gives the text must be plain text, so a
    # date-like note (2024-13-45), a number or true is quoted, and nothing is constructed
    # (a date that is no date would raise).
    document = f"[{text}]" if flow else f"k: {text}"
    try:
        root = yaml.compose(document, Loader=_Loader)
    except yaml.YAMLError:
        return False
    if flow:
        node = root.value[0] if isinstance(root, SequenceNode) and len(root.value) == 1 else None
    else:
        node = root.value[0][1] if isinstance(root, MappingNode) and len(root.value) == 1 else None
    return isinstance(node, ScalarNode) and node.tag == yamlsrc.STR and node.value == text


# --- finding places in the text ----------------------------------------------------------------


def _compose(text: str) -> MappingNode:
    root = yaml.compose(text, Loader=_Loader)
    if not isinstance(root, MappingNode):
        raise EditError("tasks.yaml 的顶层不是映射，无法自动修改。")
    return root


def _int(text: str) -> int | None:
    """An id as the loader reads it (YAML ints: 28, 0x1c, 1_000)."""
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        return None


def _get(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for k, v in mapping.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return k, v
    return None


def _task_node(root: MappingNode, task_id: int) -> MappingNode:
    found = _get(root, "tasks")
    tasks = found[1] if found else None
    for item in tasks.value if isinstance(tasks, SequenceNode) else []:
        if not isinstance(item, MappingNode):
            continue
        key = _get(item, "id")
        if key is not None and isinstance(key[1], ScalarNode) and _int(key[1].value) == task_id:
            if item.flow_style:
                raise EditError(
                    f"任务 {task_id} 写成了流式映射（{{…}}），无法自动修改，"
                    "请手工编辑或改写成逐行的“键: 值”。"
                )
            return item
    raise UsageError(f"没有序号为 {task_id} 的任务。")


def _content_end(text: str, node: Node) -> int:
    """Where the node's text ends: after its last character, not after the comments and
    blank lines a block collection's (or block scalar's) end mark also takes in."""
    while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    start, end = node.start_mark.index, node.end_mark.index
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _line_after(text: str, offset: int) -> int:
    """The start of the line after the one holding `offset` (the end of text if none)."""
    newline = text.find("\n", offset)
    return len(text) if newline < 0 else newline + 1


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _newline(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _insert_lines(text: str, offset: int, lines: list[str]) -> Edit:
    newline = _newline(text)
    block = "".join(line + newline for line in lines)
    lead = newline if offset == len(text) and text and not text.endswith("\n") else ""
    new = text[:offset] + lead + block + text[offset:]
    return Edit(new, block, _line_of(new, offset + len(lead)))


def _key_column(mapping: MappingNode) -> int:
    key: Node = mapping.value[0][0]
    return int(key.start_mark.column)


def _seq_offsets(root: MappingNode) -> tuple[int, int]:
    """How this file indents a block list under its key (0 for `key:\\n- x`), and the key
    of a mapping after the dash (2 for `- id: 1`); taken from the tasks list itself."""
    found = _get(root, "tasks")
    under, after = 2, 2
    if found and isinstance(found[1], SequenceNode) and not found[1].flow_style:
        key, seq = found
        under = max(seq.start_mark.column - key.start_mark.column, 0)
        first = seq.value[0] if seq.value else None
        if isinstance(first, MappingNode) and first.value and not first.flow_style:
            after = max(_key_column(first) - seq.start_mark.column, 2)
    return under, after


def _insert_point(text: str, mapping: MappingNode, key: str, order: list[str]) -> int:
    """Where a new key goes: after the last key that comes before it in the loader's order
    (comments above the following key stay with that key)."""
    rank = order.index(key) if key in order else len(order)
    after: Node | None = None
    for k, v in mapping.value:
        name = k.value if isinstance(k, ScalarNode) else ""
        if (order.index(name) if name in order else len(order)) <= rank:
            after = v
    return _line_after(
        text, _content_end(text, after if after is not None else mapping.value[-1][1])
    )


def _own_line(text: str, node: Node, task_id: int) -> int:
    start = _line_start(text, node.start_mark.index)
    if text[start : node.start_mark.index].strip():
        raise EditError(
            f"任务 {task_id} 的“{getattr(node, 'value', '')}”与其他内容写在同一行，"
            "无法自动修改，请手工编辑。"
        )
    return start


# --- edits ------------------------------------------------------------------------------------


def append_item(text: str, task_id: int, key: str, fields: Fields) -> Edit:
    """Append a mapping to the task's list `key` (creating the key where missing)."""
    bom, body = _split_bom(text)
    root = _compose(body)
    task = _task_node(root, task_id)
    under, after = _seq_offsets(root)
    found = _get(task, key)
    if found is None:
        column = _key_column(task)
        dash = column + under
        lines = [" " * column + f"{key}:", *_item_lines(fields, dash, dash + after)]
        return _with_bom(
            bom, _insert_lines(body, _insert_point(body, task, key, list(loader.TASK_KEYS)), lines)
        )
    seq = found[1]
    if not isinstance(seq, SequenceNode):
        raise EditError(f"任务 {task_id} 的 {key} 不是列表，无法追加。")
    if seq.flow_style:
        return _with_bom(bom, _append_flow(body, seq, fields))
    dash = seq.start_mark.column
    first = seq.value[0]
    if isinstance(first, MappingNode) and first.value and not first.flow_style:
        after = max(_key_column(first) - dash, 2)
    offset = _line_after(body, _content_end(body, seq))
    return _with_bom(bom, _insert_lines(body, offset, _item_lines(fields, dash, dash + after)))


def _item_lines(fields: Fields, dash: int, column: int) -> list[str]:
    lines = []
    for number, (name, value) in enumerate(fields):
        lead = " " * dash + "-" + " " * (column - dash - 1) if number == 0 else " " * column
        lines.append(f"{lead}{name}: {scalar(value)}")
    return lines


def _append_flow(text: str, seq: SequenceNode, fields: Fields) -> Edit:
    close = seq.end_mark.index - 1
    if text[close] != "]":
        raise EditError("无法识别流式列表的结尾“]”，请手工编辑。")
    at = close
    while at > seq.start_mark.index + 1 and text[at - 1] in " \t\r\n":
        at -= 1
    item = "{" + ", ".join(f"{name}: {scalar(value, flow=True)}" for name, value in fields) + "}"
    glue = ", " if seq.value and text[at - 1] != "," else (" " if seq.value else "")
    added = glue + item
    return Edit(text[:at] + added + text[at:], added, _line_of(text, at))


def set_item_keys(text: str, task_id: int, key: str, index: int, fields: Fields) -> Edit:
    """Set keys of the `index`-th mapping in the task's list `key` (a decision on a request,
    a report sent back): a key it has gets its value replaced in place, a key it lacks is
    added after its last line (or before the `}` of a flow mapping). The edit's `added`
    is the whole entry as it now reads, so that the message shows it and a problem in it
    is blamed on the input."""
    bom, body = _split_bom(text)
    task = _task_node(_compose(body), task_id)
    found = _get(task, key)
    seq = found[1] if found else None
    if not isinstance(seq, SequenceNode) or not 0 <= index < len(seq.value):
        raise EditError(f"任务 {task_id} 的 {key} 中没有第 {index + 1} 项。")
    item = seq.value[index]
    if not isinstance(item, MappingNode) or not item.value:
        raise EditError(f"任务 {task_id} 的 {key} 第 {index + 1} 项不是映射，无法修改。")
    patches: list[tuple[int, int, str]] = []  # (start, end, new text), applied from the end
    missing: Fields = []
    for name, value in fields:
        pair = _get(item, name)
        if pair is None:
            missing.append((name, value))
            continue
        node = pair[1]
        start, end = node.start_mark.index, node.end_mark.index
        if not isinstance(node, ScalarNode) or "\n" in body[start:end]:
            raise EditError(
                f"任务 {task_id} 的 {key} 第 {index + 1} 项的 {name} 不是一行的值，"
                "无法自动修改，请手工编辑。"
            )
        patches.append((start, end, scalar(value, flow=bool(item.flow_style))))
    if item.flow_style:
        close = item.end_mark.index - 1
        if body[close] != "}":
            raise EditError("无法识别流式映射的结尾“}”，请手工编辑。")
        at = close
        while body[at - 1] in " \t":
            at -= 1
        added = "".join(f", {n}: {scalar(v, flow=True)}" for n, v in missing)
        if added:
            patches.append((at, at, added))
    elif missing:
        column = " " * _key_column(item)
        newline = _newline(body)
        at = _line_after(body, _content_end(body, item))
        lead = newline if at == len(body) and not body.endswith("\n") else ""
        block = lead + "".join(f"{column}{n}: {scalar(v)}{newline}" for n, v in missing)
        patches.append((at, at, block))
    for start, end, new in sorted(patches, reverse=True):
        body = body[:start] + new + body[end:]
    # The entry as it now reads: from its first line to the end of its last.
    edited = _task_node(_compose(body), task_id)
    pair = _get(edited, key)
    assert pair is not None and isinstance(pair[1], SequenceNode)
    node = pair[1].value[index]
    first = _line_start(body, node.start_mark.index)
    last = _line_after(body, _content_end(body, node))
    return Edit(bom + body, body[first:last], _line_of(body, first))


def insert_keys(text: str, task_id: int, fields: Fields) -> Edit:
    """Add scalar keys the task does not have yet, as one block where the first belongs."""
    bom, body = _split_bom(text)
    task = _task_node(_compose(body), task_id)
    for name, _ in fields:
        if _get(task, name) is not None:
            raise EditError(f"任务 {task_id} 已有 {name}。")
    column = " " * _key_column(task)
    lines = [f"{column}{name}: {scalar(value)}" for name, value in fields]
    offset = _insert_point(body, task, fields[0][0], list(loader.TASK_KEYS))
    return _with_bom(bom, _insert_lines(body, offset, lines))


def insert_flow_key(text: str, task_id: int, key: str, flow: str) -> Edit:
    """Add a key the task lacks whose value is a flow mapping written by the caller
    (a carry link: `{plan: "2025", id: 2}`), where the loader's key order puts it."""
    bom, body = _split_bom(text)
    task = _task_node(_compose(body), task_id)
    if _get(task, key) is not None:
        raise EditError(f"任务 {task_id} 已有 {key}。")
    line = " " * _key_column(task) + f"{key}: {flow}"
    offset = _insert_point(body, task, key, list(loader.TASK_KEYS))
    return _with_bom(bom, _insert_lines(body, offset, [line]))


def append_task(text: str, fields: list[tuple[str, str]], top: str = "tasks") -> Edit:
    """Append a mapping to a top-level list (a task to `tasks`, a section to `sections`),
    its values given as YAML text (scalar() and flow collections), in the tasks list's
    own indentation; an empty `[]` becomes a block list."""
    bom, body = _split_bom(text)
    root = _compose(body)
    found = _get(root, top)
    seq = found[1] if found is not None else None
    if found is None or not isinstance(seq, SequenceNode):
        raise EditError(f"tasks.yaml 没有 {top} 列表，无法追加。")
    key = found[0]
    column = int(key.start_mark.column)
    if seq.flow_style and seq.value:
        raise EditError(f"{top} 写成了流式列表（[…]），无法自动追加，请改写成逐行的列表。")
    under, after = _seq_offsets(root)
    dash = column + under
    lines = []
    for number, (name, value) in enumerate(fields):
        lead = " " * dash + "-" + " " * (after - 1) if number == 0 else " " * (dash + after)
        lines.append(f"{lead}{name}: {value}")
    if seq.flow_style:  # tasks: [] -> tasks: and the new item below it
        start, end = seq.start_mark.index, seq.end_mark.index
        body = body[:start].rstrip(" ") + body[end:]
        offset = _line_after(body, key.start_mark.index)
        return _with_bom(bom, _insert_lines(body, offset, lines))
    offset = _line_after(body, _content_end(body, seq))
    return _with_bom(bom, _insert_lines(body, offset, ["", *lines] if top == "tasks" else lines))


def remove_keys(text: str, task_id: int, keys: list[str]) -> Edit:
    """Remove the lines of the task's keys that are present (with their values)."""
    bom, body = _split_bom(text)
    task = _task_node(_compose(body), task_id)
    spans = []
    for name in keys:
        found = _get(task, name)
        if found is None:
            continue
        k, v = found
        spans.append((_own_line(body, k, task_id), _line_after(body, _content_end(body, v))))
    for start, end in sorted(spans, reverse=True):
        body = body[:start] + body[end:]
    return Edit(bom + body)


def _split_bom(text: str) -> tuple[str, str]:
    return (_BOM, text[1:]) if text.startswith(_BOM) else ("", text)


def _with_bom(bom: str, edit: Edit) -> Edit:
    return Edit(bom + edit.text, edit.added, edit.first_line) if bom else edit


# --- checking an edit ---------------------------------------------------------------------------


def verify(old: str, new: str, task_id: int, change: Callable[[dict[str, Any]], None]) -> None:
    """The new text must hold the old data with `change` made to the task, nothing else."""
    expected = _plain(old)
    for task in expected["tasks"]:
        if task.get("id") == task_id:
            change(task)
    if _plain(new) != expected:
        raise GkctlError(
            "内部错误：修改后的文件与预期内容不符，已放弃写入，文件未改动。"
            "请手工编辑 tasks.yaml，并报告这个问题。"
        )


def _plain(text: str) -> Any:
    """The file as data, read by the loader's own parser (yamlsrc), so that what validate
    accepts a write can compare: constructing it with yaml.load instead crashed on values
    the loader reads as text (notes: 2024-02-30)."""
    problems: list[Problem] = []
    root = yamlsrc.parse("tasks.yaml", text.removeprefix(_BOM), problems)
    if root is None or problems:
        raise EditError("\n".join(str(p) for p in problems) or "tasks.yaml 无法读取。")
    return yamlsrc.plain(root)


# --- the write transaction ----------------------------------------------------------------------


@contextmanager
def locked(folder: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the data folder's lock file. Waiting is measured with a monotonic timer, not the
    calendar clock. The lock goes with the process, so a killed writer leaves none.

    A lock of the system (flock; msvcrt.locking on Windows, the call filelock's Windows
    lock also made before it moved to LockFileEx) rather than a library's: a library that
    falls back to a lock file's mere existence (filelock 4 does where flock fails) leaves a
    stale lock behind a killed writer, and this is the one lock gkctl takes."""
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UsageError(f"无法创建锁文件 {path}：{os_reason(exc)}。") from None
    try:
        end = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= end:
                raise GkctlError(
                    f"另一个 gkctl 正在写入 {folder / paths.TASKS_FILE}"
                    f"（锁文件 {path}），等待 {timeout:g} 秒后仍未结束，请稍后再试。"
                )
            time.sleep(0.02)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


# The Windows branch runs in CI's Windows job (the lock tests of tests/test_edit.py).
if sys.platform == "win32":  # pragma: no cover - this machine is Linux
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        # Windows frees a closed handle's locks only "when system resources permit": the
        # next writer could wait for a lock nobody holds. Unlocked first, as the C runtime
        # asks (the same byte: the position never moved from 0).
        with suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)  # closing would too; said once for both systems


def write_tasks(
    data_dir: Path,
    build: Callable[[Dataset, str], Edit],
    dry_run: bool = False,
    timeout: float = LOCK_TIMEOUT,
) -> tuple[Edit, Dataset]:
    """Read, change and write tasks.yaml under the lock.

    `build` gets the valid dataset and the file's text and returns the edit (or raises).
    A problem the loader finds in the new text is the input's fault when it stands in the
    added lines (UsageError, exit 2), else the file's (DataError, exit 1); either way
    nothing is written.
    """

    def change(dataset: Dataset, text: str, check: Check) -> tuple[Edit, Dataset, str]:
        done = build(dataset, text)
        after, problems = check(done.text)
        if problems or after is None:
            raise _blame(problems, check.shown, done)
        return done, after, done.text

    return _transaction(data_dir, change, dry_run, timeout)


class Step(NamedTuple):
    """One entry of a multi-entry write: the task it adds to, and how (as for write_tasks);
    `build` returns None where there is nothing to add (already recorded)."""

    task_id: int
    build: Callable[[Dataset, str], Edit | None]


class Steps(NamedTuple):
    """What a multi-entry write did: per step, its edit (None: nothing to add) or the error
    that refused it; the dataset after; whether the file was written."""

    results: tuple[Edit | GkctlError | None, ...]
    after: Dataset
    written: bool

    @property
    def refused(self) -> bool:
        return any(isinstance(r, GkctlError) for r in self.results)


def write_steps(
    data_dir: Path, steps: Sequence[Step], dry_run: bool = False, timeout: float = LOCK_TIMEOUT
) -> Steps:
    """Several entries in one write: all of them or none.

    Each step is built on the text the steps before it left, and judged against the data
    as they left it (the data is re-read only when a step returns to a task an earlier
    step changed: a step\'s checks read its own task). A step that raises is recorded and
    the rest are still tried, so that every refusal can be reported at once; then nothing
    is written. The loader re-validates the final text; where it objects, the steps are
    replayed one at a time to find the one to blame.
    """

    steps_done, _ = _transaction(data_dir, _steps_change(steps, dry_run), dry_run, timeout)
    return steps_done


def _steps_change(
    steps: Sequence[Step], dry_run: bool
) -> Callable[[Dataset, str, Check], tuple[Steps, Dataset, str]]:
    """write_steps' change of one file's text (see there)."""

    def change(dataset: Dataset, text: str, check: Check) -> tuple[Steps, Dataset, str]:
        results: list[Edit | GkctlError | None] = []
        current, texts = dataset, [text]
        touched: set[int] = set()
        for step in steps:
            try:
                if step.task_id in touched:
                    current, touched = _checked(check, texts[-1]), set()
                done = step.build(current, texts[-1])
            except GkctlError as exc:
                results.append(exc)
                continue
            results.append(done)
            if done is not None:
                texts.append(done.text)
                touched.add(step.task_id)
        if any(isinstance(r, GkctlError) for r in results):
            return Steps(tuple(results), dataset, False), dataset, text
        after, problems = check(texts[-1])
        if problems or after is None:
            index, error = _blame_step(check, results, problems)
            results[index] = error
            return Steps(tuple(results), dataset, False), dataset, text
        return Steps(tuple(results), after, texts[-1] != text and not dry_run), after, texts[-1]

    return change


def write_steps_across(
    parts: Sequence[tuple[Path, Sequence[Step]]],
    dry_run: bool = False,
    timeout: float = LOCK_TIMEOUT,
) -> list[Steps]:
    """Steps into the tasks.yaml of several plans (each plan's folder and its steps), as
    write_steps does for one: every file or none. Each plan is read, checked and changed
    under its lock, all locks held at once (taken in one order, so two such writes cannot
    wait on each other); where any step of any plan is refused, or a file cannot be read or
    is invalid, nothing is written. Then all files are written by atomic.write_all, which
    puts every new file beside its old one before renaming any."""
    with ExitStack() as stack:
        if not dry_run:  # a preview takes no lock (as _transaction)
            folders = {atomic.target(d / paths.TASKS_FILE).parent for d, _ in parts}
            for folder in sorted(folders):
                stack.enter_context(locked(folder, timeout))
        done: list[Steps] = []
        files: list[tuple[Path, bytes, bytes]] = []
        for data_dir, steps in parts:
            tasks_path = data_dir / paths.TASKS_FILE
            units_path = paths.units_file(data_dir)
            shown = paths.shown(atomic.target(tasks_path)), paths.shown(units_path)
            result, _, raw, new_raw = _prepare(
                tasks_path, units_path, shown, _steps_change(steps, dry_run)
            )
            done.append(result)
            files.append((tasks_path, raw, new_raw))
        if dry_run or any(d.refused for d in done):
            return [d._replace(written=False) for d in done]
        for path, raw, _ in files:
            # An editor's save since the read: refused rather than overwritten.
            if _read_or_none(path) != raw:
                raise GkctlError(
                    f"{paths.shown(path)} 在写入期间被其他程序修改，所有计划都未写入。请重试。"
                )
        atomic.write_all((path, new_raw) for path, raw, new_raw in files if new_raw != raw)
        return done


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


class Check:
    """The loader run on a candidate text of tasks.yaml, with the directory as read."""

    def __init__(self, units_raw: bytes, shown: str, units_shown: str) -> None:
        self.units_raw, self.shown, self.units_shown = units_raw, shown, units_shown

    def __call__(self, text: str) -> tuple[Dataset | None, list[Problem]]:
        return loader.check_bytes(
            text.encode("utf-8"), self.units_raw, self.shown, self.units_shown
        )


def _checked(check: Check, text: str) -> Dataset:
    dataset, problems = check(text)
    if problems or dataset is None:
        raise DataError(problems)
    return dataset


def _blame(problems: list[Problem], shown: str, done: Edit) -> GkctlError:
    """The input\'s fault (exit 2) when every problem stands in the added lines."""
    if problems and all(
        p.file == shown and done.first_line <= p.line <= done.last_line for p in problems
    ):
        return UsageError("\n".join(p.message for p in problems) + "。未写入。")
    return DataError(problems)


def _blame_step(
    check: Check, results: list[Edit | GkctlError | None], problems: list[Problem]
) -> tuple[int, GkctlError]:
    """Replay the edits in order; the first whose text the loader refuses is to blame
    (each step\'s text holds the steps before it, which passed). Where none is (which the
    final check makes impossible), the problems are the file\'s."""
    for index, result in enumerate(results):
        if isinstance(result, Edit):
            _, found = check(result.text)
            if found:
                return index, _blame(found, check.shown, result)
    raise DataError(problems)


_T = TypeVar("_T")


def _transaction(
    data_dir: Path,
    change: Callable[[Dataset, str, Check], tuple[_T, Dataset, str]],
    dry_run: bool,
    timeout: float,
) -> tuple[_T, Dataset]:
    """The one way tasks.yaml is written: under the lock, read both files, refuse an
    invalid plan, let `change` make and check the new text, then replace the file
    atomically unless this is a dry run or nothing changed.

    A symbolic link is written through (the lock goes beside the file it points to, so two
    data folders linking one file still queue). The lock orders gkctl's writers only: a
    person saving the file in an editor meanwhile is caught just before the rename, and the
    change is then made again on what they saved, so neither side is lost. An editor that
    saves in place at the moment of the rename is caught just after it (atomic.Overwritten,
    not retried: one side's save is gone and a person has to look). A dry run takes
    no lock: it writes nothing, and a read-only folder must not stop a preview."""
    tasks_path, units_path = data_dir / paths.TASKS_FILE, paths.units_file(data_dir)
    real = atomic.target(tasks_path)
    shown = paths.shown(real), paths.shown(units_path)
    if dry_run:
        return _attempt(tasks_path, units_path, shown, change, dry_run)
    with locked(real.parent, timeout):
        for _ in range(_RETRIES):
            try:
                return _attempt(tasks_path, units_path, shown, change, dry_run)
            except atomic.FileChanged:
                continue
    raise GkctlError(
        f"{shown[0]} 在写入期间一再被其他程序修改（{_RETRIES} 次），未写入。"
        "请先保存并关闭编辑器中的这个文件，再重试。"
    )


# How often a write is redone on a file that keeps changing under it before giving up.
_RETRIES = 5


# How long a file that read as broken is given to become what an editor is writing.
_SETTLE = 0.05


def _changing(path: Path, read: bytes) -> bool:
    """Whether a file that read as broken was being written meanwhile: an editor that
    saves in place truncates it first, so gkctl may read it empty or half written. Then it
    is read again (the transaction's retry) rather than reported as broken. Only on the
    path of a broken read, so a valid one pays nothing."""
    time.sleep(_SETTLE)
    try:
        return path.read_bytes() != read
    except OSError:
        return False


def editable(raw: bytes) -> tuple[str, bool]:
    """A valid tasks.yaml's text as the edits take it, and whether its lines end in CR
    alone (old Mac): those are edited as LF and written back as CR, byte for byte."""
    text = raw.decode("utf-8")
    old_mac = "\r" in text and "\n" not in text
    return (text.replace("\r", "\n") if old_mac else text), old_mac


def written(text: str, old_mac: bool) -> bytes:
    """The bytes of an edited text, in the line endings the file had (editable())."""
    return (text.replace("\n", "\r") if old_mac else text).encode("utf-8")


def _attempt(
    tasks_path: Path,
    units_path: Path,
    shown: tuple[str, str],
    change: Callable[[Dataset, str, Check], tuple[_T, Dataset, str]],
    dry_run: bool,
) -> tuple[_T, Dataset]:
    result, after, tasks_raw, new_raw = _prepare(tasks_path, units_path, shown, change)
    if not dry_run and new_raw != tasks_raw:
        atomic.write_bytes(tasks_path, new_raw, expect=tasks_raw)
    return result, after


def _prepare(
    tasks_path: Path,
    units_path: Path,
    shown: tuple[str, str],
    change: Callable[[Dataset, str, Check], tuple[_T, Dataset, str]],
) -> tuple[_T, Dataset, bytes, bytes]:
    """Read and check both files, let `change` make the new text: the result, the data
    after, the file's bytes as read and its new bytes (nothing written)."""
    tasks_shown, units_shown = shown
    try:
        tasks_raw, units_raw = tasks_path.read_bytes(), units_path.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取数据文件：{exc.filename}：{os_reason(exc)}。") from None
    dataset, problems = loader.check_bytes(tasks_raw, units_raw, tasks_shown, units_shown)
    if problems or dataset is None:
        if _changing(tasks_path, tasks_raw):
            raise atomic.FileChanged(f"{tasks_shown} 在读取时正被其他程序写入，未写入。")
        raise DataError(problems)
    check = Check(units_raw, tasks_shown, units_shown)
    text, old_mac = editable(tasks_raw)
    result, after, new_text = change(dataset, text, check)
    return result, after, tasks_raw, written(new_text, old_mac)
