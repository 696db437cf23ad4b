"""One file name for every per-unit file (issue 22, items 3, 4 and 9): unit names with path
separators, `..`, absolute paths, Windows device names and 105 Chinese characters give
files inside -o, distinct for every unit, whichever command writes them."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from gkctl.core.filenames import STEM_BYTES, file_stem, file_stems, same_file_key, too_long

AS_OF = "2024-10-15"
LONG = "浦" * 105  # 315 bytes of UTF-8: no file system takes it as one name
HOSTILE = ["../../escaped", "/abs/path", "a/b", "a_b", LONG, "CON", "..", "x\\y"]

Run = Callable[..., Any]


def _sha8(name: str) -> str:
    import hashlib

    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


# --- the function --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("区经委", "区经委"),
        ("a/b", "a_b"),
        ("../../escaped", "_.._escaped"),
        ("/abs/path", "_abs_path"),
        ("x\\y", "x_y"),
        ("..", "_"),
        (".", "_"),
        ("  ", "_"),
        (".hidden", "hidden"),
        ("末尾. ", "末尾"),
        ('x:*?"<>|', "x_______"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("COM1", "_COM1"),
        ("LPT9 ", "_LPT9"),
        ("CONSOLE", "CONSOLE"),
        ("左\u202e右", "左_右"),  # a bidirectional override
        ("零\u200b宽", "零_宽"),
        ("tab\there", "tab_here"),
    ],
)
def test_file_stem(name: str, stem: str) -> None:
    assert file_stem(name) == stem


def test_a_long_name_is_cut_between_characters_within_the_byte_limit() -> None:
    stem = file_stem(LONG)
    assert stem == "浦" * (STEM_BYTES // 3)
    assert len(stem.encode("utf-8")) <= STEM_BYTES
    # With the longest text gkctl puts around a stem and an atomic write's temporary name.
    longest = f".任务分解表-{stem}-{'f' * 8}-2024-10-15.xlsx.4194304.abcdefgh.tmp"
    assert len(longest.encode("utf-8")) <= 255


def test_names_that_clean_alike_get_distinct_stems_and_clean_names_keep_theirs() -> None:
    stems = file_stems(["a/b", "a_b", "ABC", "abc", "CON", "_CON"])
    assert stems == {
        "a/b": f"a_b-{_sha8('a/b')}",
        "a_b": "a_b",
        "ABC": "ABC",
        "abc": f"abc-{_sha8('abc')}",
        "CON": f"_CON-{_sha8('CON')}",
        "_CON": "_CON",
    }
    # A changed name whose cleaned stem is free keeps it, and the order given does not
    # change which stem a name gets.
    assert file_stems(["CON", "a/b"]) == {"CON": "_CON", "a/b": "a_b"}
    assert file_stems(["a_b", "a/b"]) == file_stems(["a/b", "a_b"])


def test_names_alike_but_for_unicode_normalization_are_one_file_on_macos() -> None:
    composed = "é"
    decomposed = unicodedata.normalize("NFD", composed)
    stems = file_stems([composed, decomposed])
    assert stems[composed] == composed
    assert stems[decomposed] == f"{decomposed}-{_sha8(decomposed)}"


def test_long_names_that_share_the_cut_part_stay_apart() -> None:
    one, two = LONG + "甲", LONG + "乙"
    stems = file_stems([one, two])
    assert stems[one] == file_stem(one)
    assert stems[two].endswith(f"-{_sha8(two)}")
    assert len(stems[two].encode("utf-8")) <= STEM_BYTES


@given(st.lists(st.text(min_size=1, max_size=120), min_size=1, max_size=8, unique=True))
def test_any_names_give_distinct_plain_file_names(names: list[str]) -> None:
    stems = file_stems(names)
    assert list(stems) == names
    keys = [same_file_key(s) for s in stems.values()]
    assert len(set(keys)) == len(keys)
    for stem in stems.values():
        assert stem and stem not in (".", "..") and stem == stem.strip(". ")
        assert not set(stem) & set('/\\<>:"|?*')
        assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in stem)
        assert len(stem.encode("utf-8", "surrogatepass")) <= STEM_BYTES
        assert stem.split(".")[0].upper() not in ("CON", "PRN", "AUX", "NUL", "COM1", "LPT1")
        assert Path(stem).name == stem and not Path(stem).is_absolute()


# --- the commands --------------------------------------------------------------------------------


def _with_units(data: Path, names: list[str]) -> Path:
    """The data with units named `names`, each given task 1 (so that each has a form)."""
    units = (data / "units.yaml").read_text(encoding="utf-8")
    extra = "".join(f"  - name: {json.dumps(n)}\n    kind: department\n" for n in names)
    (data / "units.yaml").write_text(units.replace("\ngroups:", extra + "\ngroups:", 1), "utf-8")
    tasks = (data / "tasks.yaml").read_text(encoding="utf-8")
    first = "    units: [区国资委, 区滨海办, 山阳镇, 区交通委]\n"
    listed = ", ".join(json.dumps(n) for n in names)
    tasks = tasks.replace(first, first.replace("区交通委]", f"区交通委, {listed}]"), 1)
    (data / "tasks.yaml").write_text(tasks, "utf-8")
    return data


@pytest.fixture
def hostile(data_copy: Path) -> Path:
    """The bundled data with units named as HOSTILE; validate passes."""
    return _with_units(data_copy, HOSTILE)


def _outside(tmp_path: Path, out: Path) -> list[str]:
    """Files written under tmp_path but neither in the data copy nor in `out`."""
    return [
        p.relative_to(tmp_path).as_posix()
        for p in tmp_path.rglob("*")
        if p.is_file() and not p.is_relative_to(tmp_path / "data") and not p.is_relative_to(out)
    ]


def _everything_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _expected(suffix: str, prefix: str = "") -> set[str]:
    stems = file_stems(HOSTILE)
    return {f"{prefix}{stems[n]}{suffix}" for n in HOSTILE}


def test_the_hostile_names_pass_validate(gk: Run, hostile: Path) -> None:
    result = gk("validate", data=hostile)
    assert result.exit_code == 0, result.output


def test_report_each_unit_keeps_every_file_inside_the_folder(
    gk: Run, hostile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "deep" / "er" / "out"
    result = gk(
        "report", "-t", "unit", "--each-unit", "-o", str(out), "--as-of", AS_OF, data=hostile
    )
    assert result.exit_code == 0, result.output
    assert _outside(tmp_path, out) == []
    names = set(os.listdir(out))
    assert len(names) == 40 + len(HOSTILE)
    assert _expected(".md") <= names
    stems = file_stems(HOSTILE)
    assert "# /abs/path" in (out / f"{stems['/abs/path']}.md").read_text(encoding="utf-8")


def test_form_each_unit_keeps_every_file_inside_the_folder(
    gk: Run, hostile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "deep" / "er" / "forms"
    result = gk("form", "--each-unit", "-o", str(out), "--as-of", AS_OF, data=hostile)
    assert result.exit_code == 0, result.output
    assert _outside(tmp_path, out) == []
    names = set(os.listdir(out))
    assert _expected("-填报表.xlsx") <= names and len(names) == 40 + len(HOSTILE)
    # (The line before it, if any, says the office's signing key was made.)
    assert result.stderr.endswith(
        f"已写出 {40 + len(HOSTILE)} 份填报表到 {out}/，状态截至 {AS_OF}。\n"
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_form_for_one_unit_has_its_batch_name(
    gk: Run, hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = gk("form", "--unit", name, "--as-of", AS_OF, data=hostile)
    assert result.exit_code == 0, result.output
    assert os.listdir(work) == [f"{file_stems(HOSTILE)[name]}-填报表.xlsx"]
    assert _outside(tmp_path, work) == []


@pytest.mark.parametrize("name", ["../../escaped", "/abs/path", LONG])
def test_export_default_name_stays_in_the_working_folder(
    gk: Run, hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = gk("export", "--unit", name, "--as-of", AS_OF, data=hostile)
    assert result.exit_code == 0, result.output
    assert os.listdir(work) == [f"任务分解表-{file_stems(HOSTILE)[name]}-{AS_OF}.xlsx"]


def test_two_units_that_clean_alike_have_two_pages(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    """Issue 22, item 4: a/b and a_b were both units/a_b.html."""
    out = tmp_path / "site"
    result = gk(
        "site", "--as-of", AS_OF, "-o", str(out), data=_with_units(data_copy, ["a/b", "a_b"])
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == f"已生成网站 {out}：首页 index.html、42 个单位页、75 个任务页。\n"
    own = (out / "units" / "a_b.html").read_text(encoding="utf-8")
    other = (out / "units" / f"a_b-{_sha8('a/b')}.html").read_text(encoding="utf-8")
    assert "<h1>a_b " in own and "<h1>a/b " in other


def test_site_gives_each_unit_its_own_page_and_links_to_it(
    gk: Run, hostile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "deep" / "site"
    result = gk("site", "--as-of", AS_OF, "-o", str(out), data=hostile)
    assert result.exit_code == 0, result.output
    assert _outside(tmp_path, out) == []
    pages = {p for p in _everything_under(out) if p.startswith("units/")}
    assert _expected(".html", "units/") <= pages
    assert len(pages) == 40 + len(HOSTILE)
    index = (out / "index.html").read_text(encoding="utf-8")
    task = (out / "tasks" / "1.html").read_text(encoding="utf-8")
    for name in HOSTILE:
        shown = str(escape(name))
        row = re.search(f'<tr data-unit="{re.escape(shown)}">.*?<a href="([^"]+)">', index)
        link = re.search(f'<a href="../(units/[^"]+)">{re.escape(shown)}</a>', task)
        assert row is not None and link is not None, name
        assert unquote(row.group(1)) == unquote(link.group(1))
        page = (out / unquote(row.group(1))).read_text(encoding="utf-8")
        assert f"<h1>{shown} " in page, name


# Issue 26 item 3: Windows calls a path too long "not found"; gkctl says what is wrong.
@pytest.mark.parametrize(
    ("path", "platform", "expected"),
    [
        ("C:\\d\\" + "y" * 254, "win32", False),  # 259 characters: the most MAX_PATH allows
        ("C:\\d\\" + "y" * 255, "win32", True),  # 260
        ("C:/d/" + "y" * 255, "win32", True),  # either separator
        ("/" + "/".join(["y" * 100] * 3), "linux", False),  # Linux: 4,096 for the whole path
        ("/d/" + "y" * 255, "linux", False),
        ("/d/" + "y" * 256, "linux", True),  # one part over 255 bytes
        ("/d/" + "浦" * 86, "linux", True),  # 258 bytes of UTF-8
        ("C:\\d\\" + "浦" * 86, "win32", False),  # 86 UTF-16 units
        ("C:\\" + "𠮷" * 128, "win32", True),  # 256 units: two each
    ],
)
def test_too_long(path: str, platform: str, expected: bool) -> None:
    assert too_long(path, platform) is expected
