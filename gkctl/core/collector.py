"""Building in bulk with Python's cyclic garbage collector paused.

Loading a plan, working out its task states, and building a report or machine output make
hundreds of thousands of small objects (tuples, dicts, lists) and no reference cycle. With
the collector on, its passes over the growing heap find nothing to free and cost more than
the building: a 100,000-task report grew 16 times from 10,000 tasks (9 with it paused),
and `list --format json` spent half its record building in collections. Reference counting
still frees everything while it is paused.

What was built is then frozen (gc.freeze): it lives until the command ends, and the first
pass after the collector is back would otherwise walk all of it to free none of it. Freezing
takes whatever is alive, garbage in a reference cycle not yet collected included (an
openpyxl workbook already saved): such garbage is never freed after it. Code that makes
cycles in bulk (an openpyxl workbook: every cell points at its sheet) therefore runs in
collected_after(): the collector off while it builds, then one collection, so that no
cycle of it is left for a later freeze.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def paused() -> Iterator[None]:
    """The collector off inside, and what was built frozen on the way out."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


def pausing(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """`func` run inside paused()."""

    @functools.wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with paused():
            return func(*args, **kwargs)

    return run


@contextmanager
def collected_after() -> Iterator[None]:
    """The collector off inside, and one collection on the way out, of whatever is not
    frozen: for building that leaves reference cycles (an openpyxl workbook, saved and
    dropped). Its passes while the building runs would walk the rest of a large heap (a
    form per unit over 100,000 tasks holds every unit's rows), each costing more the
    larger the plan; one collection at the end frees the cycles before the next build."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if was_enabled:
            gc.enable()
