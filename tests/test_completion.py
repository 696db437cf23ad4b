"""Shell completion, as the shells ask for it: the environment variables of the scripts
Typer installs for bash, zsh and fish, run against the real plan."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gkctl.cli import complete
from tests.conftest import DATA, ROOT

GKCTL = Path(sys.executable).parent / "gkctl"


def _complete(
    shell: str, line: str, cwd: Path = ROOT, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GKCTL_", "_TYPER"))}
    env["GKCTL_NO_CACHE"] = "1"
    env["_GKCTL_COMPLETE"] = f"complete_{shell}"
    if shell == "bash":
        words = line.split(" ")
        env["COMP_WORDS"], env["COMP_CWORD"] = line, str(len(words) - 1)
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    env.update(extra)
    return subprocess.run(
        [str(GKCTL)], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_bash_completes_unit_names_and_aliases() -> None:
    every = _complete("bash", "gkctl due --unit ").stdout.split()
    assert every[:4] == ["区政府办公室", "政府办公室", "区府办", "政府办"]
    assert "区经委" in every and "经委" in every
    # Chinese names are typed from the middle too: 经委 finds the alias, 经 the name's end.
    assert _complete("bash", "gkctl due --unit 经").stdout.split() == ["经委"]
    assert _complete("bash", "gkctl list -u 行政服务").stdout.split() == ["行政服务中心"]
    assert _complete("bash", "gkctl due --unit 科").stdout.split() == ["科委"]


def test_zsh_and_fish_show_what_a_name_is() -> None:
    zsh = _complete("zsh", "gkctl due --unit 经委").stdout
    assert zsh.strip() == """_arguments '*: :(("经委":"区经委的简称"))'"""
    fish = _complete("fish", "gkctl report -u 区经").stdout.splitlines()
    assert fish == ["区经委\t部门"]


def test_task_ids_with_their_names() -> None:
    assert _complete("bash", "gkctl show 7").stdout.split() == [
        "7",
        "70",
        "71",
        "72",
        "73",
        "74",
        "75",
    ]
    fish = _complete("fish", "gkctl close 75").stdout.splitlines()
    assert fish == ["75\t强化组织落实"]
    assert _complete("bash", "gkctl progress add 2 -u 区经").stdout.split() == ["区经委"]


def test_commands_and_options() -> None:
    assert _complete("bash", "gkctl d").stdout.split() == ["due", "deadline", "diff"]
    assert "--unit" in _complete("bash", "gkctl due --").stdout.split()


def test_data_option_and_no_data(tmp_path: Path) -> None:
    # --data on the line is honoured; without any plan, nothing is offered and nothing printed.
    found = _complete("bash", f"gkctl due --data {DATA} --unit 区经", cwd=tmp_path)
    assert found.stdout.split() == ["区经委"]
    nothing = _complete("bash", "gkctl due --unit ", cwd=tmp_path)
    assert (nothing.returncode, nothing.stdout.strip(), nothing.stderr) == (0, "", "")


# Completing `--unit 区信息` in bash as Tab does, then entering the completed line, in one
# bash: the script gkctl installs, its function called with the words typed, the first
# candidate put in place of the last word, and the line evaluated as Enter would.
BASH_TAB_ENTER = """
eval "$(gkctl --show-completion bash)"
COMP_WORDS=(gkctl due --unit 区信息)
COMP_CWORD=3
_gkctl_completion gkctl
printf 'candidate: %s\\n' "${COMPREPLY[@]}"
line="gkctl due --unit ${COMPREPLY[0]} --as-of 2024-10-15"
eval "$line"
"""


def test_bash_completion_does_not_run_what_a_unit_name_holds(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    name = "区信息办$(touch ran);`touch ran`"
    units = data / "units.yaml"
    text = units.read_text(encoding="utf-8")
    entry = f"  - name: '{name}'\n    kind: department\n"
    units.write_text(text.replace("\ngroups:\n", f"\n{entry}\ngroups:\n", 1), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GKCTL_", "_TYPER"))}
    env.update(
        GKCTL_NO_CACHE="1",
        GKCTL_DATA=str(data),
        PATH=f"{GKCTL.parent}{os.pathsep}{env['PATH']}",
        _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1",
    )
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH_TAB_ENTER],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert not (tmp_path / "ran").exists(), "completing the name ran the command it holds"
    # One candidate, quoted as bash reads it back to the very name; the command got that name.
    assert done.stdout.startswith("candidate: '区信息办$(touch ran);`touch ran`'\n"), done.stdout
    assert done.returncode == 0, done.stderr
    assert name in done.stdout.split("\n", 1)[1]


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("区经委", "区经委"),
        ("28", "28"),
        ("--unit", "--unit"),
        ("区经委(试点)", "'区经委(试点)'"),
        ("a b", "'a b'"),
        ("it's", "'it'\"'\"'s'"),
        ("~x", "'~x'"),
        ("区\u3000委", "'区\u3000委'"),
        ("区（试点）", "区（试点）"),
    ],
)
def test_bash_words_are_quoted_only_where_the_shell_would_read_them(value: str, word: str) -> None:
    assert complete.bash_word(value) == word


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_scripts_for_each_shell(shell: str) -> None:
    # Without detection (which asks the parent process), Typer takes the shell's name.
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = subprocess.run(
        [str(GKCTL), "--show-completion", shell],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert f"_GKCTL_COMPLETE=complete_{shell}" in result.stdout


def test_install_completion_in_chinese(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = subprocess.run(
        [str(GKCTL), "--install-completion", "bash"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    script = tmp_path / ".bash_completions" / "gkctl.sh"
    assert result.stdout == f"已为 bash 安装命令补全：{script}\n重新打开终端后生效。\n"
    assert "_GKCTL_COMPLETE=complete_bash" in script.read_text(encoding="utf-8")
    assert ".bash_completions/gkctl.sh" in (tmp_path / ".bashrc").read_text(encoding="utf-8")


def test_help_lists_completion_in_chinese(gk) -> None:
    help_text = gk("--help", data=None).stdout
    assert "--install-completion  为当前 shell（bash、zsh、fish）安装命令补全" in help_text
    assert "--show-completion     显示当前 shell 的补全脚本" in help_text
