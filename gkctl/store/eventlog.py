"""Small logs that gkctl keeps in the data folder, reviewed in git like the plan: what
`notify` sent (notify-log.yaml), which forms `form` sent and `progress import` received
(forms-log.yaml). One entry per line, each a flow mapping of a fixed set of keys; gkctl
appends, atomically, over the bytes it read (a concurrent writer is told, never lost).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import NamedTuple

from gkctl.core.errors import DataError, Problem
from gkctl.store import atomic, paths, yamlsrc
from gkctl.store.schema import Reader

Entry = dict[str, "str | date"]


class EventLog(NamedTuple):
    path: Path
    raw: bytes | None  # the bytes read (None: no file yet), to notice a concurrent writer
    header: str  # the comment lines a new file starts with
    top: str  # the one top-level key, holding the list of entries
    keys: tuple[str, ...]  # every entry's keys, in the order written
    entries: tuple[Entry, ...]


def read(
    path: Path,
    header: str,
    top: str,
    keys: tuple[str, ...],
    days: frozenset[str],
    choices: dict[str, tuple[str, ...]] | None = None,
) -> EventLog:
    """The log at `path` (empty where there is none); a key in `days` holds a date, one in
    `choices` one of its words, the others text. Problems (a hand edit gone wrong) are
    raised together, at their lines."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return EventLog(path, None, header, top, keys, ())
    problems: list[Problem] = []
    source = yamlsrc.read_bytes(raw, paths.shown(path), problems)
    entries: list[Entry] = []
    if source.root is not None:
        r = Reader(source.path, problems, raw=source.raw)
        found = r.mapping(source.root, {top: True}, f"{path.name} 顶层") or {}
        for node in r.sequence(found[top], top) if top in found else []:
            f = r.mapping(node, dict.fromkeys(keys, True), "记录")
            if f is None:
                continue
            entry: Entry = {}
            for k in keys:
                value = r.day(f.get(k), k) if k in days else r.name(f.get(k), k)
                allowed = (choices or {}).get(k)
                if isinstance(value, str) and allowed and value not in allowed:
                    r.problem(f[k], "bad-value", f"{k} 应为 {'、'.join(allowed)}，这里是“{value}”")
                    value = None
                if value is not None:
                    entry[k] = value
            if len(entry) == len(keys):
                entries.append(entry)
    if problems:
        raise DataError(problems)
    return EventLog(path, raw, header, top, keys, tuple(entries))


def _line(log: EventLog, entry: Entry) -> str:
    def value(v: str | date) -> str:
        # A JSON string is a YAML flow scalar: any text, quoted once.
        return v.isoformat() if isinstance(v, date) else json.dumps(v, ensure_ascii=False)

    return "  - {" + ", ".join(f"{k}: {value(entry[k])}" for k in log.keys) + "}\n"


def appended(log: EventLog, *added: Entry) -> bytes:
    """The log's bytes with `added` at its end (for a caller that writes them together
    with other files: atomic.write_all)."""
    entries = (*log.entries, *added)
    return (log.header + f"{log.top}:\n" + "".join(_line(log, e) for e in entries)).encode()


def append(log: EventLog, *added: Entry) -> EventLog:
    """The log with `added` at its end, written atomically over the bytes it was read from
    (atomic.FileChanged where another run wrote it meanwhile)."""
    entries = (*log.entries, *added)
    data = appended(log, *added)
    if log.raw is None:
        if not atomic.create_new(log.path, data, mode=0o644):
            raise atomic.FileChanged(
                f"{paths.shown(log.path)} 在写入期间被另一个程序创建，请重新运行。"
            )
    else:
        atomic.write_bytes(log.path, data, expect=log.raw)
    return log._replace(raw=data, entries=entries)
