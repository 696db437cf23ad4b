"""A parsed-plan cache keyed on the bytes of the data files.

Reading a 10,000-task plan costs about a second of YAML parsing and checking; commands
that only read the plan (due, list, show, report …) are run again and again on the same
files. The cache stores the checked Dataset under a key made of gkctl's version, the
Python version, the paths as shown in messages, and a SHA-256 of both files' bytes: an edit
to either file, however small, is a different key, so a stale plan is never served. Only
valid data is cached; invalid data is checked afresh every time and reported.

Where: $GKCTL_CACHE_DIR, else $XDG_CACHE_HOME/gkctl, else ~/.cache/gkctl. GKCTL_NO_CACHE=1
turns it off. A cache that cannot be read or written is ignored, never an error: the plan
is then loaded the slow way.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import sys
from pathlib import Path

from gkctl import __version__
from gkctl.errors import DataError
from gkctl.model import Dataset

ENV_DIR = "GKCTL_CACHE_DIR"
ENV_OFF = "GKCTL_NO_CACHE"
KEEP = 16  # entries kept; older ones are removed when a new one is written
_MAGIC = b"gkctl-cache-1\n"


def cache_dir() -> Path | None:
    if os.environ.get(ENV_OFF):
        return None
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gkctl"


def key(tasks_raw: bytes, units_raw: bytes, tasks_shown: str, units_shown: str) -> str:
    digest = hashlib.sha256()
    for part in (__version__, sys.version, tasks_shown, units_shown):
        digest.update(part.encode("utf-8") + b"\0")
    for raw in (tasks_raw, units_raw):
        digest.update(len(raw).to_bytes(8, "little"))
        digest.update(raw)
    return digest.hexdigest()


def load(data_dir: Path) -> Dataset:
    """The checked dataset of `data_dir`, from the cache where its bytes were seen before."""
    from gkctl import loader

    tasks_path, units_path = data_dir / loader.TASKS_FILE, data_dir / loader.UNITS_FILE
    try:
        tasks_raw, units_raw = tasks_path.read_bytes(), units_path.read_bytes()
    except OSError:
        return loader.load(data_dir)  # reports the missing or unreadable file
    tasks_shown, units_shown = loader.shown(tasks_path), loader.shown(units_path)
    folder = cache_dir()
    entry = (
        folder / f"{key(tasks_raw, units_raw, tasks_shown, units_shown)}.pickle" if folder else None
    )
    if entry is not None:
        cached = _read(entry)
        if cached is not None:
            return cached
    dataset, problems = loader.check_bytes(tasks_raw, units_raw, tasks_shown, units_shown)
    if problems or dataset is None:
        raise DataError(problems)
    if entry is not None:
        _write(entry, dataset)
    return dataset


def _read(entry: Path) -> Dataset | None:
    try:
        raw = entry.read_bytes()
    except OSError:
        return None
    if not raw.startswith(_MAGIC):
        return None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # see loader.check_bytes: bulk object creation
    try:
        dataset = pickle.loads(raw[len(_MAGIC) :])
    except Exception:  # a damaged or foreign entry is a miss, never an error
        return None
    finally:
        if gc_was_enabled:
            gc.enable()
    return dataset if isinstance(dataset, Dataset) else None


def _write(entry: Path, dataset: Dataset) -> None:
    from gkctl import atomic

    with contextlib.suppress(Exception):  # a read-only or full disk only loses speed
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic.write_bytes(entry, _MAGIC + pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL))
        _prune(entry.parent)


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
