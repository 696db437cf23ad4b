"""The parsed-plan cache: keyed on the bytes, so an edit is always seen."""

import json
from pathlib import Path

from gkctl import cache


def _due_soon_ids(gk, data: Path) -> list[int]:
    result = gk("due", "--unit", "区经委", "--as-of", "2024-10-15", "--format", "json", data=data)
    assert result.exit_code == 0, result.stderr
    return [t["id"] for t in json.loads(result.stdout)["tasks"] if t["status"] == "due_soon"]


def test_edit_is_seen(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]  # served from the cache
    tasks = data_copy / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    # Move task 31 from 10月底前 to 12月底前: one byte of difference in the file.
    marker = "units: [区经委, 各相关部门]\n    deadline: 10月底前"
    assert text.count(marker) == 1
    tasks.write_text(text.replace(marker, marker.replace("10月", "12月")), encoding="utf-8")
    assert _due_soon_ids(gk, data_copy) == [72, 73]
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 2


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
    assert not list((tmp_path / "cache").glob("*.pickle"))


def test_damaged_entry_is_a_miss(gk, data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(folder))
    assert _due_soon_ids(gk, data_copy) == [31, 72, 73]
    (entry,) = folder.glob("*.pickle")
    entry.write_bytes(b"gkctl-cache-1\nnot a pickle")
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


def test_key_depends_on_every_byte() -> None:
    base = cache.key(b"a: 1\n", b"units: []\n", "data/tasks.yaml", "data/units.yaml")
    assert base != cache.key(b"a: 2\n", b"units: []\n", "data/tasks.yaml", "data/units.yaml")
    assert base != cache.key(b"a: 1\n", b"units: [] \n", "data/tasks.yaml", "data/units.yaml")
    assert base != cache.key(b"a: 1\n", b"units: []\n", "x/tasks.yaml", "data/units.yaml")
    # Moving bytes from one file to the other is a different key too.
    assert cache.key(b"ab", b"c", "t", "u") != cache.key(b"a", b"bc", "t", "u")
