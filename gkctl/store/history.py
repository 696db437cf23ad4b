"""The versions of tasks.yaml in git that changed one task (gkctl log).

`git log --follow --raw` lists every commit that changed tasks.yaml (following a move of the
file), each with the blob before and after it, so that each commit is compared with its own
parent even where branches were merged. The blobs are read through one `git cat-file
--batch` process, never by checking anything out.

Parsing a plan costs about 10 ms per 75 tasks, and a busy plan has a commit for every
progress entry of every task. So a commit is parsed only where the task's own lines (the
list item that starts `- id: N`) or the document header before `tasks:` differ between the
two blobs: most commits touch other tasks and are passed over on a comparison of bytes.
A layout the search does not recognise falls back to parsing both versions.

In a shallow clone the oldest commit the clone holds has no parent: its tasks.yaml reads as
added. It is not reported as the task's creation; the log says that the history stops there.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from gkctl.core import history, plandiff
from gkctl.core.errors import UsageError, os_reason
from gkctl.core.history import Commit, Entry, TaskLog
from gkctl.core.model import Dataset, Directory, Document, Plan
from gkctl.store import gitsrc, loader, paths

_RECORD, _FIELD = "\x1e", "\x1f"
_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%s"
_NO_BLOB = "0" * 40
LOG_HINT = (
    "无法查看任务的修改历史（git：{git}）。"
    "gkctl log 读取 git 提交记录，请在数据所在的 git 仓库中运行，或用 --data 指定仓库中的数据目录。"
)


class _Blobs:
    """One `git cat-file --batch` process answering object names (an id, or REV:path)."""

    def __init__(self, top: Path) -> None:
        try:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=top,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise UsageError(f"无法运行 git：{os_reason(exc)}") from None

    def read(self, name: str) -> bytes | None:
        """The blob's bytes; None where the name names no blob (a missing file)."""
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(name.encode("utf-8") + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:  # "<name> missing" (or ambiguous)
            return None
        data = stdout.read(int(header[2]))
        stdout.read(1)  # the newline after the object
        return data if header[1] == b"blob" else None

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait()


@dataclass(frozen=True)
class _Change:
    """One commit's change to tasks.yaml, from `git log --raw`."""

    commit: Commit
    old_blob: str | None
    new_blob: str | None
    old_path: str
    new_path: str


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _changes(top: Path, path: str) -> list[_Change]:
    """Oldest first: every non-merge commit that changed `path` (following renames)."""
    result = gitsrc.git(
        [
            "-c",
            "core.quotePath=false",
            "log",
            "--follow",
            "--raw",
            "--no-abbrev",
            f"--format={_FORMAT}",
            "--",
            path,
        ],
        top,
    )
    if result.returncode != 0:
        return []  # a repository without a commit yet: no history
    out = []
    for record in result.stdout.decode("utf-8", errors="replace").split(_RECORD)[1:]:
        head, _, rest = record.partition("\n")
        sha, author, email, authored, committed, subject = head.split(_FIELD, 5)
        commit = Commit(sha, author, email, _day(authored), _day(committed), subject)
        for line in rest.splitlines():
            if not line.startswith(":"):
                continue
            meta, *names = line.split("\t")
            fields = meta.split()
            old_blob, new_blob = fields[2], fields[3]
            out.append(
                _Change(
                    commit,
                    None if old_blob == _NO_BLOB else old_blob,
                    None if new_blob == _NO_BLOB else new_blob,
                    names[0],
                    names[-1],
                )
            )
    out.reverse()
    return out


def _shallow(top: Path) -> frozenset[str]:
    """The commits a shallow clone holds without their parents (none in a full clone)."""
    result = gitsrc.git(["rev-parse", "--git-path", "shallow"], top)
    where = Path(result.stdout.decode("utf-8", errors="replace").strip())
    where = where if where.is_absolute() else top / where
    try:
        return frozenset(where.read_text(encoding="ascii").split())
    except OSError:
        return frozenset()


_HEADER_END = re.compile(rb"^tasks:", re.M)


def _region(raw: bytes, task_id: int) -> tuple[bytes, bytes] | None:
    """The document header and the task's list item, as bytes; None where the layout is not
    gkctl's own (one `- id: N` line), and b"" for the item where no line names the id.

    The searches start with literal text, which the regex engine skips to directly: a
    pattern that starts with ^ is tried at every byte (7 ms a search in a 1,000-task file).
    """
    header = _HEADER_END.search(raw)
    if header is None:
        return None
    starts = [
        m
        for m in re.finditer(rb"- id: *%d *(?:#[^\n]*)?$" % task_id, raw, re.M)
        if not raw[raw.rfind(b"\n", 0, m.start()) + 1 : m.start()].strip(b" ")
    ]
    if not starts:
        # Named nowhere (the task is absent), unless written in some other layout.
        found = re.search(rb"id: *['\"]?%d\b" % task_id, raw)
        return None if found else (raw[: header.start()], b"")
    if len(starts) > 1:
        return None
    start = starts[0].start()
    line = raw.rfind(b"\n", 0, start) + 1
    indent = raw[line:start]
    after = re.compile(rb"\n(?:" + re.escape(indent) + rb"- |[^\s#])")
    end = after.search(raw, starts[0].end())
    return raw[: header.start()], raw[line : end.start() + 1 if end else len(raw)]


@dataclass(frozen=True)
class _Read:
    dataset: Dataset | None
    problems: tuple[str, ...]


class _Versions:
    """Datasets of the versions met, each parsed once (a commit's new version is the next
    commit's old one)."""

    def __init__(self, blobs: _Blobs) -> None:
        self.blobs = blobs
        self._read: dict[tuple[str | None, bytes], _Read] = {}
        self.parsed = 0

    def read(
        self, blob: str | None, raw: bytes | None, units: tuple[str, ...], shown: str
    ) -> _Read:
        units_raw, units_shown = None, units[0].split(":", 1)[-1]
        for spec in units:
            units_raw = self.blobs.read(spec)
            if units_raw is not None:
                units_shown = spec.split(":", 1)[-1]
                break
        if units_raw is None:
            return _Read(None, (f"{units_shown}：该版本中没有单位名录",))
        # By content: a commit's parent and the commit before it name one units.yaml
        # differently (REV^:path, REV:path).
        key = (blob, units_raw)
        found = self._read.get(key)
        if found is None:
            self.parsed += 1
            dataset, problems = loader.check_bytes(raw, units_raw, shown, units_shown)
            found = self._read[key] = _Read(dataset, tuple(str(p) for p in problems))
        return found


def _units_beside(rev: str, tasks_path: str) -> tuple[str, ...]:
    """Where the plan's units.yaml may be: beside tasks.yaml, else (a plan in a folder of
    plans) the shared one a level up (paths.units_file)."""
    folder = PurePosixPath(tasks_path).parent
    out = []
    while True:
        name = paths.UNITS_FILE if str(folder) == "." else f"{folder}/{paths.UNITS_FILE}"
        out.append(f"{rev}:{name}")
        if str(folder) == "." or len(out) == 2:
            return tuple(out)
        folder = folder.parent


def task_log(data_dir: Path, task_id: int) -> TaskLog:
    """Every commit that changed task `task_id` in the data folder's tasks.yaml, newest
    first, each compared with its parent's version."""
    repo = gitsrc.find_repo(data_dir, LOG_HINT)
    changes = _changes(repo.top, repo.prefix + paths.TASKS_FILE)
    shallow = _shallow(repo.top)
    blobs = _Blobs(repo.top)
    try:
        return _walk(task_id, changes, shallow, _Versions(blobs))
    finally:
        blobs.close()


_EMPTY = Dataset(Plan(Document("", "", "", None, 0), (), ()), Directory((), ()), "", "")


class _Walk:
    """Each commit compared with its parent's version, as far as the task is concerned."""

    def __init__(self, task_id: int, versions: _Versions) -> None:
        self.task_id = task_id
        self.versions = versions
        # The commit that wrote each blob met, and where its units.yaml is.
        self.made_by: dict[str, tuple[Commit, str, tuple[str, ...]]] = {}
        # A blob the task reads the same in as in an older one (the commit left the task
        # alone), or that could not be read: the older blob stands for it.
        self.same: dict[str, str] = {}
        # Each blob's header and task lines: a commit's new blob is the next one's old.
        self.regions: dict[str, tuple[bytes, bytes] | None] = {}

    def region(self, blob: str | None) -> tuple[bytes, bytes] | None:
        if blob is None:
            return (b"", b"")  # no file: no task
        if blob not in self.regions:
            raw = self.versions.blobs.read(blob)
            self.regions[blob] = _region(raw, self.task_id) if raw is not None else None
        return self.regions[blob]

    def read(
        self, blob: str | None, raw: bytes | None, units: tuple[str, ...], shown: str
    ) -> _Read:
        if raw is None:
            return _Read(_EMPTY, ())
        return self.versions.read(blob, raw, units, shown)

    def readable_before(self, blob: str | None) -> tuple[_Read, Commit] | None:
        """The newest readable version that `blob` stands for, and the commit that wrote it."""
        seen: set[str] = set()
        while blob in self.same and blob not in seen:
            seen.add(blob)
            blob = self.same[blob]
            if blob in self.made_by:
                commit, path, units = self.made_by[blob]
                raw = self.versions.blobs.read(blob)
                found = self.read(blob, raw, units, f"{commit.short}:{path}")
                if found.dataset is not None:
                    return found, commit
        return None

    def entry(self, c: _Change) -> Entry | None:
        sha = c.commit.sha
        if c.new_blob is not None:
            self.made_by[c.new_blob] = (c.commit, c.new_path, _units_beside(sha, c.new_path))
        old_region, new_region = self.region(c.old_blob), self.region(c.new_blob)
        if (
            old_region is not None
            and new_region is not None
            and old_region[1] == new_region[1]
            and (not new_region[1] or old_region[0] == new_region[0])
        ):
            if c.new_blob and c.old_blob:
                self.same[c.new_blob] = c.old_blob
            return None
        old_raw = self.versions.blobs.read(c.old_blob) if c.old_blob else None
        new_raw = self.versions.blobs.read(c.new_blob) if c.new_blob else None
        new = self.read(
            c.new_blob, new_raw, _units_beside(sha, c.new_path), f"{c.commit.short}:{c.new_path}"
        )
        old = self.read(
            c.old_blob,
            old_raw,
            _units_beside(f"{sha}^", c.old_path),
            f"{c.commit.short}^:{c.old_path}",
        )
        against: Commit | None = None
        if old.dataset is None:
            found = self.readable_before(c.old_blob)
            if found is not None:
                old, against = found
        if new.dataset is None:
            if c.new_blob and c.old_blob:
                self.same[c.new_blob] = c.old_blob
            return Entry(c.commit, c.new_path, problems=new.problems or ("无法读取",))
        if old.dataset is None:
            return Entry(c.commit, c.new_path, problems=("上一版本无法读取，未能比较",))
        diff = plandiff.task_diff(old.dataset, new.dataset, self.task_id, c.commit.authored)
        if diff is None:
            return None
        return Entry(c.commit, c.new_path, history.events(diff), against=against)


def _walk(
    task_id: int, changes: list[_Change], shallow: frozenset[str], versions: _Versions
) -> TaskLog:
    walk = _Walk(task_id, versions)
    entries: list[Entry] = []
    stops_at: Commit | None = None
    for c in changes:
        if c.old_blob is None and c.commit.sha in shallow:
            stops_at = c.commit
            if c.new_blob is not None:
                walk.made_by[c.new_blob] = (
                    c.commit,
                    c.new_path,
                    _units_beside(c.commit.sha, c.new_path),
                )
            continue
        found = walk.entry(c)
        if found is not None:
            entries.append(found)
    entries.reverse()
    return TaskLog(task_id, tuple(entries), len(changes), stops_at)
