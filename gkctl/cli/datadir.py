"""The data folder a command reads, as the command layer picks it: --data, $GKCTL_DATA,
gkctl.toml, data/ found upwards, ./data (gkctl.store.paths holds the rules; this module
gives them the environment and the working folder, which only the command layer reads).

Below both the commands' shared options (commands/common.py) and shell completion
(complete.py), which each need it and which otherwise imported each other.
"""

import os
from pathlib import Path

from gkctl.store import paths

_CONFIG: list[paths.Config | None] = []


def project_config() -> paths.Config | None:
    """gkctl.toml found from the working folder up (read once per process)."""
    if not _CONFIG:
        _CONFIG.append(paths.find_config(Path.cwd()))
    return _CONFIG[0]


def forget_config() -> None:
    """Read gkctl.toml again at the next project_config() (a new command in one process)."""
    _CONFIG.clear()


def data_choice(option: Path | None, require: bool = True) -> paths.DataChoice:
    """The data folder: --data, $GKCTL_DATA, gkctl.toml, data/ found upwards, ./data."""
    choose = paths.find_data_dir if require else paths.choose_data_dir
    return choose(option, os.environ.get(paths.ENV_DATA), Path.cwd(), project_config())


def data_dir(option: Path | None) -> Path:
    return data_choice(option).path


def plan_scope(option: Path | None, plan: str | None = None) -> paths.Scope:
    """The plans of the data folder, narrowed to --plan where given."""
    return paths.scope(data_dir(option), plan)


def plan_dir(option: Path | None, plan: str | None = None) -> Path:
    """The folder of the one plan a command reads or writes (--plan where the data folder
    holds several)."""
    return plan_scope(option, plan).one().path
