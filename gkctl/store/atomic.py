"""Atomic file writes: a temporary file in the same folder, fsync, then rename.

A reader (or a crash) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from gkctl.core.errors import GkctlError, UsageError, os_reason


def write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace `path` with `data` atomically; `durable` also fsyncs the file and its folder
    (a cache, which checks what it reads, can skip that cost). An operating-system error
    becomes a GkctlError naming the file, and leaves the old file as it was."""
    try:
        _write(path, data, durable)
    except OSError as exc:
        reason = "这是一个目录，请给出文件名" if path.is_dir() else os_reason(exc)
        raise GkctlError(f"无法写入 {path}：{reason}。原有文件（如有）未改动。") from None


def _write(path: Path, data: bytes, durable: bool) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"无法写入 {path}：目录 {folder} 不存在。")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            # Keep the permissions of the file being replaced (mkstemp makes it 0600).
            os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if not durable:
        return
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def _new_file_mode() -> int:
    """What open() would give a new file: 0o666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
