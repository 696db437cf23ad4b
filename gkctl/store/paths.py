"""Where the data is: the one small piece every command needs before anything else.

Kept apart from the loader so that a command served from the parsed-plan cache never
imports the YAML machinery at all.
"""

from __future__ import annotations

import os
from pathlib import Path

from gkctl.core.errors import UsageError

TASKS_FILE = "tasks.yaml"
UNITS_FILE = "units.yaml"
ENV_DATA = "GKCTL_DATA"


def data_dir(option: Path | None) -> Path:
    """--data, else $GKCTL_DATA, else ./data (whether it exists or not)."""
    return option or Path(os.environ.get(ENV_DATA) or "data")


def find_data_dir(option: Path | None) -> Path:
    """The data folder as data_dir() chooses it; a missing plan is a usage error."""
    chosen = data_dir(option)
    if not (chosen / TASKS_FILE).is_file():
        raise UsageError(
            f"找不到数据文件 {chosen / TASKS_FILE}。请在含有 data/ 的目录中运行，"
            f"或用 --data 目录、环境变量 {ENV_DATA} 指定数据目录。"
        )
    return chosen


def shown(path: Path) -> str:
    """The path as messages print it: relative to the working directory where it can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
