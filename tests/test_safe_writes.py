"""Nothing lost: writes go through symbolic links, refuse hard links and read-only files,
write FIFOs and devices in place, never replace a hand edit saved meanwhile, and clean up
after a killed writer (issue 12, items 1-4); say so when an editor saving in place races
the rename (issue 22, item 5)."""

import errno
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gkctl.core.errors import GkctlError
from gkctl.core.model import ProgressStatus
from gkctl.store import atomic, edit, loader, writes
from tests.conftest import needs_symlinks

ROOT = Path(__file__).resolve().parent.parent
TODAY = {"GKCTL_TODAY": "2024-10-20"}
ADD = ["progress", "add", "28", "-u", "区经委", "-s", "doing", "--date", "2024-10-15"]

Run = Callable[..., Any]


def notes(data: Path, task_id: int = 28) -> list[str]:
    task = loader.load(data).plan.task(task_id)
    assert task is not None
    return [p.note for p in task.progress]


# --- item 1: the data file behind a link, hard links, read-only files --------------------------


@needs_symlinks
def test_a_symlinked_tasks_file_is_written_through_the_link(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (data_copy / "tasks.yaml").rename(shared / "tasks.yaml")
    (data_copy / "tasks.yaml").symlink_to(Path("..") / "shared" / "tasks.yaml")
    before = (shared / "tasks.yaml").read_bytes()
    monkeypatch.chdir(tmp_path)
    result = gk(*ADD, data=Path("data"), env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert "）：shared/tasks.yaml 第 253–257 行。" in result.stdout  # with its recorded day
    link = data_copy / "tasks.yaml"
    assert link.is_symlink() and os.readlink(link) == "../shared/tasks.yaml"
    after = (shared / "tasks.yaml").read_bytes()
    assert after.startswith(before[: before.index(b"id: 28")]) and len(after) > len(before)
    assert len(notes(data_copy)) == 1
    # The lock sits beside the file written, so two folders linking it queue on one lock.
    assert (shared / edit.LOCK_NAME).exists()


def test_a_hard_linked_tasks_file_is_refused(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-name.yaml"
    os.link(data_copy / "tasks.yaml", other)
    before = other.read_bytes()
    result = gk(*ADD, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert "该文件还有 1 个硬链接，替换它会使那些链接仍指向旧内容" in result.stderr
    assert other.read_bytes() == before == (data_copy / "tasks.yaml").read_bytes()
    assert os.stat(other).st_ino == os.stat(data_copy / "tasks.yaml").st_ino


def test_a_read_only_tasks_file_is_refused(gk: Run, data_copy: Path) -> None:
    path = data_copy / "tasks.yaml"
    before = path.read_bytes()
    path.chmod(0o444)
    result = gk(*ADD, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert "文件是只读的（权限 -r--r--r--）" in result.stderr
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    # A preview needs no write permission, on the file or on its folder (no lock either).
    data_copy.chmod(0o555)
    try:
        preview = gk(*ADD, "--dry-run", data=data_copy, env=TODAY)
    finally:
        data_copy.chmod(0o755)
    assert preview.exit_code == 0, preview.stderr
    assert preview.stdout.startswith("未写入（--dry-run）")


# --- item 2: -o onto links, FIFOs, devices and folders ----------------------------------------


@needs_symlinks
def test_output_through_a_symlink_replaces_the_target_not_the_link(gk: Run, tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.md"
    link.symlink_to(real)
    result = gk("report", "--as-of", "2024-10-20", "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("# ")


# What only a POSIX system has: skipped on Windows with the reason (pytest -rs lists it).
WINDOWS = sys.platform == "win32"


@pytest.mark.skipif(WINDOWS, reason="Windows has no FIFOs (os.mkfifo)")
def test_output_to_a_fifo_writes_into_it(gk: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "to-pipe"
    link.symlink_to(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = gk("ics", "--as-of", "2024-10-20", "-o", str(link))
    reader.join(10)
    assert result.exit_code == 0, result.stderr
    assert got and got[0].startswith(b"BEGIN:VCALENDAR")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and link.is_symlink()


@pytest.mark.skipif(WINDOWS, reason="Windows has no /dev/full")
def test_output_to_a_full_device_is_an_error_and_the_device_stays(gk: Run, tmp_path: Path) -> None:
    # A private copy of /dev/full where the test may make one (as root, as in CI containers):
    # code that replaced the node would otherwise replace the machine's own /dev/full.
    device = tmp_path / "full"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except (PermissionError, AttributeError):
        device = Path("/dev/full")  # not root: nobody here can replace it anyway
    if not stat.S_ISCHR(os.stat(device).st_mode):
        pytest.skip("no /dev/full here")
    result = gk("report", "--as-of", "2024-10-20", "-o", str(device))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"无法写入 {device}：磁盘空间不足。")
    assert stat.S_ISCHR(os.stat(device).st_mode)


@pytest.mark.skipif(WINDOWS, reason="Windows has no /proc/self/fd")
def test_output_to_stdout_device_writes_to_stdout(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        [sys.executable, "-m", "gkctl", "report", "--as-of", "2024-10-20", "-o", str(link)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith("# ")
    assert link.is_symlink()


def test_output_to_a_folder_is_refused(gk: Run, tmp_path: Path) -> None:
    result = gk("report", "--as-of", "2024-10-20", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"无法写入 {tmp_path}：这是一个目录，请给出文件名。\n"


# --- item 3: a hand edit saved between gkctl's read and its rename -----------------------------

EDITOR = """
import sys
from pathlib import Path
path = Path(sys.argv[1])
text = path.read_text(encoding="utf-8")
path.write_text(text.replace("document:", "# saved by hand\\ndocument:", 1), encoding="utf-8")
"""


def test_a_hand_edit_saved_during_a_write_is_kept(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process saves the file after gkctl read it and before it renames: the
    write is redone on the saved bytes, so both the hand edit and the entry are there.
    (On Windows the editor's write_text saves \\r\\n line ends, as Notepad does.)"""
    path = data_copy / "tasks.yaml"
    real_build = edit.append_item
    calls = []

    def append_then_someone_saves(text: str, *args: Any) -> edit.Edit:
        done = real_build(text, *args)
        if not calls:
            subprocess.run([sys.executable, "-c", EDITOR, str(path)], check=True)
        calls.append(1)
        return done

    monkeypatch.setattr(edit, "append_item", append_then_someone_saves)
    writes.add_progress(
        data_copy, 28, "区经委", ProgressStatus.DOING, date(2024, 10, 15), date(2024, 10, 20), "x"
    )
    text = path.read_text(encoding="utf-8")
    assert "# saved by hand\ndocument:" in text
    assert notes(data_copy) == ["x"]
    assert len(calls) == 2  # the change was made again on the saved text


def test_a_file_with_windows_line_ends_takes_a_change(data_copy: Path) -> None:
    """A tasks.yaml with \\r\\n line ends (Notepad, git's autocrlf) is written like any other:
    the last look before the rename reads the bytes gkctl read. On Windows that needs the
    file opened in binary mode: in text mode \\r\\n read as \\n and every write was refused
    as changed meanwhile (found under Wine)."""
    path = data_copy / "tasks.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    writes.add_progress(
        data_copy, 28, "区经委", ProgressStatus.DOING, date(2024, 10, 15), date(2024, 10, 20), "x"
    )
    assert notes(data_copy) == ["x"]
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")  # the new lines end as the others do


def test_a_file_that_keeps_changing_is_refused(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_copy / "tasks.yaml"
    real_build = edit.append_item

    def always_someone_saves(text: str, *args: Any) -> edit.Edit:
        done = real_build(text, *args)
        subprocess.run([sys.executable, "-c", EDITOR, str(path)], check=True)
        return done

    monkeypatch.setattr(edit, "append_item", always_someone_saves)
    with pytest.raises(GkctlError) as caught:
        writes.add_progress(
            data_copy, 28, "区经委", ProgressStatus.DOING, date(2024, 10, 15), date(2024, 10, 20)
        )
    assert "在写入期间一再被其他程序修改（5 次），未写入" in caught.value.message
    assert path.read_text(encoding="utf-8").count("# saved by hand") == 5
    assert notes(data_copy) == []


def test_atomic_write_refuses_when_the_file_is_not_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"new")
    with pytest.raises(atomic.FileChanged):
        atomic.write_bytes(path, b"mine", expect=b"old")
    assert path.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [path]


# --- item 4: a killed writer's temporary file ---------------------------------------------------


# atomic._alive: on Windows os.kill(pid, 0) would end the process, so every writer counts as
# alive there and its temporaries stay (never one of a live writer removed).
@pytest.mark.skipif(WINDOWS, reason="Windows: a writer cannot be probed, temporaries stay")
def test_stale_temporaries_of_dead_writers_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    stale = tmp_path / f".out.md.{pid}.abcd1234.tmp"
    live = tmp_path / f".out.md.{os.getppid()}.abcd1234.tmp"
    other = tmp_path / f".other.md.{pid}.abcd1234.tmp"
    for p in (stale, live, other):
        p.write_bytes(b"half")
    atomic.write_bytes(tmp_path / "out.md", b"whole")
    assert not stale.exists() and live.exists() and other.exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to read .gitignore")
@pytest.mark.parametrize(
    "name",
    [
        "data/.tasks.yaml.lock",
        "elsewhere/plan/.tasks.yaml.lock",
        "elsewhere/.tasks.yaml.123.x1y2.tmp",
        ".tasks.yaml.9.abc.tmp",
    ],
)
def test_lock_and_temporaries_are_ignored_by_git_wherever_the_data_is(name: str) -> None:
    done = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT, check=False)
    assert done.returncode == 0


def test_a_name_too_long_is_said_in_chinese(gk: Run, tmp_path: Path) -> None:
    out = tmp_path / ("x" * 300 + ".md")
    result = gk("report", "--as-of", "2024-10-20", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"无法写入 {out}：文件名过长。原有文件（如有）未改动。\n"


def test_a_path_windows_finds_too_long_is_not_called_missing(tmp_path: Path) -> None:
    """Windows (and Wine) report a name or path too long as not found (ENOENT) or invalid
    (EINVAL); the folder is there, so gkctl says the name is too long."""
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory")
    invalid = OSError(errno.EINVAL, "Invalid argument")
    long_name = tmp_path / ("x" * 300 + ".md")
    deep = tmp_path / ("d" * 100) / ("d" * 100) / ("d" * 100 + ".md")  # MAX_PATH or more
    for exc in (missing, invalid):
        assert atomic._reason(long_name, exc, "win32") == "文件名过长"
        assert atomic._reason(deep, exc, "win32") == "文件名过长"
    assert atomic._reason(tmp_path / "gone" / "x.md", missing, "win32") == "文件或目录不存在"


# --- an editor that saves in place, at the moment of the rename (issue 22, item 5) --------------

# An editor that saves in place: it holds the bytes it opened, and saving truncates the file
# and writes them back (with its own edit) into the same inode, as nano does.
IN_PLACE_EDITOR = """
import sys
from pathlib import Path
path = Path(sys.argv[1])
opened = path.read_bytes()
print("opened", flush=True)
sys.stdin.readline()  # the person presses save
with open(path, "r+b") as handle:
    handle.truncate(0)
    handle.write(opened.replace(b"document:", b"# saved by hand\\ndocument:", 1))
"""

# gkctl's `progress add` in a process of its own, whose rename is the hook: the editor has
# opened the file by then (after gkctl's last look), and saves just before the rename (into
# the file being replaced) or just after it (over what gkctl wrote).
RACED = """
import os, subprocess, sys
data, editor_code, moment = sys.argv[1], sys.argv[2], sys.argv[3]
rename = os.replace

def replace(src, dst):
    editor = subprocess.Popen(
        [sys.executable, "-c", editor_code, os.path.join(data, "tasks.yaml")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    editor.stdout.readline()
    if moment == "after":
        rename(src, dst)
    editor.communicate("save\\n", timeout=30)
    if moment == "before":
        rename(src, dst)

os.replace = replace
from gkctl.cli.app import app
app(["progress", "add", "28", "--unit", "区经委", "--status", "doing", "--note", "gkctl 的记录",
     "--date", "2024-10-15", "--data", data])
"""


@pytest.mark.parametrize(
    ("moment", "message", "kept", "lost"),
    [
        pytest.param(
            "after",
            "刚写入就被另一个程序改写了（多半是原地保存的编辑器用它打开时的内容覆盖），"
            "gkctl 刚写入的内容已不在文件中。",
            "# saved by hand",
            "gkctl 的记录",
            id="over-gkctl",
        ),
        pytest.param(
            "before",
            "在 gkctl 替换它的同一刻被另一个程序原地改写了（多半是编辑器在保存），"
            "那次保存写进了被替换掉的旧文件，没有留在文件中；gkctl 的内容已写入。",
            "gkctl 的记录",
            "# saved by hand",
            id="into-the-replaced-file",
            # atomic._open_unchanged keeps the replaced file open to see such a save; Windows
            # refuses to rename over a file held open, so there it is closed before the rename
            # and a save in between is lost unseen (README, Windows).
            marks=pytest.mark.skipif(
                WINDOWS, reason="Windows: the replaced file cannot be held open over the rename"
            ),
        ),
    ],
)
def test_an_in_place_save_racing_the_rename_is_never_a_silent_loss(
    data_copy: Path, moment: str, message: str, kept: str, lost: str
) -> None:
    """Whichever side the in-place save costs, gkctl says so (exit 1) instead of saying it
    wrote; the file holds one side whole, as the message says."""
    env = {**os.environ, "GKCTL_TODAY": "2024-10-20", "GKCTL_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", RACED, str(data_copy), IN_PLACE_EDITOR, moment],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{data_copy / 'tasks.yaml'} {message}" in done.stderr
    assert "已记录" not in done.stdout
    text = (data_copy / "tasks.yaml").read_text(encoding="utf-8")
    assert kept in text and lost not in text
    assert loader.check(data_copy)[1] == []


def test_a_write_nobody_races_is_confirmed_quietly(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"old")
    assert atomic.write_bytes(path, b"new", expect=b"old") == path
    assert path.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [path]


# An editor part-way through an in-place save: the file truncated, its text not written yet.
HALF_SAVED = """
import sys
from pathlib import Path
path = Path(sys.argv[1])
opened = path.read_bytes()
open(path, "wb").close()  # truncated: what gkctl will read
print("truncated", flush=True)
sys.stdin.readline()
path.write_bytes(opened.replace(b"document:", b"# saved by hand\\ndocument:", 1))
"""

# gkctl's `progress add`, whose first check of what it read lets the editor finish its save.
READS_HALF = """
import subprocess, sys
from gkctl.store import loader
data, editor_code = sys.argv[1], sys.argv[2]
editor = subprocess.Popen([sys.executable, "-c", editor_code, data + "/tasks.yaml"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
editor.stdout.readline()
check = loader.check_bytes

def first_check(*args):
    if editor.poll() is None:
        editor.communicate("save\\n", timeout=30)
    return check(*args)

loader.check_bytes = first_check
from gkctl.cli.app import app
app(["progress", "add", "28", "--unit", "区经委", "--status", "doing", "--note", "gkctl 的记录",
     "--date", "2024-10-15", "--data", data])
"""


def test_a_file_read_half_saved_is_read_again(data_copy: Path) -> None:
    """gkctl reads the file while an editor's in-place save has truncated it: instead of
    calling the plan empty, it reads it again once the save is done, and writes on it."""
    env = {**os.environ, "GKCTL_TODAY": "2024-10-20", "GKCTL_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", READS_HALF, str(data_copy), HALF_SAVED],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "文件为空" not in done.stderr
    text = (data_copy / "tasks.yaml").read_text(encoding="utf-8")
    assert "# saved by hand\ndocument:" in text and "note: gkctl 的记录" in text


# --- issue 22: several files written as one ------------------------------------------------------


def test_a_batch_changes_nothing_when_one_file_cannot_be_written(tmp_path: Path) -> None:
    first, locked, new = tmp_path / "a.html", tmp_path / "b.html", tmp_path / "sub" / "c.html"
    first.write_bytes(b"old a")
    locked.write_bytes(b"old b")
    locked.chmod(0o444)
    with pytest.raises(GkctlError) as caught:
        atomic.write_all([(first, b"new a"), (locked, b"new b"), (new, b"new c")])
    assert caught.value.message.startswith(f"无法写入 {locked}：文件是只读的")
    assert first.read_bytes() == b"old a" and locked.read_bytes() == b"old b"
    assert sorted(os.listdir(tmp_path)) == ["a.html", "b.html"]


@pytest.mark.skipif(WINDOWS, reason="Windows: no mode bits to keep, no writer to probe")
def test_a_batch_writes_every_file_and_cleans_up_after_dead_writers(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f".a.html.{dead.stdout.strip()}.abcd1234.tmp"
    other = tmp_path / f".z.html.{dead.stdout.strip()}.abcd1234.tmp"
    for p in (stale, other):
        p.write_bytes(b"half")
    (tmp_path / "b.html").write_bytes(b"old")
    (tmp_path / "b.html").chmod(0o640)
    done = atomic.write_all([(tmp_path / "a.html", b"A"), (tmp_path / "b.html", b"B")])
    assert done == [tmp_path / "a.html", tmp_path / "b.html"]
    assert (tmp_path / "a.html").read_bytes() == b"A" and (tmp_path / "b.html").read_bytes() == b"B"
    assert stat.S_IMODE((tmp_path / "b.html").stat().st_mode) == 0o640
    assert not stale.exists() and other.exists()


@needs_symlinks
def test_a_batch_refuses_two_names_of_one_file(tmp_path: Path) -> None:
    real = tmp_path / "page.html"
    real.write_bytes(b"old")
    (tmp_path / "alias.html").symlink_to(real)
    with pytest.raises(GkctlError) as caught:
        atomic.write_all([(real, b"one"), (tmp_path / "alias.html", b"two")])
    assert caught.value.message == (
        f"无法写入 {tmp_path / 'alias.html'}：它与 {real} 是同一个文件（链接）。"
    )
    assert real.read_bytes() == b"old"


# --- issue 26, item 7: every -o writer makes its folder, as site does -----------------------------


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("report", "--as-of", "2024-10-15"), "汇总.md"),
        (("report", "--as-of", "2024-10-15", "-f", "docx"), "通报.docx"),
        (("export", "--as-of", "2024-10-15"), "任务分解表.xlsx"),
        (("ics", "--as-of", "2024-10-15", "-u", "区经委"), "区经委.ics"),
        (("form", "--as-of", "2024-10-15", "-u", "区经委"), "区经委.xlsx"),
    ],
)
def test_an_output_into_a_new_folder_makes_the_folder(
    gk: Run, data_copy: Path, tmp_path: Path, args: tuple[str, ...], name: str
) -> None:
    target = tmp_path / "月报" / "2024-10" / name
    result = gk(*args, "-o", str(target), data=data_copy)
    assert result.exit_code == 0, result.stderr
    assert target.stat().st_size > 0
    assert f"{target}" in result.stderr


def test_a_file_where_the_output_folder_should_be_is_a_clear_error(gk: Run, tmp_path: Path) -> None:
    (tmp_path / "月报").write_text("not a folder", encoding="utf-8")
    target = tmp_path / "月报" / "x.md"
    result = gk("report", "--as-of", "2024-10-15", "-o", str(target))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"无法新建目录 {tmp_path / '月报'}："), result.stderr
    assert (tmp_path / "月报").read_text(encoding="utf-8") == "not a folder"
