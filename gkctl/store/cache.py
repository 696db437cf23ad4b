"""A parsed-plan cache, keyed on the size and SHA-256 of the data files.

(The SHA-256 of a file that has not changed is taken from a record of its stat, as git's
index does: see _Seen.)

Reading a 10,000-task plan costs about a second of YAML parsing and checking; commands
that only read the plan (due, list, show, report …) are run again and again on the same
files. The cache keeps, per data folder, the checked Dataset together with the size and
SHA-256 digest of tasks.yaml and units.yaml it was made from; an entry is used only when
both files hash to what it holds (and gkctl and Python are the same versions), so an edit,
however small, is always seen. Only valid data is cached: invalid data is checked afresh
every time and reported.

The entry also keeps the resolved deadlines and last working days, which are pure functions
of the data, so that a warm run neither compiles the deadline grammar nor loads the
holiday calendar.

An entry does not depend on where gkctl is run from: the paths messages print (relative
to the working directory) are left out of the pickle and supplied when it is read, so the
same data folder hits from the repository root, from a sub-folder and through a symlink.

Where: $GKCTL_CACHE_DIR, else the user's cache folder as the system keeps it (platformdirs:
$XDG_CACHE_HOME/gkctl or ~/.cache/gkctl on Linux, %LOCALAPPDATA%\\gkctl\\Cache on Windows,
~/Library/Caches/gkctl on macOS). GKCTL_NO_CACHE=1 turns it off. A cache that cannot be
read or written is ignored, never an error: the plan is then loaded the slow way.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import sys
import time
import zlib
from array import array
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any, NamedTuple

from gkctl import __version__
from gkctl.core import collector, deadlines, workdays
from gkctl.core.errors import DataError
from gkctl.core.model import Dataset, Task
from gkctl.store import paths

ENV_DIR = "GKCTL_CACHE_DIR"
ENV_OFF = "GKCTL_NO_CACHE"
KEEP = 16  # entries kept; the oldest go when a new one is written
_MAGIC = b"gkctl-cache-11\n"
_CHUNK = 1 << 20


def cache_dir() -> Path | None:
    if os.environ.get(ENV_OFF):
        return None
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    try:
        Path.home()
    except RuntimeError:  # no HOME and no passwd entry (some containers): no cache
        return None
    import platformdirs  # only where no folder is given (the tests give one)

    folder = Path(platformdirs.user_cache_dir("gkctl", appauthor=False))
    return folder if folder.is_absolute() else None


def header(tasks_print: str, units_print: str) -> bytes:
    """What must match: versions, the code, and the fingerprints of the two files."""
    parts = (__version__, sys.version, _code_stamp(), _holidays_stamp(), tasks_print, units_print)
    return "\0".join(parts).encode("utf-8")


def fingerprint(data: bytes) -> str:
    """Size and SHA-256 of a file's bytes: a one-byte edit, or any other, changes it."""
    digest = _sha256(len(data))
    digest.update(data)
    return f"{len(data)}:{digest.hexdigest()}"


def _file_fingerprint(path: Path) -> tuple[str, _Seen | None]:
    """fingerprint() of a file, read in chunks (a warm run never holds the file in memory),
    and what the file looked like while it was read, where it did not change meanwhile."""
    taken = time.time_ns()  # before the first byte is read: see _Seen
    with open(path, "rb") as handle:
        before = os.fstat(handle.fileno())
        digest = _sha256(before.st_size)
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        total = 0
        while count := handle.readinto(buffer):
            digest.update(view[:count])
            total += count
        after = _stat_key(os.fstat(handle.fileno()))
    printed = f"{total}:{digest.hexdigest()}"
    if after != _stat_key(before) or total != before.st_size:
        return printed, None  # written to while it was read: nothing to remember
    return printed, _Seen(after, printed, taken)


# Knowing a file's fingerprint without reading it (git's index does the same, and calls a
# file it cannot trust "racily clean"). A file keeps its device, inode, size, modification
# and change times (st_ctime: set by the system at any write, rename or touch, never by a
# user) for as long as nobody writes to it. So a record of those five, with the fingerprint
# of the bytes read under them, holds the fingerprint for as long as the five are unchanged,
# with one exception: a write in the same tick of the file system's clock as the record's
# times (FAT keeps 2 s ticks; others a few ms) leaves them as they were. The record is
# therefore trusted only when both times are older than the moment the file was read
# (`taken`, read from the clock before the first byte) by more than _RACY_NS: any write
# after that moment stamps a later tick. Otherwise the file is hashed, and the record made
# anew, so that a later run can trust it. An edit with the old mtime put back (touch -d)
# still changes st_ctime; a file renamed over the old one, or a copy, has another inode.
# Not on Windows: there Python's st_ctime is the creation time, which a write leaves as it
# was, so an edit that keeps the size and puts the old mtime back goes unseen (README).
_RACY_NS = 3 * 10**9  # FAT's 2 s tick, and some slack for a clock that lags


class _Seen(NamedTuple):
    key: tuple[int, ...]  # st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns
    printed: str  # fingerprint()
    taken: int  # time.time_ns() before the bytes were read

    def trusted(self, key: tuple[int, ...]) -> bool:
        mtime, ctime = self.key[3], self.key[4]
        return key == self.key and max(mtime, ctime) < self.taken - _RACY_NS


def _stat_key(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


_STAT_MAGIC = "gkctl-stat-1"


def _fingerprints(entry: Path | None, files: Sequence[Path]) -> list[str]:
    """fingerprint() of each file: from the entry's record (see _Seen) where it can be
    trusted, else by reading the file, which renews the record. OSError: a file is missing
    or unreadable."""
    record = entry.with_suffix(".stat") if entry is not None else None
    known = _read_seen(record) if record is not None else []
    out: list[str] = []
    seen: list[_Seen | None] = []
    for i, path in enumerate(files):
        old = known[i] if i < len(known) else None
        if old is not None and old.trusted(_stat_key(os.stat(path))):
            out.append(old.printed)
            seen.append(old)
            continue
        printed, new = _file_fingerprint(path)
        out.append(printed)
        seen.append(new)
    if record is not None and seen != known:
        _write_seen(record, seen)
    return out


def _read_seen(record: Path) -> list[_Seen | None]:
    """The records of an entry's files, in order (empty: none, or not to be trusted)."""
    if not _trusted(record):
        return []
    try:
        # Bytes decoded, not read_text: a text file looks up (imports) the ascii codec.
        lines = record.read_bytes().decode("ascii").splitlines()
        if not lines or lines[0] != _STAT_MAGIC:
            return []
        out: list[_Seen | None] = []
        for line in lines[1:]:
            if line == "-":
                out.append(None)
                continue
            *numbers, printed = line.split(" ")
            values = [int(n) for n in numbers]
            if len(values) != 6:
                return []
            out.append(_Seen(tuple(values[:5]), printed, values[5]))
        return out
    except (OSError, ValueError):  # damaged: the files are hashed
        return []


def _write_seen(record: Path, seen: Sequence[_Seen | None]) -> None:
    lines = [_STAT_MAGIC]
    for s in seen:
        lines.append("-" if s is None else " ".join(map(str, (*s.key, s.taken, s.printed))))
    raw = ("\n".join(lines) + "\n").encode("ascii")

    def fill(handle: IO[bytes]) -> None:
        handle.write(raw)

    with contextlib.suppress(Exception):  # a read-only or full disk only loses speed
        if _trusted_folder(record.parent):  # none yet: the entry's writer makes it
            _replace(record, fill)


def _sha256(size: int) -> Any:
    """OpenSSL's SHA-256 (hashlib) hashes a 90 MB plan in 0.1 s but takes 2.4 ms to load;
    the interpreter's own module loads in 0.2 ms and is six times slower. Small plans, the
    common case, take the quick start; the digest is the same either way."""
    if size < 4 * _CHUNK:
        from importlib import import_module

        with contextlib.suppress(ImportError):  # renamed _sha2 in Python 3.12
            return import_module("_sha256").sha256()
    import hashlib

    return hashlib.sha256()


def _holidays_stamp() -> str:
    """The holiday data the cached last working days came from (found without importing
    it): a new chinesecalendar release makes entries a miss."""
    from importlib.util import find_spec

    try:
        spec = find_spec("chinese_calendar")
    except (ImportError, ValueError):
        return ""
    if spec is None or not spec.origin:
        return ""
    constants = os.path.join(os.path.dirname(spec.origin), "constants.py")
    try:
        info = os.stat(constants)
    except OSError:
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}"


def _code_stamp() -> str:
    """Size and modification time of every module of gkctl: an edited checker or model in a
    development install makes every entry a miss, without waiting for a version bump."""
    stamp = []
    # The whole package, not only this folder: every layer's modules shape a cache entry.
    folders = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir() and not entry.name.startswith((".", "__")):
                    folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    info = entry.stat()
                    stamp.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return "|".join(sorted(stamp))


def entry_name(data_dir: Path) -> str:
    """One entry per data folder, named after its resolved path (the same entry through a
    symlink or from any working directory). A clash of two folders' names only makes a
    miss: the entry is used only when its fingerprints are those of the files on disk."""
    where = str(data_dir.resolve()).encode("utf-8")
    return f"{zlib.crc32(where):08x}-{zlib.adler32(where):08x}.cache"


def load(data_dir: Path) -> Dataset:
    """The checked dataset of `data_dir`, from the cache where its bytes were seen before."""
    tasks_path, units_path = data_dir / paths.TASKS_FILE, paths.units_file(data_dir)
    tasks_shown, units_shown = paths.shown(tasks_path), paths.shown(units_path)
    folder = cache_dir()
    entry = folder / entry_name(data_dir) if folder else None
    if entry is not None:
        try:
            head = header(*_fingerprints(entry, (tasks_path, units_path)))
        except OSError:
            head = b""  # missing or unreadable: the loader below says which
        cached = _read(entry, head, tasks_shown, units_shown) if head else None
        if cached is not None:
            return cached
    try:
        tasks_raw, units_raw = tasks_path.read_bytes(), units_path.read_bytes()
    except OSError:
        from gkctl.store import loader

        return loader.load(data_dir)  # reports the missing or unreadable file
    from gkctl.store import loader

    # The collector stays off until the entry is written: pickling walks every object of
    # the plan, and with the collector on, 100,000 tasks cost ~900 collections (3-5 s
    # instead of 1.7 s). See core.collector.
    with collector.paused():
        dataset, problems = loader.check_bytes(tasks_raw, units_raw, tasks_shown, units_shown)
        if problems or dataset is None:
            raise DataError(problems)
        if entry is not None:
            # Keyed on the bytes just checked, even if the files changed since they were hashed.
            head = header(fingerprint(tasks_raw), fingerprint(units_raw))
            del tasks_raw, units_raw
            _write(entry, head, dataset)
    return dataset


def _trusted(entry: Path) -> bool:
    """An entry is unpickled only when this user owns it and its folder, and nobody else
    may write to either: a cache folder others can write to must not run their code."""
    return _trusted_folder(entry) and _trusted_folder(entry.parent)


def _trusted_folder(path: Path) -> bool:
    if not hasattr(os, "getuid"):  # no ownership to check (Windows): the user's profile
        return True
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _read(entry: Path, head: bytes, tasks_shown: str, units_shown: str) -> Dataset | None:
    if not _trusted(entry):
        return None
    try:
        with collector.paused(), open(entry, "rb") as handle:  # bulk building
            start = handle.read(len(_MAGIC) + 8)
            if not start.startswith(_MAGIC) or int.from_bytes(start[-8:], "little") != len(head):
                return None
            if handle.read(len(head)) != head:
                return None
            prefix = _shown_paths(tasks_shown, units_shown)
            count, shell, resolved, days = _load(prefix, handle)
            stored: list[Any] = []
            for _ in range(count):  # each slice after its length (see _write)
                size = int.from_bytes(handle.read(8), "little")
                stored.extend(pickle.loads(prefix + handle.read(size)))
            slot_of = _load(prefix, handle)
            tasks = tuple(map(stored.__getitem__, slot_of))  # back in plan order
    except Exception:  # a damaged or foreign entry is a miss, never an error
        return None
    if not isinstance(shell, Dataset):
        return None
    if shell.tasks_path != tasks_shown or shell.units_path != units_shown:
        return None  # not written by _write (see _shown_paths)
    deadlines.remember(resolved)
    workdays.remember(days)
    return shell._replace(plan=shell.plan._replace(tasks=tasks))


# An entry is a header and then several pickles, read one after the other: the plan without
# its tasks (with the resolved deadlines and working days), then the tasks, _TASKS_PER_PICKLE
# at a time. A pickler remembers every object it wrote, to write a shared one once, and an
# unpickler every object it read: in one pickle of 100,000 tasks that memory was 170 MB on
# top of the plan. In slices, a name shared by tasks is written at most once per slice.
# Small slices are also what a view of one unit reads (Sliced): a task costs its slice.
# 100,000 tasks, in separate processes on a busy 2-core machine (best of four; the figures
# move by a fifth from run to run): the whole plan read in 1.72 s in slices of 5,000, 1.78 s
# of 32, 1.58 s of 64, 2.36 s of 16, 2.93 s of 8 (a slice more, a few names pickled once
# more); the due view of a unit with 1,200 tasks of its own read in 0.60 s in slices of
# 32, 1.00 s of 64, 0.47 s of 16.
_TASKS_PER_PICKLE = 32

# The paths messages print (data/tasks.yaml from the repository root, ../data/tasks.yaml
# from a sub-folder) are in every position of the plan, once as a string each pickle then
# refers to as memo entries 0 and 1. _write pickles with those two entries taken as given,
# so the string is never written; _read puts the present paths in front of each pickle, as
# a short pickle that stores them in memo 0 and 1.


def _shown_paths(tasks_shown: str, units_shown: str) -> bytes:
    out = bytearray(b"\x80\x05")  # PROTO 5
    for text in (tasks_shown, units_shown):
        raw = text.encode("utf-8", "surrogatepass")
        out += b"X" + len(raw).to_bytes(4, "little") + raw  # BINUNICODE
        out += b"\x94"  # MEMOIZE: the next memo entry, 0 then 1
        out += b"0"  # POP
    return bytes(out)


def _dump(handle: IO[bytes], dataset: Dataset, value: object) -> None:
    pickler = pickle.Pickler(handle, protocol=5)
    pickler.memo = {
        id(dataset.tasks_path): (0, dataset.tasks_path),
        id(dataset.units_path): (1, dataset.units_path),
    }
    pickler.dump(value)


def _load(prefix: bytes, handle: io.BufferedReader) -> Any:
    """One pickle from `handle`, read as it goes (no copy of it in memory), which is left
    just after it: an unpickler reads no further than the pickle's end."""
    return pickle.Unpickler(_Prefixed(prefix, handle)).load()


class _Prefixed:
    """`head`, then what follows in `rest`: the file an unpickler reads."""

    def __init__(self, head: bytes, rest: io.BufferedReader) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size < 0:
            size = len(self._head) + (1 << 62)
        taken, self._head = self._head[:size], self._head[size:]
        return taken + self._rest.read(size - len(taken)) if size > len(taken) else taken

    def readline(self) -> bytes:  # the unpickler requires it; protocol 5 never calls it
        at = self._head.find(b"\n")
        if at >= 0:
            return self.read(at + 1)
        return self.read(len(self._head)) + self._rest.readline()


def _memo(dataset: Dataset) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The deadlines of the plan, resolved, and the last working day of each due date."""
    doc = dataset.plan.document
    texts = {t.deadline for t in dataset.plan.tasks if t.deadline}  # "": undated, no grammar
    texts |= {m.deadline for t in dataset.plan.tasks for m in t.milestones if m.deadline}
    resolved = {}
    for text in texts:
        found = deadlines.resolve(text, doc.year, doc.published)
        resolved[(text, doc.year, doc.published)] = found
        for day in (found.due, *(m.due for m in found.milestones)):
            if day is not None:
                workdays.last_workday(day)
    for task in dataset.plan.tasks:
        for day in (task.due, *(e.to for e in task.extensions)):
            if day is not None:
                workdays.last_workday(day)
    return resolved, workdays.memo()


def _write(entry: Path, head: bytes, dataset: Dataset) -> None:
    with contextlib.suppress(Exception):  # a read-only or full disk only loses speed
        memo = _memo(dataset)
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted_folder(entry.parent):
            return  # a folder others may write to is never used (see _trusted)

        def fill(handle: IO[bytes]) -> None:
            handle.write(_MAGIC + len(head).to_bytes(8, "little") + head)
            order = _view_order(dataset)
            tasks = [dataset.plan.tasks[p] for p in order]
            slot_of = array("q", bytes(8 * len(order)))
            for slot, position in enumerate(order):
                slot_of[position] = slot
            slices = range(0, len(tasks), _TASKS_PER_PICKLE)
            shell = dataset._replace(plan=dataset.plan._replace(tasks=()))
            _dump(handle, dataset, (len(slices), shell, *memo))
            starts = array("q")
            for start in slices:
                # Its length first: a reader takes the bytes of a slice with one read and
                # unpickles them at once, not through a file object (thousands of slices).
                blob = io.BytesIO()
                _dump(blob, dataset, tasks[start : start + _TASKS_PER_PICKLE])
                handle.write(len(blob.getbuffer()).to_bytes(8, "little"))
                starts.append(handle.tell())
                handle.write(blob.getbuffer())
            starts.append(handle.tell() + 8)
            _dump(handle, dataset, slot_of)  # where each task of the plan is: see _view_order
            _write_index(handle, dataset, starts)

        _replace(entry, fill)
        _prune(entry.parent)


# After the plan, for the views of one unit or one task (core/unitview.py): each unit's
# Slice, the ids and names completion offers, then the index (where each slice of tasks
# and each unit's Slice begins), and last, 8 bytes: where the index begins. A reader of
# slices reads the header, the plan without its tasks, the index and the slices of tasks
# that hold the tasks it needs.


def _view_order(dataset: Dataset) -> list[int]:
    """The plan's positions in the order the slices store them: by due date (the resolved
    deadline, or the task's own `due:`; none last), deadline text and id, near the order
    the views list rows in (a status is mostly a function of the deadline, and its rows are
    listed by due date and id). A unit's due view shows the first rows of each status,
    which then sit in a few neighbouring slices instead of one slice each: at 10,000 tasks
    a unit's ~190 rows were spread over 132 of the plan's 313 slices in plan order, over 37
    by due date and id, and over 30 in this order."""
    from gkctl.core.status import task_deadline  # resolved already (_memo): no grammar

    tasks = dataset.plan.tasks
    last = date.max.toordinal() + 1

    def key(position: int) -> tuple[int, str, int]:
        task = tasks[position]
        due = task_deadline(dataset, task).due
        return (due.toordinal() if due is not None else last, task.deadline, task.id)

    return sorted(range(len(tasks)), key=key)


def _write_index(handle: IO[bytes], dataset: Dataset, starts: array[int]) -> None:
    from gkctl.core import unitview

    tasks = dataset.plan.tasks
    units = {}
    for name, sl in unitview.slices(dataset).items():
        units[name] = handle.tell()
        _dump(handle, dataset, sl)
    completion = handle.tell()
    _dump(handle, dataset, [(t.id, t.name[:30]) for t in tasks])
    where = handle.tell()
    ids = array("q", (t.id for t in tasks))
    by_id = sorted(range(len(tasks)), key=ids.__getitem__)
    found = (array("q", (ids[p] for p in by_id)), array("q", by_id))
    _dump(handle, dataset, (_TASKS_PER_PICKLE, starts, ids, found, units, completion))
    handle.write(where.to_bytes(8, "little"))


class Sliced:
    """An entry read for slices: the plan without its tasks, and its tasks one by one."""

    def __init__(
        self, handle: io.BufferedReader, dataset: Dataset, prefix: bytes, data_dir: Path
    ) -> None:
        self.dataset = dataset
        self._handle = handle
        self._prefix = prefix
        self._data_dir = data_dir
        self._whole: tuple[Task, ...] | None = None
        handle.seek(-8, os.SEEK_END)
        handle.seek(int.from_bytes(handle.read(8), "little"))
        self._per, self._starts, self.ids, self._by_id, self._units, self._completion = self._load()
        self._slot_of: array[int] | None = None
        self._slices: dict[int, list[Task]] = {}

    def _load(self) -> Any:
        with collector.paused():
            return _load(self._prefix, self._handle)

    def _read(self, start: int) -> Any:
        self._handle.seek(start)
        return self._load()

    def unit(self, name: str) -> Any:
        """The unit's core.unitview.Slice (None for a name the plan has no slice for)."""
        start = self._units.get(name)
        return self._read(start) if start is not None else None

    def tasks(self, positions: Sequence[int]) -> list[Task]:
        """The tasks at these positions of the plan, in this order."""
        if self._whole is None:
            starts, handle, prefix, per, read = (
                self._starts,
                self._handle,
                self._prefix,
                self._per,
                self._slices,
            )
            try:
                if self._slot_of is None:  # the pickle after the last slice of tasks
                    self._slot_of = self._read(starts[-1] - 8)
                slot_of = self._slot_of
                out = []
                with collector.paused():
                    for p in positions:
                        at, i = divmod(slot_of[p], per)
                        found = read.get(at)
                        if found is None:
                            handle.seek(starts[at])
                            blob = handle.read(starts[at + 1] - starts[at] - 8)
                            found = read[at] = pickle.loads(prefix + blob)
                        out.append(found[i])
                if all(isinstance(t, Task) for t in out):
                    return out
            except Exception:  # damaged since it was opened: the plan as load() reads it
                pass
            # The same bytes as the header checked (or load() says what is wrong with them
            # now), in the same order: positions stay valid.
            self._whole = load(self._data_dir).plan.tasks
        return [self._whole[p] for p in positions]

    def task(self, task_id: int) -> Task | None:
        """The task of this id (ids found by bisection: no table of every id is built)."""
        from bisect import bisect_left

        ids, positions = self._by_id
        at = bisect_left(ids, task_id)
        if at == len(ids) or ids[at] != task_id:
            return None
        return self.tasks([positions[at]])[0]

    def completion(self) -> list[tuple[int, str]]:
        """Each task's id and the start of its name, in plan order."""
        found: list[tuple[int, str]] = self._read(self._completion)
        return found


def open_slices(data_dir: Path) -> Sliced | None:
    """The entry of `data_dir` for reading slices, where it is there and holds the bytes on
    disk now (as load() checks); None otherwise: load() the plan, which writes the entry."""
    folder = cache_dir()
    if folder is None:
        return None
    tasks_path, units_path = data_dir / paths.TASKS_FILE, paths.units_file(data_dir)
    tasks_shown, units_shown = paths.shown(tasks_path), paths.shown(units_path)
    entry = folder / entry_name(data_dir)
    try:
        head = header(*_fingerprints(entry, (tasks_path, units_path)))
    except OSError:
        return None
    if not _trusted(entry):
        return None
    try:
        handle = open(entry, "rb")  # noqa: SIM115  (open while the command reads slices)
    except OSError:
        return None
    try:
        prefix = _shown_paths(tasks_shown, units_shown)
        shell = _read_shell(handle, head, prefix)
        if shell is None or shell.tasks_path != tasks_shown or shell.units_path != units_shown:
            handle.close()
            return None
        return Sliced(handle, shell, prefix, data_dir)
    except Exception:  # a damaged or foreign entry is a miss, never an error
        handle.close()
        return None


def _read_shell(handle: io.BufferedReader, head: bytes, prefix: bytes) -> Dataset | None:
    """The plan without its tasks, after checking the header is `head`."""
    start = handle.read(len(_MAGIC) + 8)
    if not start.startswith(_MAGIC) or int.from_bytes(start[-8:], "little") != len(head):
        return None
    if handle.read(len(head)) != head:
        return None
    with collector.paused():
        _, shell, resolved, days = _load(prefix, handle)
    if not isinstance(shell, Dataset):
        return None
    deadlines.remember(resolved)
    workdays.remember(days)
    return shell


def _replace(entry: Path, fill: Callable[[IO[bytes]], None]) -> None:
    """Write a new entry beside the old one and rename it over: a reader sees one or the
    other. Written as it is pickled, never held whole in memory; private to the user."""
    import tempfile  # only a write needs it (1 ms of a warm run's start-up)

    fd, tmp = tempfile.mkstemp(prefix=f".{entry.name}.", suffix=".tmp", dir=entry.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
        os.replace(tmp, entry)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.cache"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        for gone in (old, old.with_suffix(".stat")):
            with contextlib.suppress(OSError):
                gone.unlink()
