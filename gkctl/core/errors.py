"""The one error family of gkctl, caught once in the command layer.

Exit codes (documented in the README): 0 ok, 1 problems found, 2 usage.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class ExitCode(IntEnum):
    OK = 0
    PROBLEMS = 1
    USAGE = 2


class Problem(NamedTuple):
    """One problem in a data file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


class GkctlError(Exception):
    """Base error: a message for the user (in Chinese) and an exit code."""

    exit_code: ExitCode = ExitCode.PROBLEMS

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(GkctlError):
    """Bad option or argument: unknown unit, unreadable date, missing data folder."""

    exit_code = ExitCode.USAGE


class DataError(GkctlError):
    """The data files have problems; carries every one of them."""

    exit_code = ExitCode.PROBLEMS

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        lines = [str(p) for p in self.problems]
        lines.append(
            f"共发现 {len(self.problems)} 个问题，请先修正（gkctl validate 可列出全部问题）。"
        )
        super().__init__("\n".join(lines))


class DeadlineError(GkctlError):
    """A 时间节点 text the resolver cannot read."""

    exit_code = ExitCode.PROBLEMS


def os_reason(exc: OSError) -> str:
    """An operating-system error in Chinese (the system's own words where unknown)."""
    import errno

    reasons = {
        errno.ENOENT: "文件或目录不存在",
        errno.EACCES: "没有权限",
        errno.EPERM: "没有权限",
        errno.EISDIR: "这是一个目录，请给出文件名",
        errno.ENOTDIR: "路径中有一段不是目录",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "文件系统只读",
        errno.EEXIST: "文件已存在",
        errno.EFBIG: "文件过大",
        errno.ENAMETOOLONG: "文件名过长",
        errno.ELOOP: "符号链接层数过多（可能是循环链接）",
        errno.ENXIO: "设备或地址不存在（如没有读取端的 FIFO）",
        errno.EBUSY: "文件或设备正忙",
        errno.ETXTBSY: "文件正被执行，不能写入",
        errno.EMFILE: "打开的文件过多",
        errno.EDQUOT: "超出磁盘配额",
        errno.EIO: "输入输出错误",
        errno.EINVAL: "参数无效（文件系统不支持这样的名称或操作？）",
        errno.EPIPE: "管道已关闭",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))
