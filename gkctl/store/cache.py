"""A parsed-plan cache, keyed on the exact bytes of the data files.

Reading a 10,000-task plan costs about a second of YAML parsing and checking; commands
that only read the plan (due, list, show, report …) are run again and again on the same
files. The cache keeps, per data folder, the checked Dataset together with the very bytes
of tasks.yaml and units.yaml it was made from; an entry is used only when both files are
byte-for-byte what it holds (and gkctl and Python are the same versions), so an edit,
however small, is always seen. Only valid data is cached: invalid data is checked afresh
every time and reported.

The entry also keeps the resolved deadlines and last working days, which are pure functions
of the data, so that a warm run neither compiles the deadline grammar nor loads the
holiday calendar.

Where: $GKCTL_CACHE_DIR, else $XDG_CACHE_HOME/gkctl, else ~/.cache/gkctl. GKCTL_NO_CACHE=1
turns it off. A cache that cannot be read or written is ignored, never an error: the plan
is then loaded the slow way.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import Any

from gkctl import __version__
from gkctl.core import deadlines, workdays
from gkctl.core.errors import DataError
from gkctl.core.model import Dataset
from gkctl.store import paths

ENV_DIR = "GKCTL_CACHE_DIR"
ENV_OFF = "GKCTL_NO_CACHE"
KEEP = 16  # entries kept; the oldest go when a new one is written
_MAGIC = b"gkctl-cache-5\n"


def cache_dir() -> Path | None:
    if os.environ.get(ENV_OFF):
        return None
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except RuntimeError:  # no HOME and no passwd entry (some containers): no cache
        return None
    return Path(base) / "gkctl"


def header(tasks_shown: str, units_shown: str) -> bytes:
    """What besides the bytes must match: versions, the code, and the paths messages print."""
    parts = (__version__, sys.version, _code_stamp(), _holidays_stamp(), tasks_shown, units_shown)
    return "\0".join(parts).encode("utf-8")


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
    """One entry per data folder. A clash of two folders' names only makes a miss: the
    entry is used only when the bytes it holds are the bytes on disk."""
    where = str(data_dir.resolve()).encode("utf-8")
    return f"{zlib.crc32(where):08x}-{zlib.adler32(where):08x}.cache"


def load(data_dir: Path) -> Dataset:
    """The checked dataset of `data_dir`, from the cache where its bytes were seen before."""
    tasks_path, units_path = data_dir / paths.TASKS_FILE, data_dir / paths.UNITS_FILE
    try:
        tasks_raw, units_raw = tasks_path.read_bytes(), units_path.read_bytes()
    except OSError:
        from gkctl.store import loader

        return loader.load(data_dir)  # reports the missing or unreadable file
    tasks_shown, units_shown = paths.shown(tasks_path), paths.shown(units_path)
    head = header(tasks_shown, units_shown)
    folder = cache_dir()
    entry = folder / entry_name(data_dir) if folder else None
    if entry is not None:
        cached = _read(entry, head, tasks_raw, units_raw)
        if cached is not None:
            return cached
    from gkctl.store import loader

    dataset, problems = loader.check_bytes(tasks_raw, units_raw, tasks_shown, units_shown)
    if problems or dataset is None:
        raise DataError(problems)
    if entry is not None:
        _write(entry, head, tasks_raw, units_raw, dataset)
    return dataset


def _frame(*parts: bytes) -> bytes:
    return b"".join(len(p).to_bytes(8, "little") + p for p in parts)


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


def _read(entry: Path, head: bytes, tasks_raw: bytes, units_raw: bytes) -> Dataset | None:
    if not _trusted(entry):
        return None
    try:
        raw = entry.read_bytes()
    except OSError:
        return None
    if not raw.startswith(_MAGIC):
        return None
    # Four length-prefixed parts: header, tasks bytes, units bytes, pickle. Slices of bytes
    # compare with memcmp (a memoryview compares item by item, 40 ms for 9 MB).
    parts: list[bytes] = []
    at = len(_MAGIC)
    for _ in range(4):
        size = int.from_bytes(raw[at : at + 8], "little")
        if size > len(raw) - at - 8:
            return None
        parts.append(raw[at + 8 : at + 8 + size])
        at += 8 + size
    if parts[0] != head or parts[1] != tasks_raw or parts[2] != units_raw:
        return None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # bulk object creation, see loader.check_bytes
    try:
        stored: Any = pickle.loads(parts[3])
    except Exception:  # a damaged or foreign entry is a miss, never an error
        return None
    finally:
        if gc_was_enabled:
            gc.enable()
    if not (isinstance(stored, tuple) and len(stored) == 3 and isinstance(stored[0], Dataset)):
        return None
    dataset: Dataset = stored[0]
    deadlines.remember(stored[1])
    workdays.remember(stored[2])
    return dataset


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


def _write(entry: Path, head: bytes, tasks_raw: bytes, units_raw: bytes, dataset: Dataset) -> None:
    from gkctl.store import atomic

    with contextlib.suppress(Exception):  # a read-only or full disk only loses speed
        payload = pickle.dumps((dataset, *_memo(dataset)), protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted_folder(entry.parent):
            return  # a folder others may write to is never used (see _trusted)
        atomic.write_bytes(
            entry, _MAGIC + _frame(head, tasks_raw, units_raw, payload), durable=False
        )
        _prune(entry.parent)


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.cache"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
