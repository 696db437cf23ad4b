"""The parsed-plan cache: keyed on the bytes, so an edit is always seen."""

import json
from pathlib import Path

from gkctl.store import cache


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


def test_a_folder_others_can_write_to_is_not_trusted(
    gk, data_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(shared))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    assert not list(shared.glob("*.cache"))  # nothing written there, nothing read


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
