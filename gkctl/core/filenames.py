"""File names made from unit names, for every file gkctl writes per unit (a report, a Word
通报, a 填报表, an export, a page of the site).

A unit's name is text from units.yaml, and nothing there stops it from holding a path
separator, from being `..` or an absolute path, a Windows device name (CON), a character
that shows nothing, or from being longer than a file name may be. `file_stem` turns one
name into a name for one file inside the output folder; `file_stems` gives every unit of
a batch its own, so that no unit's file overwrites another's and a link to one unit's
page never shows another unit.

* / \\ < > : " | ? *, control characters and characters that show nothing (bidirectional
  controls, zero-width) become `_`;
* dots and spaces at either end are dropped (a leading dot hides a file, `.` and `..` are
  not files, Windows drops trailing ones); nothing left is `_`;
* a Windows device name (CON, NUL, COM1 …, with or without an extension) gets a `_` in
  front;
* at most STEM_BYTES bytes of UTF-8, cut between characters: with the longest text gkctl
  puts around a stem (任务分解表-…-2024-10-15.xlsx) and the temporary name of an atomic
  write (.name.pid.random.tmp), the file still fits the 255-byte limit of file names.

Stems are compared as the file systems most people use compare them: without regard to
case (Windows, macOS) and to Unicode normalization (macOS). In a batch, names that need
no change keep their stem first, in the order given; a name that had to be changed keeps
the cleaned stem if it is still free, and otherwise gets a short hash of its full name
(`a_b-1c52ef0a`), which does not move when other units are added or reordered.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from gkctl.core.model import Directory
from gkctl.core.textsafe import INVISIBLE_CHARS, char_class

# 255 bytes (NAME_MAX) less the temporary name's additions (".", ".<pid>.<8>.tmp": 22)
# and the longest text around a stem (任务分解表- and -2024-10-15.xlsx: 32), with room left.
STEM_BYTES = 180
HASH_CHARS = 8

_SEPARATORS_AND_RESERVED = re.compile(r'[\\/<>:"|?*\x00-\x1f\x7f-\x9f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")
}


def _cut(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut between characters."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def _trim(text: str) -> str:
    return text.strip(". ")


def file_stem(name: str, limit: int = STEM_BYTES) -> str:
    """`name` as the stem of one file name (see the module's docstring); equal to `name`
    where nothing had to change."""
    cleaned = _trim(char_class(INVISIBLE_CHARS).sub("_", _SEPARATORS_AND_RESERVED.sub("_", name)))
    cleaned = _trim(_cut(cleaned, limit)) or "_"
    if cleaned.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        cleaned = _cut(f"_{cleaned}", limit)
    return cleaned


def same_file_key(stem: str) -> str:
    """What file systems that ignore case and Unicode normalization compare."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", stem).casefold())


def file_stems(names: Iterable[str]) -> dict[str, str]:
    """A distinct stem for each name, in the order given (see the module's docstring)."""
    ordered = list(dict.fromkeys(names))
    stems = {name: file_stem(name) for name in ordered}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in ordered:
        key = same_file_key(name)
        if stems[name] == name and key not in taken:
            taken.add(key)
            out[name] = name
    for name in ordered:
        if name in out:
            continue
        stem = stems[name]
        if same_file_key(stem) in taken:
            stem = _hashed(name, stem, taken)
        taken.add(same_file_key(stem))
        out[name] = stem
    return {name: out[name] for name in ordered}


def _hashed(name: str, stem: str, taken: set[str]) -> str:
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    for length in range(HASH_CHARS, len(digest) + 1):
        tail = f"-{digest[:length]}"
        candidate = file_stem(stem, STEM_BYTES - len(tail)) + tail
        if same_file_key(candidate) not in taken:
            return candidate
    raise AssertionError("two names with the same SHA-256")  # pragma: no cover


def unit_stems(directory: Directory) -> dict[str, str]:
    """Each unit's stem, in the order of units.yaml: a unit's file has the same name
    whichever command writes it, for one unit or for all."""
    return file_stems(u.name for u in directory.units)


# The longest a part of a path may be (bytes of UTF-8 on Linux and macOS, UTF-16 units on
# NTFS), and the length from which Windows refuses a whole path unless long paths are turned
# on (MAX_PATH counts the closing NUL).
NAME_MAX = 255
WINDOWS_MAX_PATH = 260


def too_long(path: str, platform: str) -> bool:
    """Whether the system `platform` (a value of sys.platform) refuses the absolute `path`
    for its length: a part longer than NAME_MAX, or on Windows the whole path MAX_PATH long
    or more. Windows reports either as a file not found, which would send a person looking
    for a folder that is there."""
    windows = platform == "win32"

    def size(text: str) -> int:
        if windows:
            return len(text.encode("utf-16-le", "surrogatepass")) // 2
        return len(text.encode("utf-8", "surrogateescape"))

    parts = re.split(r"[\\/]" if windows else "/", path)
    return any(size(part) > NAME_MAX for part in parts) or (
        windows and size(path) >= WINDOWS_MAX_PATH
    )
