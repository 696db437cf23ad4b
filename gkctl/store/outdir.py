"""An output folder gkctl shares with its owner (gkctl site -o DIR): gkctl removes from it
only what it wrote there itself.

Each build leaves a manifest, MANIFEST, listing the files it wrote. The next build removes
the files that manifest lists and the new build no longer writes (a task or unit gone),
and nothing else: files put there by hand (units/notes.html, tasks/faq.html, a CNAME, a
.git folder) stay. A folder without a manifest (new, or built by an older gkctl) has
nothing removed.

Nothing is written or removed through a symbolic link that leads out of the folder
(tasks/ a link to another folder): such a build is refused before anything changes. The
new files are written as one batch (atomic.write_all), so a failure leaves the old site as
it was; the manifest is replaced after them, and only then are stale files removed.

Why into the folder rather than into a new one swapped in its place: the output folder may
be served, a mount point or a git work tree, whose own files and identity (inode, owner,
permissions) a swap would lose or have to copy; and one folder cannot be renamed over a
non-empty one atomically on every system.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gkctl.core.errors import GkctlError, UsageError, os_reason
from gkctl.store import atomic

MANIFEST = ".gkctl-manifest.json"
VERSION = 1


@dataclass(frozen=True)
class Published:
    written: list[str]
    removed: list[str]
    # The folder held an earlier build (an index.html) but no manifest: nothing removed.
    unlisted: bool


def publish(out: Path, files: Mapping[str, str], first: str = "index.html") -> Published:
    """Write `files` (relative POSIX paths -> text) into `out`, and remove what the
    previous build's manifest lists and `files` no longer has (see the module's docstring).
    `first`: the file whose presence without a manifest says an older gkctl built here."""
    require_folder(out)
    root = Path(os.path.realpath(out))
    listed = _read_manifest(out)
    stale = sorted(listed - set(files)) if listed is not None else []
    _refuse_links_out(out, root, [*files, *stale, MANIFEST])
    unlisted = listed is None and (out / first).is_file()
    for folder in sorted({PurePosixPath(name).parent for name in files}):
        try:
            (out / folder).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GkctlError(f"无法创建目录 {out / folder}：{os_reason(exc)}。") from None
    # Encoded one at a time: a site of 10,000 pages is not held twice in memory.
    atomic.write_all((out / name, text.encode("utf-8")) for name, text in files.items())
    if stale:
        # Listed until removed: a build stopped between here and the end loses nothing
        # and leaves nothing unlisted.
        _write_manifest(out, [*files, *stale])
    removed = [name for name in stale if _remove(out / name)]
    _remove_emptied(out, removed)
    _write_manifest(out, list(files))
    return Published(sorted(files), removed, unlisted)


def require_folder(out: Path) -> None:
    """`out` is a folder or is not there yet (checked before the work of a build, too)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o 应为目录，{out} 是文件。")


def _read_manifest(out: Path) -> set[str] | None:
    """The files the previous build listed; None where there is no readable manifest. Only
    plain relative paths inside the folder count: a hand-edited manifest cannot send a
    removal elsewhere."""
    try:
        raw = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    names = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(names, list):
        return None
    return {n for n in names if isinstance(n, str) and _plain(n)}


def _plain(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in name.split("/"))
        and name != MANIFEST
    )


def _refuse_links_out(out: Path, root: Path, names: list[str]) -> None:
    """Refuse a folder or file on the way to any of `names` that is a link leading out of
    `root` (each folder looked at once)."""
    checked: set[PurePosixPath] = set()
    for name in names:
        path = PurePosixPath(name)
        for part in [*reversed(path.parents[:-1]), path]:
            if part in checked:
                continue
            checked.add(part)
            where = out / part
            if not where.is_symlink():
                continue
            real = Path(os.path.realpath(where))
            if not real.is_relative_to(root):
                raise UsageError(
                    f"{where} 是指向输出目录之外（{real}）的符号链接：gkctl 不会经由它写入或"
                    "删除文件，未做任何改动。请删去这个链接，或把 -o 指向别处。"
                )


def _write_manifest(out: Path, names: list[str]) -> None:
    body = {"version": VERSION, "generator": "gkctl", "files": sorted(names)}
    atomic.write_text(out / MANIFEST, json.dumps(body, ensure_ascii=False, indent=1) + "\n")


def _remove(path: Path) -> bool:
    """Remove a file of an earlier build (a link itself, not what it points to); a folder
    put in its place is left alone."""
    if path.is_dir() and not path.is_symlink():
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise GkctlError(
            f"无法删除上次生成、这次已没有的 {path}：{os_reason(exc)}。新的文件已全部写入，"
            "下次生成时会再删除它。"
        ) from None
    return True


def _remove_emptied(out: Path, removed: list[str]) -> None:
    """Folders the removals left empty (a plan gone from a folder of plans), deepest first;
    a folder that still holds anything, and the output folder itself, stay."""
    folders = {parent for name in removed for parent in PurePosixPath(name).parents[:-1]}
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty, or not ours to remove
            (out / folder).rmdir()
