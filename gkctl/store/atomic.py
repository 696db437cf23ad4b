"""Writing files without losing anything: atomic replacement, through links, never over a
hand edit.

* A regular file (or a new one) is replaced atomically: a temporary file in the same folder,
  fsync, then rename. A reader (or a crash) sees the old file or the new one, never half.
* A symbolic link is written through: the file it points to is replaced and the link stays.
* A file with other hard links, or a read-only one, is refused: replacing it would silently
  break the link or the mode, which is what its owner set up.
* A FIFO, a terminal or a device (`-o /dev/stdout`) is not a file to replace: it is written
  to directly. A directory is refused.
* `expect`: the bytes the caller read. Just before the rename the file is read again; if
  someone (an editor) saved it meanwhile, FileChanged is raised and nothing is replaced, so
  the caller can redo its change on the new bytes. After the rename both files are looked
  at again: the new one must hold what was written, and the replaced one (kept open since
  that last look) what was read. An editor that saves in place (truncates the file and
  writes it again, on the same inode) can land in either in the meantime, and that save or
  this write would then be lost without a word: Overwritten says which (see Overwritten).
* The temporary file's name carries the writer's process id: one left by a writer that was
  killed (kill -9 leaves no chance to clean up) is removed by the next write to that file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from gkctl.core.errors import GkctlError, UsageError, os_reason

# Windows opens a descriptor in text mode unless told otherwise: os.read would turn \r\n into
# \n, so a file with Windows line ends would never read back as the bytes gkctl read, and
# every write to it would be refused as changed meanwhile. (0 elsewhere: no such mode.)
_BINARY = getattr(os, "O_BINARY", 0)


class FileChanged(GkctlError):
    """The file is no longer the bytes the caller read: someone else saved it meanwhile."""


class Overwritten(GkctlError):
    """Another program wrote the file in place while it was being replaced: its save went
    into the replaced file, or it wrote over the new one. Not retried: what is in the file
    now is not what either side meant, and a person has to look."""


def write_bytes(path: Path, data: bytes, durable: bool = True, expect: bytes | None = None) -> Path:
    """Write `data` to `path` as the module says; return the file actually written (the
    target of a link). `durable` also fsyncs the file and its folder (a cache, which checks
    what it reads, can skip that cost). An operating-system error becomes a GkctlError
    naming the file, and leaves the old file as it was."""
    try:
        return _write(path, data, durable, expect)
    except OSError as exc:
        raise GkctlError(
            f"无法写入 {path}：{_reason(path, exc)}。原有文件（如有）未改动。"
        ) from None


def _reason(path: Path, exc: OSError, platform: str = sys.platform) -> str:
    # Windows says "not found" of a path too long (ERROR_FILENAME_EXCED_RANGE; Wine as well)
    # or "invalid" (ERROR_INVALID_NAME), where the folder is there: say what is wrong.
    if exc.errno in (errno.ENOENT, errno.EINVAL):
        from gkctl.core.filenames import too_long  # only on this error: every write imports atomic

        if too_long(os.path.abspath(path), platform):
            return os_reason(OSError(errno.ENAMETOOLONG, exc.strerror))
    try:
        is_dir = path.is_dir()
    except OSError:  # the name itself is the problem (too long, a loop)
        is_dir = False
    return "这是一个目录，请给出文件名" if is_dir else os_reason(exc)


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_all(files: Iterable[tuple[Path, bytes]]) -> list[Path]:
    """Write several files as one: each goes to a temporary file beside it, and only when
    every one is written are they renamed into place. A failure before that (a full disk,
    a name too long, a read-only or hard-linked file, a folder missing) removes the
    temporaries and leaves every file as it was; a rename does not fail for those reasons.
    Links are written through, as write_bytes does; a FIFO or device is refused (it cannot
    wait for the others). `files` is read one at a time, so that a caller can make each
    file's bytes as it comes. Return the files written.

    The cost grows with the number of files, not with its square: each folder is looked at
    once for a killed writer's temporaries and synced once, and one sync() puts all the
    temporaries on disk before the first rename (one fsync per file costs milliseconds
    each: minutes for a site of 10,000 pages), where the system has sync()."""
    staged: list[tuple[str, Path]] = []
    current: Path | None = None
    folders: dict[Path, set[str]] = {}
    can_sync = hasattr(os, "sync")
    try:
        seen: dict[Path, Path] = {}
        for path, data in files:
            current = path
            st = _stat(path)
            if st is not None and not stat.S_ISREG(st.st_mode):
                raise GkctlError(f"无法写入 {path}：这不是普通文件（是设备或管道）。")
            real, folder = _replaceable(path, st)
            if real in seen:
                raise GkctlError(f"无法写入 {path}：它与 {seen[real]} 是同一个文件（链接）。")
            seen[real] = path
            folders.setdefault(folder, set()).add(real.name)
            staged.append((_temporary(real, folder, data, not can_sync, st), real))
        current = None
        # After the writing: this process's own temporaries are those of a live writer.
        for folder, names in folders.items():
            remove_stale_temporaries(folder, names)
        if can_sync:
            os.sync()
    except OSError as exc:
        _discard(staged)
        where = current if current is not None else "输出目录"
        reason = _reason(current, exc) if current is not None else os_reason(exc)
        raise GkctlError(f"无法写入 {where}：{reason}。原有文件均未改动。") from None
    except BaseException:
        _discard(staged)
        raise
    done: list[Path] = []
    try:
        for tmp, real in staged:
            os.replace(tmp, real)
            done.append(real)
    except OSError as exc:
        _discard(staged[len(done) :])
        failed = staged[len(done)][1]
        raise GkctlError(
            f"无法写入 {failed}：{os_reason(exc)}。已写入 {len(done)} 个文件，其余未改动。"
        ) from None
    for folder in folders:
        _sync_folder(folder)
    return done


def _discard(staged: list[tuple[str, Path]]) -> None:
    for tmp, _ in staged:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def make_folder(folder: Path) -> bool:
    """Create `folder` (and its parents) if missing; True if it was created. A refusal (a file
    in the way, no permission) becomes a GkctlError naming the folder."""
    if folder.is_dir():
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GkctlError(f"无法新建目录 {folder}：{os_reason(exc)}。") from None
    return True


def write_output(path: Path, data: bytes) -> Path:
    """Write a file the user named with -o: its folder is made first, as `site` makes its own,
    so `-o 月报/2024-10.md` works on the first month too. Only for outputs: the data files'
    writers keep refusing a missing folder, where one is a mistyped --data."""
    make_folder(path.parent if str(path.parent) else Path("."))
    return write_bytes(path, data)


def target(path: Path) -> Path:
    """The file a write to `path` changes: the end of its chain of links (the path itself
    where it is not a link, or where the link points nowhere yet)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _stat(path: Path) -> os.stat_result | None:
    try:
        st = os.stat(path)  # follows links
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        raise GkctlError(f"无法写入 {path}：这是一个目录，请给出文件名。")
    return st


def _replaceable(path: Path, st: os.stat_result | None) -> tuple[Path, Path]:
    """The file a replace of `path` changes and its folder, once the checks allow it."""
    real = target(path)
    if st is not None:
        _refuse_shared_or_read_only(path, real, st)
    folder = real.parent if str(real.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"无法写入 {path}：目录 {folder} 不存在。")
    return real, folder


def _temporary(
    real: Path, folder: Path, data: bytes, durable: bool, st: os.stat_result | None
) -> str:
    """`data` in a new temporary file beside `real`, with the mode `real` has (or a new
    file would have); the caller renames it or removes it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        # Keep the permissions of the file being replaced (mkstemp makes it 0600).
        with contextlib.suppress(OSError):
            os.chmod(tmp, st.st_mode & 0o7777 if st is not None else _new_file_mode())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _write(path: Path, data: bytes, durable: bool, expect: bytes | None) -> Path:
    st = _stat(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(path, data)
        return path
    real, folder = _replaceable(path, st)
    remove_stale_temporaries(folder, {real.name})
    tmp = _temporary(real, folder, data, durable, st)
    try:
        replaced = _open_unchanged(real, expect) if expect is not None else None
        try:
            os.replace(tmp, real)
        except BaseException:
            if replaced is not None:
                os.close(replaced)
            raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _sync_folder(folder)
    if expect is not None:
        _confirm(path, real, data, expect, replaced)
    return real


def create_new(path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Write `data` as the new file `path`, all or nothing, never over a file already there
    (a key made twice at once must not end as two keys): a temporary file is written and
    fsynced, then hard-linked to the name, which fails if the name exists. False where it
    existed (its content is left as it is)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except OSError as exc:
        raise GkctlError(f"无法创建 {path}：{os_reason(exc)}。") from None
    return True


def _write_in_place(path: Path, data: bytes) -> None:
    """A FIFO, terminal or device: opened and written as it is (it cannot be half-replaced,
    and replacing it would turn it into a regular file that nothing reads)."""
    fd = os.open(path, os.O_WRONLY | _BINARY)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _refuse_shared_or_read_only(path: Path, real: Path, st: os.stat_result) -> None:
    shown = f"{path}（链接到 {real}）" if real != path else str(path)
    if st.st_nlink > 1:
        raise GkctlError(
            f"无法写入 {shown}：该文件还有 {st.st_nlink - 1} 个硬链接，替换它会使那些链接"
            "仍指向旧内容。请先解除硬链接（如复制一份再改名覆盖），原有文件未改动。"
        )
    # Root may write anything, so the mode bits, not access(), say what the owner meant.
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise GkctlError(
            f"无法写入 {shown}：文件是只读的（权限 {stat.filemode(st.st_mode)}）。"
            "如确需修改，请先加上写权限（chmod u+w），原有文件未改动。"
        )


def _open_unchanged(path: Path, expect: bytes) -> int | None:
    """The last look before the rename: the file still holds the bytes that were read. It is
    returned open, so that what an in-place writer puts into it from now on can still be
    seen after the rename has taken it out of the folder."""
    try:
        fd = os.open(path, os.O_RDONLY | _BINARY)
    except FileNotFoundError:
        raise FileChanged(f"{path} 在读取之后被其他程序修改了，未写入。") from None
    try:
        same = _read_all(fd, len(expect) + 1) == expect
    except BaseException:
        os.close(fd)
        raise
    if not same or sys.platform == "win32":
        # Windows cannot rename over a file held open; there only the new file is checked.
        os.close(fd)
    if not same:
        raise FileChanged(f"{path} 在读取之后被其他程序修改了，未写入。")
    return fd if sys.platform != "win32" else None


def _read_all(fd: int, size: int) -> bytes:
    """The file's bytes from its start (at most `size`: more is already a difference)."""
    os.lseek(fd, 0, os.SEEK_SET)
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _confirm(path: Path, real: Path, data: bytes, expect: bytes, replaced: int | None) -> None:
    """After the rename: the file holds what was written, and the replaced file still holds
    what was read (an in-place save between the last look and the rename went into it)."""
    theirs_lost = False
    if replaced is not None:
        try:
            theirs_lost = _read_all(replaced, len(expect) + 1) != expect
        finally:
            os.close(replaced)
    try:
        ours_kept = _read_all_of(real, len(data) + 1) == data
    except OSError:
        ours_kept = False
    if not ours_kept:
        raise Overwritten(
            f"{path} 刚写入就被另一个程序改写了（多半是原地保存的编辑器用它打开时的内容覆盖），"
            "gkctl 刚写入的内容已不在文件中。请先在编辑器中关闭这个文件（或重新载入），"
            "查看文件现在的内容，再重新运行这条命令。"
        )
    if theirs_lost:
        raise Overwritten(
            f"{path} 在 gkctl 替换它的同一刻被另一个程序原地改写了（多半是编辑器在保存），"
            "那次保存写进了被替换掉的旧文件，没有留在文件中；gkctl 的内容已写入。"
            "请在那个程序中重新打开文件，核对后把那次的修改再做一遍。"
        )


def _read_all_of(path: Path, size: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | _BINARY)
    try:
        return _read_all(fd, size)
    finally:
        os.close(fd)


def remove_stale_temporaries(folder: Path, names: set[str]) -> None:
    """Remove the temporary files (.NAME.PID.RANDOM.tmp) that writers of the files `names`
    in `folder` left there and that no longer run: one look at the folder for all of them."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(".") and name.endswith(".tmp")):
                continue
            parts = name[1 : -len(".tmp")].rsplit(".", 2)
            if len(parts) != 3 or parts[0] not in names:
                continue
            if parts[1].isdigit() and not _alive(int(parts[1])):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or sys.platform == "win32":  # Windows: kill(pid, 0) is Ctrl+C
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or not a pid at all: leave it alone
    return True


def _new_file_mode() -> int:
    """What open() would give a new file: 0o666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
