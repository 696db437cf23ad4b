"""The parsed-plan cache: keyed on the bytes, so an edit is always seen."""

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from gkctl.store import cache
from tests.conftest import needs_symlinks


def _due_soon_ids(gk, data: Path) -> list[int]:
    result = gk("due", "--unit", "区经委", "--as-of", "2024-10-15", "--format", "json", data=data)
    assert result.exit_code == 0, result.stderr
    return [t["id"] for t in json.loads(result.stdout)["tasks"] if t["status"] == "due_soon"]


def test_edit_is_seen(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    assert len(list((tmp_path / "cache").glob("*.cache"))) == 1
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]  # served from the cache
    tasks = data_copy / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    # Move task 31 from 10月底前 to 12月底前: one byte of difference in the file.
    marker = "units: [区经委, 各相关部门]\n    deadline: 10月底前"
    assert text.count(marker) == 1
    tasks.write_text(text.replace(marker, marker.replace("10月", "12月")), encoding="utf-8")
    assert _due_soon_ids(gk, data_copy) == [72, 73]
    # One entry per data folder: the new bytes replaced the old entry.
    assert len(list((tmp_path / "cache").glob("*.cache"))) == 1
    # Editing back is seen too (the entry now holds the edited bytes).
    tasks.write_text(text, encoding="utf-8")
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]


def test_units_edit_is_seen(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    assert gk("due", "--unit", "经委", "--as-of", "2024-10-15", data=data_copy).exit_code == 0
    units = data_copy / "units.yaml"
    units.write_text(
        units.read_text(encoding="utf-8").replace("aliases: [经委]", "aliases: [经济委]"),
        encoding="utf-8",
    )
    result = gk("due", "--unit", "经济委", "--as-of", "2024-10-15", data=data_copy)
    assert result.exit_code == 0
    assert "区经委" in result.stdout


def test_invalid_data_is_never_cached(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    tasks = data_copy / "tasks.yaml"
    tasks.write_text(
        tasks.read_text(encoding="utf-8").replace("deadline: 全年", "deadline: 尽快", 1),
        encoding="utf-8",
    )
    for _ in range(2):
        result = gk("due", "--as-of", "2024-10-15", data=data_copy)
        assert result.exit_code == 1
        assert "无法识别时间节点“尽快”" in result.stderr
    assert not list((tmp_path / "cache").glob("*.cache"))


def test_damaged_entry_is_a_miss(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(folder))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    (entry,) = folder.glob("*.cache")
    entry.write_bytes(entry.read_bytes()[:-40] + b"not a pickle at all, cut short" * 2)
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]


def test_cache_can_be_turned_off(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GKCTL_NO_CACHE", "1")
    assert cache.cache_dir() is None
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    assert not (tmp_path / "cache").exists()


def test_unwritable_cache_is_ignored(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(blocker / "cache"))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]


def test_entry_from_another_version_is_a_miss(
    gk, data_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(folder))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    assert cache.header("a", "b") != cache.header("a", "c")
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]


def test_entry_names_differ_per_folder(tmp_path: Path) -> None:
    names = {cache.entry_name(tmp_path / str(i)) for i in range(200)}
    assert len(names) == 200


def test_warm_run_needs_no_grammar_or_calendar(data_copy: Path, tmp_path: Path) -> None:
    # A second process served from the cache must not compile the deadline grammar nor
    # import the holiday calendar: that is what makes a warm run fast.
    import subprocess
    import sys

    env = {**__import__("os").environ, "GKCTL_CACHE_DIR": str(tmp_path / "c"), "NO_COLOR": "1"}
    probe = (
        "import sys; from gkctl.cli.app import main; sys.argv=['gkctl','due','--unit','区经委',"
        f"'--as-of','2024-10-15','--data',{str(data_copy)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "from gkctl.core import deadlines\n"
        "print('grammar', deadlines._grammar.cache_info().currsize, file=sys.stderr)\n"
        "print('calendar', 'chinese_calendar' in sys.modules, 'yaml' in sys.modules, file=sys.stderr)\n"
    )
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert "grammar 1" in first.stderr and "calendar True" in first.stderr
    second = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert "grammar 0" in second.stderr, second.stderr
    assert "calendar False False" in second.stderr, second.stderr
    assert second.stdout == first.stdout


def test_edited_code_is_a_miss(tmp_path: Path, monkeypatch) -> None:
    before = cache.header("t", "u")
    monkeypatch.setattr(cache, "_code_stamp", lambda: "another build")
    assert cache.header("t", "u") != before


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows keeps who may write in ACLs, not mode bits"
)
def test_a_folder_others_can_write_to_is_not_trusted(
    gk, data_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(shared))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    assert not list(shared.glob("*.cache"))  # nothing written there, nothing read


def test_the_cache_is_in_the_systems_cache_folder(monkeypatch, tmp_path: Path) -> None:
    # platformdirs: %LOCALAPPDATA%\gkctl\Cache on Windows (was ~/.cache there too),
    # ~/Library/Caches/gkctl on macOS; on Linux the XDG folder, as before.
    import platformdirs

    monkeypatch.delenv("GKCTL_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    expected = Path(platformdirs.user_cache_dir("gkctl", appauthor=False))
    assert cache.cache_dir() == expected
    if sys.platform != "win32":  # Windows asks the system for the folder, not LOCALAPPDATA
        assert expected.is_relative_to(tmp_path)
    if sys.platform == "linux":
        assert expected == tmp_path / ".cache" / "gkctl"
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache.cache_dir() == tmp_path / "xdg" / "gkctl"
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "given"))
    assert cache.cache_dir() == tmp_path / "given"


def test_no_home_means_no_cache(monkeypatch) -> None:
    monkeypatch.delenv("GKCTL_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.cache_dir() is None


def test_holiday_data_is_part_of_the_key(monkeypatch) -> None:
    before = cache.header("t", "u")
    monkeypatch.setattr(cache, "_holidays_stamp", lambda: "a newer calendar")
    assert cache.header("t", "u") != before


def _load_counting(monkeypatch) -> list[str]:
    """Record each full check of the data: a run served from the cache makes none."""
    from gkctl.store import loader

    checked: list[str] = []
    original = loader.check_bytes

    def counting(tasks_raw, units_raw, tasks_shown, units_shown):
        checked.append(tasks_shown)
        return original(tasks_raw, units_raw, tasks_shown, units_shown)

    monkeypatch.setattr(loader, "check_bytes", counting)
    return checked


def test_hit_from_any_working_directory(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    checked = _load_counting(monkeypatch)
    root = data_copy.parent
    (root / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(root)
    first = cache.load(Path("data"))
    monkeypatch.chdir(root / "sub" / "deeper")
    second = cache.load(Path("../../data"))
    monkeypatch.chdir(tmp_path.parent)
    third = cache.load(data_copy)
    assert checked == [str(Path("data/tasks.yaml"))]  # loaded once, then hit twice
    # Positions say the path as seen from where the command runs, as a fresh load would
    # (with the system's separator).
    for dataset, shown in [
        (first, "data"),
        (second, "../../data"),
        (third, str(data_copy.relative_to(tmp_path.parent))),
    ]:
        assert dataset.tasks_path == str(Path(shown, "tasks.yaml"))
        assert dataset.units_path == str(Path(shown, "units.yaml"))
        task = dataset.plan.tasks[-1]
        assert task.pos.file == str(Path(shown, "tasks.yaml"))
        assert dataset.directory.units[0].pos.file == str(Path(shown, "units.yaml"))
        assert dataset.plan == first.plan._replace(
            tasks=tuple(_moved(t, str(Path(shown, "tasks.yaml"))) for t in first.plan.tasks)
        )


def _moved(task, path: str):
    return task._replace(
        pos=task.pos._replace(file=path),
        milestones=tuple(m._replace(pos=m.pos._replace(file=path)) for m in task.milestones),
        progress=tuple(p._replace(pos=p.pos._replace(file=path)) for p in task.progress),
        extensions=tuple(e._replace(pos=e.pos._replace(file=path)) for e in task.extensions),
    )


@needs_symlinks
def test_hit_through_a_symlinked_data_folder(
    gk, data_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    checked = _load_counting(monkeypatch)
    link = tmp_path / "linked"
    link.symlink_to(data_copy, target_is_directory=True)
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    assert _due_soon_ids(gk, link) == [31, 72, 73]
    assert len(checked) == 1
    assert len(list((tmp_path / "cache").glob("*.cache"))) == 1
    # An edit made through the link is seen through the real folder, and the other way.
    tasks = link / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    marker = "units: [区经委, 各相关部门]\n    deadline: 10月底前"
    tasks.write_text(text.replace(marker, marker.replace("10月", "12月")), encoding="utf-8")
    assert _due_soon_ids(gk, data_copy) == [72, 73]
    assert _due_soon_ids(gk, link) == [72, 73]
    assert len(checked) == 2


def test_entry_holds_neither_the_files_nor_the_paths(
    gk, data_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    # Only a digest of the files is kept (a warm run need not read the entry's copy of
    # 90 MB to compare it), and no path that depends on where gkctl ran.
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    (entry,) = (tmp_path / "cache").glob("*.cache")
    raw = entry.read_bytes()
    assert str(data_copy).encode() not in raw
    assert b"deadline: 10\xe6\x9c\x88\xe5\xba\x95\xe5\x89\x8d" not in raw
    assert (data_copy / "units.yaml").read_bytes()[:200] not in raw
    assert cache.fingerprint((data_copy / "tasks.yaml").read_bytes()).encode() in raw


def test_fingerprint_sees_one_byte() -> None:
    data = bytes(range(256)) * 40000  # large enough for the other SHA-256 implementation
    small = data[:1000]
    for sample in (small, data):
        changed = bytearray(sample)
        changed[len(sample) // 2] ^= 1
        assert cache.fingerprint(sample) != cache.fingerprint(bytes(changed))
        assert cache.fingerprint(sample) != cache.fingerprint(sample + b"\n")
        assert cache.fingerprint(sample).split(":")[0] == str(len(sample))
    import hashlib

    assert cache.fingerprint(data) == f"{len(data)}:{hashlib.sha256(data).hexdigest()}"
    assert cache.fingerprint(small) == f"{len(small)}:{hashlib.sha256(small).hexdigest()}"


def test_pickled_with_the_collector_off(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    import gc

    seen: list[bool] = []
    original = cache._memo

    def watching(dataset):
        seen.append(gc.isenabled())
        return original(dataset)

    monkeypatch.setattr(cache, "_memo", watching)
    assert gc.isenabled()
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    assert seen == [False]
    assert gc.isenabled()


def test_plan_in_slices_reads_back_whole(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    # Large plans are pickled a slice of tasks at a time; 75 tasks by 7 make eleven slices,
    # the last one short.
    from gkctl.store import loader

    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_TASKS_PER_PICKLE", 7)
    checked = _load_counting(monkeypatch)
    fresh, problems = loader.check(data_copy)
    assert not problems
    written = cache.load(data_copy)
    read = cache.load(data_copy)
    assert len(checked) == 2  # loader.check above, then the miss; the last load hit
    assert read == written == fresh
    assert [t.id for t in read.plan.tasks] == list(range(1, 76))
    # A slice missing from the end is a miss, not a shorter plan. Each pickle starts with
    # PROTO 5: the plan without its tasks, then eleven slices (then what Sliced reads).
    (entry,) = (tmp_path / "cache").glob("*.cache")
    raw = entry.read_bytes()
    starts = [m.start() for m in re.finditer(b"\x80\x05", raw)]
    entry.write_bytes(raw[: starts[11]])
    assert cache.load(data_copy) == fresh
    assert len(checked) == 3


# The fingerprints from the record of each file's stat (cache._Seen, as git's index): a warm
# run reads no byte of files that have not changed, and every way of changing one is seen.
MARKER = "units: [区经委, 各相关部门]\n    deadline: 10月底前"


def _deadline_31(data: Path) -> str:
    return next(t.deadline for t in cache.load(data).plan.tasks if t.id == 31)


def _counting_hashes(monkeypatch) -> list[Path]:
    hashed: list[Path] = []
    real = cache._file_fingerprint

    def counting(path: Path):  # type: ignore[no-untyped-def]
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(cache, "_file_fingerprint", counting)
    return hashed


def _edit_in_place(tasks: Path, keep_mtime: bool, back: bool = False) -> None:
    """10月底前 → 12月底前 for task 31 (or `back`): the same size; with the old mtime put
    back (as `touch -d` would) when asked."""
    before = tasks.stat()
    text = tasks.read_text(encoding="utf-8")
    old, new = MARKER, MARKER.replace("10月", "12月")
    if back:
        old, new = new, old
    assert text.count(old) == 1
    with open(tasks, "r+b") as handle:  # the same inode, written in place
        handle.write(text.replace(old, new).encode("utf-8"))
    assert tasks.stat().st_size == before.st_size
    if keep_mtime:
        os.utime(tasks, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert tasks.stat().st_mtime_ns == before.st_mtime_ns


def _trusted_record(data: Path, monkeypatch, tmp_path: Path) -> list[Path]:
    """A cache entry and a record for `data` that the next run trusts: the racy window
    shrunk to nothing, so that files written a moment ago count as old."""
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_RACY_NS", 0)
    assert _deadline_31(data) == "10月底前"  # writes the entry
    assert _deadline_31(data) == "10月底前"  # hashes, writes the record
    hashed = _counting_hashes(monkeypatch)
    assert _deadline_31(data) == "10月底前"
    assert hashed == []  # the record was trusted: no byte read
    return hashed


def test_warm_run_hashes_nothing(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    _trusted_record(data_copy, monkeypatch, tmp_path)
    # The record, next to the entry, holds the fingerprint the entry is keyed on.
    (record,) = (tmp_path / "cache").glob("*.stat")
    printed = cache.fingerprint((data_copy / "tasks.yaml").read_bytes())
    assert printed in record.read_text(encoding="ascii")
    assert cache.open_slices(data_copy) is not None  # the view of a unit hits as well


def test_default_window_hashes_a_file_just_written(
    data_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("tasks.yaml", "units.yaml"):  # written now (a copy keeps the old mtime)
        os.utime(data_copy / name)
    for _ in range(2):
        assert _deadline_31(data_copy) == "10月底前"
    hashed = _counting_hashes(monkeypatch)
    assert _deadline_31(data_copy) == "10月底前"
    # Written less than _RACY_NS ago: not trusted, read again.
    assert {p.name for p in hashed} == {"tasks.yaml", "units.yaml"}


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows: st_ctime is the creation time, which a write does not move (README, Windows)",
)
def test_same_size_edit_with_mtime_put_back_is_seen(
    data_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    hashed = _trusted_record(data_copy, monkeypatch, tmp_path)
    _edit_in_place(data_copy / "tasks.yaml", keep_mtime=True)
    assert _deadline_31(data_copy) == "12月底前"  # st_ctime moved
    assert data_copy / "tasks.yaml" in hashed


def test_file_renamed_over_is_seen(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    hashed = _trusted_record(data_copy, monkeypatch, tmp_path)
    tasks = data_copy / "tasks.yaml"
    before = tasks.stat()
    new = data_copy / "tasks.yaml.new"
    # Bytes, not write_text: on Windows that would write \r\n line ends, another size.
    new.write_bytes(
        tasks.read_text(encoding="utf-8")
        .replace(MARKER, MARKER.replace("10月", "12月"))
        .encode("utf-8")
    )
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(new, tasks)  # as editors and gkctl's own writes do
    assert tasks.stat().st_size == before.st_size
    assert _deadline_31(data_copy) == "12月底前"
    assert tasks in hashed


def test_copy_elsewhere_is_read_for_itself(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    hashed = _trusted_record(data_copy, monkeypatch, tmp_path)
    other = tmp_path / "elsewhere" / "data"
    shutil.copytree(data_copy, other)  # copy2: the same mtimes
    _edit_in_place(other / "tasks.yaml", keep_mtime=True)
    assert _deadline_31(other) == "12月底前"
    assert other / "tasks.yaml" in hashed
    assert _deadline_31(data_copy) == "10月底前"


def test_edit_in_the_same_tick_is_seen(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    """A write in the same tick of the file system's clock leaves all five the same (a FAT
    disk keeps 2 s ticks): simulated here by a clock that does not move. The record made
    when the file was read is then within the racy window, so the file is hashed again."""
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    tick = time.time_ns()

    def frozen(info: os.stat_result) -> tuple[int, ...]:
        return (info.st_dev, info.st_ino, info.st_size, tick, tick)

    monkeypatch.setattr(cache, "_stat_key", frozen)
    for _ in range(3):
        assert _deadline_31(data_copy) == "10月底前"
    _edit_in_place(data_copy / "tasks.yaml", keep_mtime=False)
    assert _deadline_31(data_copy) == "12月底前"
    # The window is what makes this exact: without it the old fingerprint would be trusted.
    monkeypatch.setattr(cache, "_RACY_NS", 0)
    assert _deadline_31(data_copy) == "12月底前"  # records the edited bytes, trusted now
    _edit_in_place(data_copy / "tasks.yaml", keep_mtime=False, back=True)  # the same tick
    assert _deadline_31(data_copy) == "12月底前"  # stale: what the window prevents


def test_damaged_record_is_ignored(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    _trusted_record(data_copy, monkeypatch, tmp_path)
    (record,) = (tmp_path / "cache").glob("*.stat")
    for damage in ("", "gkctl-stat-1\n1 2 x\n", "other\n", "gkctl-stat-1\n1 2 3\n"):
        record.write_text(damage, encoding="ascii")
        assert _deadline_31(data_copy) == "10月底前"
