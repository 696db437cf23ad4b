"""The two sides of a diff: a git revision, the working tree, or a plan on disk.

A revision is read from git's object store (`git cat-file blob REV:path`, the plumbing
form of `git show REV:path`, which would apply textconv filters), never by checking it out:
the working tree, the index and HEAD are left as they are.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from gkctl.core.errors import Problem, UsageError, os_reason
from gkctl.core.model import Dataset
from gkctl.store import loader, paths

WORKTREE_LABEL = "工作区"


class SideKind(StrEnum):
    REVISION = "revision"
    WORKTREE = "worktree"
    FILES = "files"


@dataclass(frozen=True)
class Side:
    """One side's two files as bytes, and how messages name them."""

    kind: SideKind
    ref: str | None  # the revision or path as given; None for the working tree
    tasks_file: str
    units_file: str
    tasks_raw: bytes
    units_raw: bytes

    @property
    def label(self) -> str:
        return self.ref if self.ref is not None else WORKTREE_LABEL


@dataclass(frozen=True)
class StaleUnit:
    """A unit the other side lists, missing from this side's units.yaml, that this side's
    tasks still name (in 责任单位, progress or extensions)."""

    name: str
    tasks: tuple[int, ...]


@dataclass(frozen=True)
class Checked:
    side: Side
    dataset: Dataset | None
    problems: tuple[Problem, ...]
    stale: tuple[StaleUnit, ...] = ()


@dataclass(frozen=True)
class Repo:
    top: Path
    prefix: str  # the data folder inside the repository, "data/" ("" at the top)


# --- git -----------------------------------------------------------------------------------


def git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError(
            "找不到 git 命令：按版本比较需要安装 git；也可以直接比较两个数据目录：gkctl diff 旧目录 新目录"
        ) from None
    except OSError as exc:
        raise UsageError(f"无法运行 git：{os_reason(exc)}") from None


def _first_line(raw: bytes) -> str:
    lines = raw.decode("utf-8", errors="replace").strip().splitlines()
    return lines[0] if lines else ""


DIFF_HINT = (
    "无法按版本比较（git：{git}）。"
    "可以用 --data 指定仓库中的数据目录，或直接比较两个数据目录：gkctl diff 旧目录 新目录"
)


def find_repo(data_dir: Path, hint: str = DIFF_HINT) -> Repo:
    """The repository holding `data_dir` (which need not exist in the working tree);
    `hint` says what cannot be done without one ({git}: git's own message)."""
    start = data_dir
    missing: list[str] = []
    while not start.is_dir() and start.parent != start:
        missing.insert(0, start.name)
        start = start.parent
    result = git(["rev-parse", "--show-toplevel", "--show-prefix"], start)
    lines = result.stdout.decode("utf-8", errors="replace").splitlines()
    if result.returncode != 0 or not lines:
        raise UsageError(
            f"数据目录 {data_dir} 不在 git 仓库的工作区中，"
            + hint.format(git=_first_line(result.stderr))
        )
    prefix = (lines[1] if len(lines) > 1 else "") + "".join(f"{m}/" for m in missing if m)
    return Repo(Path(lines[0]), prefix)


def _commit(repo: Repo, rev: str) -> str:
    # A revision starting with "-" would be read by git as an option.
    if not rev.strip() or rev.startswith("-"):
        raise UsageError(f"“{rev}”不是有效的版本。")
    result = git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], repo.top)
    if result.returncode != 0:
        raise UsageError(
            f"未知的版本“{rev}”：仓库 {repo.top} 中没有这个提交、分支或标签"
            "（可用 git log --oneline 查看；CI 中的浅克隆需先 git fetch 该分支）；"
            "它也不是一个存在的文件或目录。"
        )
    return result.stdout.decode().strip()


def read_revision(repo: Repo, rev: str) -> Side:
    commit = _commit(repo, rev)
    raw: list[bytes] = []
    for name in (paths.TASKS_FILE, paths.UNITS_FILE):
        path = f"{repo.prefix}{name}"
        result = git(["cat-file", "blob", f"{commit}:{path}"], repo.top)
        if result.returncode != 0:
            raise UsageError(
                f"版本“{rev}”中没有文件 {path}。"
                "请检查 --data 是否指向仓库中的数据目录，或该版本是否已有这份计划。"
            )
        raw.append(result.stdout)
    prefix = f"{rev}:{repo.prefix}"
    return Side(
        SideKind.REVISION,
        rev,
        prefix + paths.TASKS_FILE,
        prefix + paths.UNITS_FILE,
        raw[0],
        raw[1],
    )


# --- files ---------------------------------------------------------------------------------


def _read(path: Path, missing: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(missing) from None
    except OSError as exc:
        raise UsageError(f"无法读取 {paths.shown(path)}：{os_reason(exc)}") from None


def read_files(tasks: Path, kind: SideKind, ref: str | None) -> Side:
    """A plan on disk: tasks.yaml and the units.yaml beside it."""
    units = tasks.parent / paths.UNITS_FILE
    return Side(
        kind,
        ref,
        paths.shown(tasks),
        paths.shown(units),
        _read(tasks, f"找不到任务文件 {paths.shown(tasks)}。"),
        _read(units, f"找不到单位名录 {paths.shown(units)}（应与 tasks.yaml 放在同一目录）。"),
    )


PATH_PREFIX = "path:"


class Sources:
    """Reads sides named on the command line; finds the repository once, when needed."""

    def __init__(self, data: Path) -> None:
        self.data = data  # the working tree's data folder, as the command layer chose it
        self._repo: Repo | None = None
        self.notes: list[str] = []  # for the person: how an ambiguous name was read

    def repo(self) -> Repo:
        if self._repo is None:
            self._repo = find_repo(self.data)
        return self._repo

    def read(self, spec: str | None) -> Side:
        """None: the working tree's data folder; an existing path: a tasks.yaml file or a data
        folder; anything else: a revision of the repository holding the data folder."""
        if spec is None:
            folder = paths.require_plan(self.data)
            return read_files(folder / paths.TASKS_FILE, SideKind.WORKTREE, None)
        # A revision wins over a same-named path: a pull request that adds the files
        # origin/main/tasks.yaml must not become the base it is compared with. A path is
        # meant where it says so: path:NAME, or a name starting with ./, ../ or /.
        if spec.startswith(PATH_PREFIX):
            return self._files(Path(spec[len(PATH_PREFIX) :]), spec, required=True)
        path = Path(spec)
        explicit = spec.startswith(("./", "../")) or path.is_absolute()
        if path.exists() and not explicit and self._is_revision(spec):
            self.notes.append(
                f"“{spec}”既是 git 版本又是路径，按版本比较；"
                f"要比较该路径，请写 ./{spec} 或 {PATH_PREFIX}{spec}。"
            )
            return read_revision(self.repo(), spec)
        if path.exists() or explicit:
            return self._files(path, spec, required=explicit)
        return read_revision(self.repo(), spec)

    def _files(self, path: Path, spec: str, required: bool) -> Side:
        if path.is_dir():
            return read_files(path / paths.TASKS_FILE, SideKind.FILES, spec)
        if path.is_file() or not required:
            return read_files(path, SideKind.FILES, spec)
        raise UsageError(f"找不到“{spec}”：没有这个文件或目录。")

    def _is_revision(self, spec: str) -> bool:
        try:
            _commit(self.repo(), spec)
        except UsageError:
            return False
        return True


def read_sides(base: str, head: str | None, data: Path) -> tuple[Side, Side, list[str]]:
    """Both sides, and notes on how an ambiguous name was read."""
    sources = Sources(data)
    return sources.read(base), sources.read(head), sources.notes


# --- checking ------------------------------------------------------------------------------


def check(side: Side) -> tuple[Dataset | None, list[Problem]]:
    return loader.check_bytes(side.tasks_raw, side.units_raw, side.tasks_file, side.units_file)


def _stale(side: Side, other_dataset: Dataset) -> tuple[StaleUnit, ...]:
    """Units the other side lists that this side's units.yaml dropped while this side's tasks
    still name them (in 责任单位, progress or extensions)."""
    directory, _ = loader.read_directory(side.units_raw, side.units_file)
    names = {u.name for u in directory.units} | {g.name for g in directory.groups}
    dropped = [u.name for u in other_dataset.directory.units if u.name not in names]
    if not dropped:
        return ()
    plan, _ = loader.read_plan(side.tasks_raw, side.tasks_file)
    out = []
    for name in dropped:
        tasks = tuple(
            t.id
            for t in plan.tasks
            if name in t.units
            or any(p.unit == name for p in t.progress)
            or any(e.unit == name for e in t.extensions)
        )
        if tasks:
            out.append(StaleUnit(name, tasks))
    return tuple(out)


def check_sides(base: Side, head: Side) -> tuple[Checked, Checked]:
    """Both sides checked; for an invalid side, the units it dropped but still uses."""
    (b_set, b_problems), (h_set, h_problems) = check(base), check(head)
    b_stale = _stale(base, h_set) if b_set is None and h_set is not None else ()
    h_stale = _stale(head, b_set) if h_set is None and b_set is not None else ()
    return (
        Checked(base, b_set, tuple(b_problems), b_stale),
        Checked(head, h_set, tuple(h_problems), h_stale),
    )
