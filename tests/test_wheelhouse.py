"""The offline install (make wheelhouse, README 离线安装): gkctl installs from the wheelhouse
into a fresh virtualenv with no network, and the Windows folder holds what Windows asks for."""

import os
import re
import shutil
import subprocess
import venv
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from gkctl import __version__
from tests.conftest import DATA, ROOT


def _offline() -> tuple[list[str], dict[str, str]]:
    """A command prefix and environment with no way out: a network namespace of its own
    where this machine allows one, and in any case no index and an unreachable proxy."""
    env = {
        **os.environ,
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,  # no extra index or find-links of this machine
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], check=False).returncode == 0:
        return [unshare, "-rn"], env
    return [], env


@pytest.mark.slow
def test_gkctl_installs_from_the_wheelhouse_with_no_network(tmp_path: Path) -> None:
    house = tmp_path / "wheelhouse"
    built = subprocess.run(
        ["make", "-s", "wheelhouse-linux", f"WHEELHOUSE={house}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    wheels = sorted(p.name for p in (house / "linux").iterdir())
    assert f"gkctl-{__version__}-py3-none-any.whl" in wheels
    assert all(name.endswith(".whl") for name in wheels), wheels  # nothing to build there

    prefix, env = _offline()
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)  # pip from the interpreter's own bundle: no network
    python = target / "bin" / "python"
    probe = "import socket; socket.create_connection(('pypi.org', 443), timeout=5)"
    cut_off = subprocess.run([*prefix, str(python), "-c", probe], env=env, capture_output=True)
    if prefix:
        assert cut_off.returncode != 0  # the index is out of reach for what follows
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(
        [*prefix, *install, "--no-index", "--find-links", str(house / "linux"), "gkctl"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    gkctl = str(target / "bin" / "gkctl")
    env = {**env, "GKCTL_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    version = subprocess.run(
        [*prefix, gkctl, "--version"], env=env, capture_output=True, text=True, check=False
    )
    assert version.stdout == f"gkctl {__version__}\n", version.stderr
    checked = subprocess.run(
        [*prefix, gkctl, "validate", "--data", str(DATA)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "数据有效：75 项任务" in checked.stdout
    # The installed package, not this work tree: the wheel ships what validate needs.
    where = subprocess.run(
        [*prefix, str(python), "-c", "import gkctl; print(gkctl.__file__)"],
        env={**env, "PYTHONPATH": ""},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(target)


def _needs(environment: dict[str, str]) -> set[str]:
    """Every project an install of gkctl asks for where `environment` holds, read from the
    installed packages' metadata (the same on every system for these versions)."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in distribution("gkctl").requires or []]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({**environment, "extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += [Requirement(r) for r in distribution(name).requires or []]
        except PackageNotFoundError:  # not installed here (colorama): what it asks for
            continue  # is for pip to find on Windows; none of today's asks for anything
    return seen


def test_the_windows_wheelhouse_names_what_only_windows_asks_for() -> None:
    # pip download --platform win_amd64 follows this machine's markers, so a dependency
    # only Windows asks for must be named in the Makefile, or the office's install fails.
    here = default_environment()
    windows = {
        **here,
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "AMD64",
    }
    linux = {**here, "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    named = re.search(r"^WINDOWS_ONLY := (.*)$", makefile, re.MULTILINE)
    assert named is not None
    assert set(named.group(1).split()) == _needs(windows) - _needs(linux)
