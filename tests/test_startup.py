"""Start-up: a command imports only what it needs (timing lives in benchmarks/, not here)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import DATA, ROOT

HEAVY = [
    "jinja2",
    "openpyxl",
    "docx",
    "icalendar",
    "pydantic",
    "gkctl.views.report",
    "gkctl.core.plandiff",
    "gkctl.store.edit",
    "gkctl.exchange",
    "rich.markdown",
]
PROBE = """
import json, sys
from gkctl.cli.app import main
sys.argv = ["gkctl", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_after(args: list[str], cache: Path) -> set[str]:
    env = {**os.environ, "GKCTL_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_due_imports_only_what_it_needs(tmp_path: Path) -> None:
    args = ["due", "--unit", "区经委", "--as-of", "2024-10-15", "--data", str(DATA)]
    cold = _modules_after(args, tmp_path)
    assert not [m for m in HEAVY if m in cold]
    assert "gkctl.cli.commands.exchange" not in cold and "gkctl.cli.commands.report" not in cold
    assert "gkctl.cli.clizh" not in cold  # Chinese click messages: only for help and errors
    assert "gkctl.core.stats" not in cold  # the 督办 statistics are `gkctl stats`' own
    warm = _modules_after(args, tmp_path)
    assert not [m for m in HEAVY if m in warm]
    # Served from the cache: no YAML parsing, no holiday calendar.
    assert (
        "yaml" not in warm and "chinese_calendar" not in warm and "gkctl.store.loader" not in warm
    )


def test_help_does_not_load_rich_help(tmp_path: Path) -> None:
    loaded = _modules_after(["--help"], tmp_path)
    assert "typer.rich_utils" not in loaded and "rich.markdown" not in loaded
    assert "yaml" not in loaded


def test_report_loads_jinja_only_for_itself(tmp_path: Path) -> None:
    loaded = _modules_after(["report", "--as-of", "2024-10-15", "--data", str(DATA)], tmp_path)
    assert "jinja2" in loaded
    assert "openpyxl" not in loaded and "icalendar" not in loaded


def _gkctl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gkctl", *args], capture_output=True, text=True, check=False, cwd=cwd
    )


def test_main_help_before_a_command_lists_every_command() -> None:
    result = _gkctl("-h", "due")
    assert result.returncode == 0
    assert result.stdout.startswith("用法：gkctl [选项] 命令")
    for name in ("validate", "due", "list", "report", "diff", "import"):
        assert f"  {name} " in result.stdout


def test_main_builds_the_named_command() -> None:
    result = _gkctl("due", "--unit", "区经委", "--as-of", "2024-10-15", "--data", str(DATA))
    assert result.returncode == 0
    assert result.stdout.startswith("区经委 · 截至 2024年10月15日")


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gkctl",
            "list",
            "--as-of",
            "2024-10-15",
            "--format",
            "json",
            "--data",
            str(DATA),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # like `| head -c 10`
    err = proc.stderr.read().decode("utf-8")
    proc.wait()
    assert "Traceback" not in err and "Broken pipe" not in err


def _run(code: str, *args: str, cache: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GKCTL_CACHE_DIR": str(cache), "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, check=False
    )


def test_the_entry_point_ends_without_teardown_and_loses_no_output(tmp_path: Path) -> None:
    # run() ends the process with os._exit once the command is done: the whole output is
    # written (several times the pipe's buffer), stderr too, and the exit code is the
    # command's.
    args = ["list", "--format", "json", "--as-of", "2024-10-15", "--data", str(DATA)]
    hard = "import sys; from gkctl.cli.app import run; sys.argv = ['gkctl', *sys.argv[1:]]; run()"
    soft = hard.replace("run()", "main()").replace("import run", "import main")
    fast, slow = _run(hard, *args, cache=tmp_path), _run(soft, *args, cache=tmp_path)
    assert fast.returncode == slow.returncode == 0
    assert fast.stdout == slow.stdout and len(fast.stdout) > 60_000
    assert json.loads(fast.stdout)["tasks"]
    failing = ["due", "--as-of", "2024-10-15", "--fail-on", "overdue", "--data", str(DATA)]
    late, later = _run(hard, *failing, cache=tmp_path), _run(soft, *failing, cache=tmp_path)
    assert late.returncode == later.returncode == 1 and "逾期" in late.stdout.decode()
    assert late.stdout == later.stdout and late.stderr == later.stderr
    bad = _run(hard, "due", "--unit", "不存在的单位", "--data", str(DATA), cache=tmp_path)
    assert bad.returncode == 2 and "未知单位" in bad.stderr.decode()


def test_exit_handlers_still_run(tmp_path: Path) -> None:
    # Whoever registered an exit handler (coverage, a profiler) gets the normal exit.
    code = (
        "import atexit, sys; atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "from gkctl.cli.app import run; sys.argv = ['gkctl', 'units', '--data', sys.argv[1]]\n"
        "run()"
    )
    done = _run(code, str(DATA), cache=tmp_path)
    assert done.returncode == 0 and b"handler ran" in done.stderr and done.stdout


def test_a_profiled_run_still_prints_its_profile(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-m", "gkctl", "units", "--data", str(DATA)],
        env={**os.environ, "GKCTL_CACHE_DIR": str(tmp_path), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "function calls" in done.stdout and "区经委" in done.stdout


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh to start gkctl with fd 1 closed")
def test_a_closed_stdout_or_stderr_keeps_the_exit_code(tmp_path: Path) -> None:
    # Started with fd 1 or 2 closed (cron, `>&-`), Python has no sys.stdout or sys.stderr:
    # the hard exit must still end with the command's own code, without a traceback.
    env = {**os.environ, "GKCTL_CACHE_DIR": str(tmp_path / "c"), "NO_COLOR": "1"}
    report = [sys.executable, "-m", "gkctl", "report", "--as-of", "2024-10-15"]
    report += ["--data", str(DATA), "-o", str(tmp_path / "r.md")]
    for closed in (">&-", "2>&-"):
        done = subprocess.run(
            ["sh", "-c", f'"$@" {closed}', "sh", *report], env=env, capture_output=True
        )
        assert done.returncode == 0, (closed, done.stderr.decode())
        assert b"Traceback" not in done.stderr + done.stdout
        assert (tmp_path / "r.md").stat().st_size > 1000
    missing = [sys.executable, "-m", "gkctl", "due", "--data", str(tmp_path / "nowhere")]
    done = subprocess.run(["sh", "-c", '"$@" 2>&-', "sh", *missing], env=env, capture_output=True)
    assert done.returncode == 2


# Python's default error handler for a standard stream: strict here, surrogateescape on
# Windows (always, CPython's config_get_stdio_errors) and in the C locale.
@pytest.mark.parametrize("default_errors", ["", ":surrogateescape"])
def test_a_console_that_cannot_carry_a_character_gets_no_traceback(
    data_copy: Path, default_errors: str
) -> None:
    # A Chinese Windows console or a redirected cp936 stream is GBK, which has no 𠮷
    # (U+20BB7, outside the BMP): stdout shows ? for it, stderr an escape (issue 26, item 3).
    tasks = data_copy / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("公开", "公开𠮷"), encoding="utf-8")
    encoding = "gbk" + default_errors
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    gkctl = [sys.executable, "-m", "gkctl"]
    due = [*gkctl, "due", "--unit", "区经委", "--as-of", "2024-10-15", "--data", str(data_copy)]
    done = subprocess.run(due, env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    out = done.stdout.decode("gbk")  # strict: every byte is GBK
    assert "公开??" in out and "已逾期（1）" in out
    # 𠮷 took two columns in the layout, so it is ?? : every row of the table keeps its
    # borders in line (one ? left the row a column short, its borders out of line).
    rows = [line for line in out.splitlines() if "|" in line]
    assert len(rows) > 20 and any("公开??" in row for row in rows)
    assert len({cell_len(row[: row.rindex("|")]) for row in rows}) == 1
    assert b"Traceback" not in done.stdout + done.stderr
    unknown = [*gkctl, "show", "2", "--unit", "区𠮷委", "--data", str(data_copy)]
    done = subprocess.run(unknown, env=env, capture_output=True, check=False)
    assert done.returncode == 2
    assert done.stderr.decode("gbk").startswith("未知单位“区\\U00020bb7委”。")
    # A handler the user chose is kept.
    env["PYTHONIOENCODING"] = "gbk:xmlcharrefreplace"
    done = subprocess.run(due, env=env, capture_output=True, check=False)
    assert "公开&#134071;" in done.stdout.decode("gbk")
