"""Finding the data and gkctl.toml: --data, GKCTL_DATA, gkctl.toml, data/ found upwards."""

import re
import shutil
from pathlib import Path

import pytest

from gkctl.core.errors import UsageError
from gkctl.store import paths
from tests.conftest import DATA


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A plan repository: .git at the root, the data in data/, a nested folder."""
    root = tmp_path / "plans"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(DATA, root / "data")
    (root / "docs" / "notes").mkdir(parents=True)
    return root


def _choose(start: Path, option: Path | None = None, env: str | None = None) -> paths.DataChoice:
    return paths.choose_data_dir(option, env, start, paths.find_config(start))


@pytest.mark.parametrize("where", [".", "data", "docs", "docs/notes"])
def test_walks_up_to_the_repository_root(repo: Path, where: str) -> None:
    chosen = _choose(repo / where)
    assert chosen.path == repo / "data"
    assert chosen.how == ("默认" if where == "." else "向上查找")


def test_stops_at_the_repository_root(tmp_path: Path, repo: Path, monkeypatch) -> None:
    # A data/ above the repository is another project's, never used.
    inner = repo / "docs" / "sub"
    (inner / ".git").mkdir(parents=True)
    monkeypatch.chdir(inner)
    assert _choose(inner).path == Path("data")
    # Said with the system's separator (data\\tasks.yaml on Windows).
    with pytest.raises(
        UsageError, match=f"找不到数据文件 {re.escape(str(Path('data/tasks.yaml')))}"
    ):
        paths.find_data_dir(None, None, inner, None)


def test_outside_a_repository_only_the_working_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "below").mkdir()
    assert _choose(tmp_path).path == tmp_path / "data"
    assert _choose(tmp_path / "below").path == Path("data")


def test_order_option_env_config_walk(repo: Path) -> None:
    other = repo / "plans-2025"
    shutil.copytree(DATA, other)
    (repo / "gkctl.toml").write_text('data = "plans-2025"\n', encoding="utf-8")
    start = repo / "docs"
    assert _choose(start) == paths.DataChoice(other, f"{repo / 'gkctl.toml'} 中的 data")
    assert _choose(start, env="elsewhere") == paths.DataChoice(
        Path("elsewhere"), "环境变量 GKCTL_DATA"
    )
    assert _choose(start, option=Path("x"), env="elsewhere") == paths.DataChoice(
        Path("x"), "--data"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('unit = "经委"\nwithn = 14\n', "gkctl.toml：未知的设置“withn”，可用的设置：data（"),
        ('unit = "经委\n', "gkctl.toml:1:11：不是有效的 TOML，请检查这一行的写法。"),
        ('within = "14"\n', "gkctl.toml：within 应为 0 到 3660 之间的整数（天），如 within = 14。"),
        ("within = true\n", "gkctl.toml：within 应为 0 到 3660 之间的整数"),
        ("within = -1\n", "gkctl.toml：within 应为 0 到 3660 之间的整数"),
        ("unit = 3\n", 'gkctl.toml：unit 应为单位名称（文字），如 unit = "区经委"。'),
        ('data = ""\n', "gkctl.toml：data 应为目录路径（文字）"),
        # TOML reads these as 14; a number of days is written in decimal, as ids are
        # (issue 22, item 21).
        (
            'unit = "经委"\nwithin = 0x0E # 两周\n',
            "gkctl.toml:2:10：within 应写作十进制整数（天），如 within = 14，这里是“0x0E”。",
        ),
        (
            "  within=+14\n",
            "gkctl.toml:1:10：within 应写作十进制整数（天），如 within = 14，这里是“+14”。",
        ),
        (
            "within = 1_4\n",
            "gkctl.toml:1:10：within 应写作十进制整数（天），如 within = 14，这里是“1_4”。",
        ),
        # tomllib recurses into nested arrays (issue 22, item 7).
        (
            "x = " + "[" * 5000 + "]" * 5000 + "\n",
            "gkctl.toml：不是有效的设置文件（数组或内联表嵌套过深），请检查写法。",
        ),
        (
            "x = " + "{a=" * 5000 + "1" + "}" * 5000 + "\n",
            "gkctl.toml：不是有效的设置文件（数组或内联表嵌套过深），请检查写法。",
        ),
    ],
)
def test_bad_config_is_a_usage_error(repo: Path, text: str, message: str) -> None:
    (repo / "gkctl.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        paths.find_config(repo / "docs")
    assert message in info.value.message


# --- through the command line -------------------------------------------------------------


def test_due_from_inside_the_data_folder(gk, repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo / "data")
    result = gk("due", "--unit", "经委", "--as-of", "2024-10-15", data=None)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("区经委 · 截至 2024年10月15日 · 临期窗口 30 天\n")


def test_config_defaults_and_overrides(gk, repo: Path, monkeypatch) -> None:
    (repo / "gkctl.toml").write_text('unit = "经委"\nwithin = 14\n', encoding="utf-8")
    monkeypatch.chdir(repo / "docs")
    due = gk("due", "--as-of", "2024-10-15", data=None)
    assert due.stdout.startswith("区经委 · 截至 2024年10月15日 · 临期窗口 14 天\n")
    # Options on the command line win; --unit "" is every unit again.
    other = gk("due", "-u", "区政府办公室", "--within", "30", "--as-of", "2024-10-15", data=None)
    assert other.stdout.startswith("区政府办公室 · 截至 2024年10月15日 · 临期窗口 30 天\n")
    every = gk("due", "--unit", "", "--as-of", "2024-10-15", data=None)
    assert every.stdout.startswith("各单位任务情况 · 截至 2024年10月15日\n")
    listed = gk("list", "--format", "json", "--as-of", "2024-10-15", data=None)
    assert '"unit": "区经委"' in listed.stdout
    report = gk("report", "-t", "unit", "--as-of", "2024-10-15", data=None)
    assert report.stdout.startswith("# 区经委 任务清单\n")
    assert "临期窗口 14 天" in report.stdout.splitlines()[2]
    # The summary report takes no unit from the file.
    summary = gk("report", "--as-of", "2024-10-15", data=None)
    assert summary.stdout.startswith("# 关于2024年金山区政务公开工作要点 落实情况的通报\n")


def test_validate_says_what_it_used(gk, repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo / "data")
    plain = gk("validate", data=None)
    assert plain.stdout.endswith("数据目录 .（向上查找），没有 gkctl.toml。\n")
    (repo / "gkctl.toml").write_text("within = 14\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    configured = gk("validate", data=None)
    assert configured.stdout.endswith("数据目录 data（默认），配置 gkctl.toml。\n")
    (repo / "data" / "tasks.yaml").write_text("tasks: [\n", encoding="utf-8")
    broken = gk("validate", data=None)
    assert broken.exit_code == 1
    assert broken.stderr.endswith("数据目录 data（默认），配置 gkctl.toml。\n")


def test_config_with_a_bom_is_read_as_tasks_yaml_is(repo: Path) -> None:
    # Notepad saves UTF-8 with a BOM (issue 22, item 21).
    (repo / "gkctl.toml").write_bytes(b"\xef\xbb\xbf" + 'unit = "经委"\nwithin = 14\n'.encode())
    config = paths.find_config(repo / "docs")
    assert config is not None
    assert (config.unit, config.within) == ("经委", 14)


def test_deeply_nested_config_fails_every_command_with_exit_2(gk, repo: Path, monkeypatch) -> None:
    (repo / "gkctl.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    for args in (("validate",), ("due", "--as-of", "2024-10-15")):
        result = gk(*args, data=None)
        assert result.exit_code == 2
        assert result.stderr == (
            "gkctl.toml：不是有效的设置文件（数组或内联表嵌套过深），请检查写法。\n"
        )


def test_bad_config_fails_every_command_cleanly(gk, repo: Path, monkeypatch) -> None:
    (repo / "gkctl.toml").write_text("within = 'x'\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    result = gk("due", data=None)
    assert result.exit_code == 2
    assert result.stderr == "gkctl.toml：within 应为 0 到 3660 之间的整数（天），如 within = 14。\n"
