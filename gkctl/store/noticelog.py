"""notice-log.yaml: the numbers of the 督办通知单 that `gkctl notice` wrote, one line each
(store.eventlog), kept beside the plan (or, across plans, beside the shared units.yaml)
and reviewed in git like it.

A number is the year's next (督办〔2024〕第N号) and is never given twice: the log is read,
numbered and written under the data folder's lock, and written in one go with the
documents themselves (atomic.write_all: all of them or none). A notice issued again on the
same day with the same matters (the same fingerprint) keeps its number and adds no line:
writing a lost file again does not use up a number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NamedTuple

from gkctl.store import atomic, edit, eventlog

NOTICE_LOG = "notice-log.yaml"
_HEADER = (
    "# gkctl 督办通知单的编号：gkctl notice 每写出一份记一行（年度、编号、单位、日期、内容摘要）。\n"
    "# 编号按年度递增，从不重复使用；请不要删改已有的行。\n"
)
_KEYS = ("year", "number", "unit", "date", "notice")
WORD = "督办"


class Issued(NamedTuple):
    unit: str
    year: int
    number: int
    new: bool  # False: the same notice was issued on the same day already

    @property
    def label(self) -> str:
        return f"{WORD}〔{self.year}〕第{self.number}号"


def read(folder: Path) -> eventlog.EventLog:
    return eventlog.read(folder / NOTICE_LOG, _HEADER, "notices", _KEYS, frozenset({"date"}))


def _numbered(log: eventlog.EventLog, wanted: Sequence[tuple[str, str]], day: date) -> list[Issued]:
    year = day.year
    taken = [
        int(str(e["number"]))
        for e in log.entries
        if str(e["year"]) == str(year) and str(e["number"]).isdigit()
    ]
    last = max(taken, default=0)
    out = []
    for unit, fingerprint in wanted:
        same = next(
            (
                e
                for e in log.entries
                if (e["unit"], e["notice"], e["date"], str(e["year"]))
                == (unit, fingerprint, day, str(year))
            ),
            None,
        )
        if same is not None and str(same["number"]).isdigit():
            out.append(Issued(unit, year, int(str(same["number"])), False))
        else:
            last += 1
            out.append(Issued(unit, year, last, True))
    return out


def issue(
    folder: Path,
    wanted: Sequence[tuple[str, str]],
    day: date,
    documents: Callable[[list[Issued]], list[tuple[Path, bytes]]],
    dry_run: bool = False,
) -> list[Issued]:
    """Number a notice for each (unit, fingerprint) in `wanted`, make the documents with
    `documents`, and write them and the log's new lines as one (nothing with `dry_run`)."""
    with edit.locked(folder):
        log = read(folder)
        issued = _numbered(log, wanted, day)
        files = documents(issued)
        if dry_run:
            return issued
        added: list[eventlog.Entry] = [
            {
                "year": str(i.year),
                "number": str(i.number),
                "unit": i.unit,
                "date": day,
                "notice": fingerprint,
            }
            for i, (_, fingerprint) in zip(issued, wanted, strict=True)
            if i.new
        ]
        if added:
            files = [*files, (log.path, eventlog.appended(log, *added))]
        atomic.write_all(files)
    return issued
