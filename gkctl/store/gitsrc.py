"""The two sides of a diff: a git revision, the working tree, or a plan on disk.

A revision is read from git's object store (`git cat-file blob REV:path`, the plumbing
form of `git show REV:path`, which would apply textconv filters), never by checking it out:
the working tree, the index and HEAD are left as they are.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

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
    """One side's two files as bytes, and how messages name them; for a revision or the
    working tree, also the gkctl.toml settings that side is read with ({} without one)."""

    kind: SideKind
    ref: str | None  # the revision or path as given; None for the working tree
    tasks_file: str
    units_file: str
    tasks_raw: bytes
    units_raw: bytes
    config: dict[str, Any] | None = None  # None: a plan on disk, which has no gkctl.toml

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
    # Where gkctl.toml may stand, nearest first: the working folder and each folder above it
    # up to the top, as paths inside the repository ("" for the top).
    config_levels: tuple[str, ...] = ("",)


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


def find_repo(data_dir: Path, hint: str = DIFF_HINT, workdir: Path | None = None) -> Repo:
    """The repository holding `data_dir` (which need not exist in the working tree);
    `hint` says what cannot be done without one ({git}: git's own message); `workdir`, the
    working folder, is where the walk for gkctl.toml starts (the top only without it)."""
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
    top = Path(lines[0])
    return Repo(top, prefix, _levels_inside(top, workdir) if workdir is not None else ("",))


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


def _levels_inside(top: Path, start: Path) -> tuple[str, ...]:
    try:
        inside = start.resolve().relative_to(top.resolve())
    except ValueError:  # working outside the repository (--data names it): its top only
        return ("",)
    return (*(p.as_posix() for p in (inside, *inside.parents) if str(p) != "."), "")


def _toml_in(level: str) -> str:
    return f"{level}/{paths.CONFIG_FILE}" if level else paths.CONFIG_FILE


def revision_config(repo: Repo, commit: str, rev: str) -> dict[str, Any]:
    """The gkctl.toml settings a revision is read with: the nearest gkctl.toml on the walk
    from the working folder up, in that revision ({} where it has none)."""
    names = [_toml_in(level) for level in repo.config_levels]
    listed = git(["ls-tree", "--name-only", "-z", commit, "--", *names], repo.top)
    present = set(listed.stdout.decode("utf-8", errors="replace").split("\0"))
    for name in names:
        if name in present:
            blob = git(["cat-file", "blob", f"{commit}:{name}"], repo.top).stdout
            try:
                text = blob.decode("utf-8")
            except UnicodeDecodeError:
                raise UsageError(f"{rev}:{name}：文件不是 UTF-8 编码。") from None
            return paths.config_table(text, f"{rev}:{name}")
    return {}


def worktree_config(repo: Repo) -> dict[str, Any]:
    """The same for the working tree."""
    for level in repo.config_levels:
        path = repo.top / _toml_in(level)
        if path.is_file():
            return paths.read_config_table(path)
    return {}


def read_revision(repo: Repo, rev: str) -> Side:
    commit = _commit(repo, rev)
    # A plan of a folder of several plans shares the units.yaml one level up (paths.units_file).
    above = repo.prefix.rstrip("/").rpartition("/")[0]
    shared = f"{above}/{paths.UNITS_FILE}" if above else paths.UNITS_FILE
    tasks_at = f"{repo.prefix}{paths.TASKS_FILE}"
    units_at = f"{repo.prefix}{paths.UNITS_FILE}"
    raw: list[bytes] = []
    for path in (tasks_at, units_at):
        result = git(["cat-file", "blob", f"{commit}:{path}"], repo.top)
        if result.returncode != 0 and path == units_at and repo.prefix:
            fallback = git(["cat-file", "blob", f"{commit}:{shared}"], repo.top)
            if fallback.returncode == 0:
                result, units_at = fallback, shared
        if result.returncode != 0:
            raise UsageError(
                f"版本“{rev}”中没有文件 {path}。"
                "请检查 --data 是否指向仓库中的数据目录，或该版本是否已有这份计划。"
            )
        raw.append(result.stdout)
    return Side(
        SideKind.REVISION,
        rev,
        f"{rev}:{tasks_at}",
        f"{rev}:{units_at}",
        raw[0],
        raw[1],
        revision_config(repo, commit, rev),
    )


# --- every plan of a repository --------------------------------------------------------------

# A folder of this name holds test fixtures, some of them broken on purpose: a tasks.yaml
# under it is not a plan (the folder gkctl.toml names is checked wherever it is).
FIXTURES = "tests"


def repository_plans(start: Path, config: paths.Config | None) -> list[Path]:
    """Every plan of the repository holding `start`, whatever gkctl.toml says: what CI
    checks, since a pull request may point gkctl.toml at another folder and break the plan
    it no longer reads. The plans are data/ at the top, the folder gkctl.toml names (even
    where it holds no plan, which is then a problem to report), and every folder holding a
    tasks.yaml that git tracks outside a tests/ folder. Outside a repository: data/ in
    `start` and the folder gkctl.toml names. A folder of plans (plans/ with 2024/, 2025/)
    stands for its plans, so that each is listed once. In the order of their paths."""
    top = paths.repository_root(start)
    base = top if top is not None else start
    found = [base / "data"] if (base / "data" / paths.TASKS_FILE).is_file() else []
    if config is not None and config.data is not None:
        found.append(config.data)
    if top is not None:
        listed = git(["ls-files", "-z", "--full-name", "--", f":(glob)**/{paths.TASKS_FILE}"], top)
        for name in listed.stdout.decode("utf-8", errors="replace").split("\0"):
            folder = PurePosixPath(name).parent
            if name and FIXTURES not in folder.parts and (top / name).is_file():
                found.append(top / folder)
    plans = [p for folder in found for p in [q.path for q in paths.plans_of(folder)] or [folder]]
    unique = {os.path.normcase(folder.resolve()): folder for folder in plans}
    return sorted(unique.values(), key=lambda folder: paths.shown(folder))


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
    units = paths.units_file(tasks.parent)
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

    def __init__(self, data: Path, start: Path | None = None) -> None:
        self.data = data  # the working tree's data folder, as the command layer chose it
        self.start = start  # the working folder, where gkctl.toml is looked for
        self._repo: Repo | None = None
        self.notes: list[str] = []  # for the person: how an ambiguous name was read

    def repo(self) -> Repo:
        if self._repo is None:
            self._repo = find_repo(self.data, workdir=self.start)
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


def read_sides(
    base: str, head: str | None, data: Path, start: Path | None = None
) -> tuple[Side, Side, list[str]]:
    """Both sides, and notes on how an ambiguous name was read. Where both are versions of
    the repository (revisions, the working tree), each carries its gkctl.toml settings, so
    that a change of which data folder is read shows in the diff."""
    sources = Sources(data, start)
    sides = [sources.read(base), sources.read(head)]
    if all(s.kind is not SideKind.FILES for s in sides):
        sides = [
            replace(s, config=worktree_config(sources.repo())) if s.kind is SideKind.WORKTREE else s
            for s in sides
        ]
    return sides[0], sides[1], sources.notes


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
