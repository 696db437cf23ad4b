"""gkctl site: the files it writes, and the site as a real browser shows it.

The browser tests open the pages in headless Chromium (tests/browser.py) at desktop and
phone widths. Where no Chromium can be found they are skipped with the reason; `.ci/run`
installs one, so CI runs them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from gkctl.core.status import FINAL, Status
from gkctl.views import charts, site
from tests import browser
from tests.conftest import DATA, FIXTURES, needs_symlinks

AS_OF = "2024-10-15"
PLAN = FIXTURES / "site" / "plan"


def _build(gk, out: Path, data: Path = DATA, *extra: str) -> None:
    result = gk("site", "--as-of", AS_OF, "-o", str(out), *extra, data=data)
    assert result.exit_code == 0, result.output


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _stats(gk, data: Path = DATA) -> dict:
    result = gk("stats", "--as-of", AS_OF, "--format", "json", data=data)
    assert result.exit_code == 0
    return json.loads(result.stdout)


# --- the files -----------------------------------------------------------------------------


def test_site_writes_index_unit_and_task_pages(gk, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = gk("site", "--as-of", AS_OF, "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr == f"已生成网站 {out}：首页 index.html、40 个单位页、75 个任务页。\n"
    assert result.stdout == ""
    files = _files(out)
    assert "index.html" in files and "site.css" in files
    assert "units/区经委.html" in files and "tasks/75.html" in files
    assert sum(1 for f in files if f.startswith("tasks/")) == 75


def test_same_data_and_date_give_the_same_bytes(gk, tmp_path: Path) -> None:
    _build(gk, tmp_path / "a")
    _build(gk, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    _build(gk, tmp_path / "c", DATA, "--within", "10")
    assert _files(tmp_path / "c")["index.html"] != _files(tmp_path / "a")["index.html"]


def test_text_from_the_yaml_is_escaped(gk, tmp_path: Path) -> None:
    _build(gk, tmp_path / "s", PLAN)
    page = (tmp_path / "s" / "tasks" / "1.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>粗</b>" not in page
    assert (
        "九月底前完成&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;，A&amp;B 与 “引号”。" in page
    )
    assert "逾期的任务&lt;b&gt;粗&lt;/b&gt;" in page
    two = (tmp_path / "s" / "tasks" / "2.html").read_text(encoding="utf-8")
    assert "已公开 &lt;i&gt;斜&lt;/i&gt;" in two
    assert 'href="https://example.org/a?b=1&amp;c=2"' in two
    assert 'rel="noopener noreferrer"' in two


def test_no_page_asks_for_anything_outside_the_site(gk, tmp_path: Path) -> None:
    _build(gk, tmp_path / "s", PLAN)
    for name, data in _files(tmp_path / "s").items():
        text = data.decode("utf-8")
        assert "<script" not in text, name
        assert "@import" not in text and "@font-face" not in text and "url(" not in text, name
        # The only absolute addresses: the SVG namespace and progress links in the data.
        for found in re.findall(r"https?://[^\s\"'<>)]+", text):
            assert found in ("http://www.w3.org/2000/svg", "https://example.org/a?b=1&amp;c=2")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("href", "src") and value is not None:
                self.links.append(value)


def _internal_links(root: Path) -> Iterator[tuple[str, str, Path]]:
    for page in sorted(root.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            if urlsplit(link).scheme in ("http", "https"):
                continue
            target = (page.parent / unquote(urlsplit(link).path)).resolve()
            yield page.relative_to(root).as_posix(), link, target


def test_every_link_resolves_to_a_file_of_the_site(gk, tmp_path: Path) -> None:
    out = tmp_path / "s"
    _build(gk, out)
    links = list(_internal_links(out))
    assert len(links) > 1000
    for page, link, target in links:
        assert target.is_file(), f"{page}: {link}"
        assert target.is_relative_to(out.resolve()), f"{page}: {link}"


def test_stale_pages_of_an_earlier_build_are_removed(gk, tmp_path: Path, data_copy: Path) -> None:
    out = tmp_path / "s"
    _build(gk, out, data_copy)
    mine = out / "notes.txt"
    mine.write_text("kept", encoding="utf-8")
    text = (data_copy / "tasks.yaml").read_text(encoding="utf-8")
    cut = text.index("\n  - id: 75\n")
    (data_copy / "tasks.yaml").write_text(text[: cut + 1], encoding="utf-8")
    _build(gk, out, data_copy)
    assert not (out / "tasks" / "75.html").exists()
    assert (out / "tasks" / "74.html").exists() and mine.exists()


def _drop_task_75(data: Path) -> None:
    text = (data / "tasks.yaml").read_text(encoding="utf-8")
    cut = text.index("\n  - id: 75\n")
    (data / "tasks.yaml").write_text(text[: cut + 1], encoding="utf-8")


def test_files_placed_by_hand_are_left_alone(gk, tmp_path: Path, data_copy: Path) -> None:
    """Issue 22, item 2: only what the previous build wrote (its manifest) is removed."""
    out = tmp_path / "s"
    _build(gk, out, data_copy)
    mine = {
        "units/notes.html": "<p>说明</p>",
        "tasks/faq.html": "<p>问答</p>",
        "CNAME": "gk.example.org",
        "tasks/sub/deep.html": "x",
    }
    for name, text in mine.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    _drop_task_75(data_copy)
    result = gk("site", "--as-of", AS_OF, "-o", str(out), data=data_copy)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"已生成网站 {out}：首页 index.html、40 个单位页、74 个任务页；"
        "删除上次生成、这次已没有的 1 个文件。\n"
    )
    assert not (out / "tasks" / "75.html").exists()
    for name, text in mine.items():
        assert (out / name).read_text(encoding="utf-8") == text
    listed = json.loads((out / ".gkctl-manifest.json").read_text(encoding="utf-8"))
    assert listed["files"] == sorted(p for p in _files(out) if p not in mine and p[0] != ".")


def test_the_manifest_cannot_send_a_removal_outside(gk, tmp_path: Path, data_copy: Path) -> None:
    out = tmp_path / "s"
    _build(gk, out, data_copy)
    victim = tmp_path / "victim.html"
    victim.write_text("mine", encoding="utf-8")
    manifest = out / ".gkctl-manifest.json"
    listed = json.loads(manifest.read_text(encoding="utf-8"))
    listed["files"] += ["../victim.html", str(victim), "tasks/../../victim.html"]
    manifest.write_text(json.dumps(listed), encoding="utf-8")
    _build(gk, out, data_copy)
    assert victim.read_text(encoding="utf-8") == "mine"


def test_a_folder_built_before_the_manifest_loses_nothing(
    gk, tmp_path: Path, data_copy: Path
) -> None:
    out = tmp_path / "s"
    _build(gk, out, data_copy)
    (out / ".gkctl-manifest.json").unlink()
    (out / "units" / "notes.html").write_text("mine", encoding="utf-8")
    _drop_task_75(data_copy)
    result = gk("site", "--as-of", AS_OF, "-o", str(out), data=data_copy)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        f"{out} 中没有上次生成时留下的文件清单 .gkctl-manifest.json（旧版 gkctl 生成的网站），"
        "这次没有删除任何旧页面；如需清理，可删去该目录后重新生成。\n"
    )
    assert (out / "tasks" / "75.html").exists() and (out / "units" / "notes.html").exists()
    # From now on the folder has a manifest, and the next build says nothing more.
    again = gk("site", "--as-of", AS_OF, "-o", str(out), data=data_copy)
    assert again.stderr == f"已生成网站 {out}：首页 index.html、40 个单位页、74 个任务页。\n"


@needs_symlinks
def test_a_link_out_of_the_folder_is_refused_and_nothing_changes(
    gk, tmp_path: Path, data_copy: Path
) -> None:
    """Issue 22, item 2: tasks/ a link to another folder."""
    out = tmp_path / "s"
    _build(gk, out, data_copy)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.html").write_text("mine", encoding="utf-8")
    (elsewhere / "75.html").write_text("mine too", encoding="utf-8")
    for page in (out / "tasks").iterdir():
        page.unlink()
    (out / "tasks").rmdir()
    (out / "tasks").symlink_to(elsewhere, target_is_directory=True)
    before = _files(out)
    result = gk("site", "--as-of", AS_OF, "-o", str(out), data=data_copy)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{out / 'tasks'} 是指向输出目录之外（{elsewhere}）的符号链接：gkctl 不会经由它写入或"
        "删除文件，未做任何改动。请删去这个链接，或把 -o 指向别处。\n"
    )
    assert sorted(os.listdir(elsewhere)) == ["75.html", "keep.html"]
    assert (elsewhere / "75.html").read_text(encoding="utf-8") == "mine too"
    assert _files(out) == before


@needs_symlinks
def test_a_page_linked_out_of_the_folder_is_refused(gk, tmp_path: Path, data_copy: Path) -> None:
    out = tmp_path / "s"
    _build(gk, out, data_copy)
    outside = tmp_path / "mine.html"
    outside.write_text("mine", encoding="utf-8")
    (out / "tasks" / "3.html").unlink()
    (out / "tasks" / "3.html").symlink_to(outside)
    result = gk("site", "--as-of", AS_OF, "-o", str(out), data=data_copy)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{out / 'tasks' / '3.html'} 是指向输出目录之外")
    assert outside.read_text(encoding="utf-8") == "mine"


@needs_symlinks
def test_a_link_inside_the_folder_is_followed(gk, tmp_path: Path, data_copy: Path) -> None:
    out = tmp_path / "s"
    (out / "real-tasks").mkdir(parents=True)
    (out / "tasks").symlink_to("real-tasks", target_is_directory=True)
    _build(gk, out, data_copy)
    assert (out / "real-tasks" / "75.html").is_file()


def test_a_failed_write_leaves_the_old_site_as_it_was(gk, tmp_path: Path, data_copy: Path) -> None:
    """Issue 22, item 9: never half-built with the old pages deleted."""
    out = tmp_path / "s"
    _build(gk, out, data_copy)
    (out / "tasks" / "74.html").chmod(0o444)  # refused by the atomic write, as a hand lock
    before = _files(out)
    _drop_task_75(data_copy)
    result = gk("site", "--as-of", "2024-11-20", "-o", str(out), data=data_copy)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"无法写入 {out / 'tasks' / '74.html'}：文件是只读的")
    assert _files(out) == before
    assert not [p for p in out.rglob("*.tmp")]


def test_output_that_is_a_file_is_a_usage_error(gk, tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.write_text("", encoding="utf-8")
    result = gk("site", "--as-of", AS_OF, "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"-o 应为目录，{target} 是文件。\n"


def test_month_chart_counts_every_task_once(gk) -> None:
    from gkctl.store import loader
    from gkctl.views import report

    dataset = loader.load(DATA)
    from datetime import date

    context = report.build_context(dataset, date(2024, 10, 15))
    bars = site.month_bars(context["tasks"], 2024, context["statuses"])
    assert [b.label for b in bars] == [f"{m}月" for m in range(1, 13)] + ["待定"]
    assert sum(b.total for b in bars) == 75
    assert bars[-1].total == context["counts"]["pending"]
    for key in context["counts"]:
        assert sum(n for b in bars for k, _, n in b.parts if k == key) == context["counts"][key]


def test_the_board_tells_units_apart_and_says_how(gk, tmp_path: Path) -> None:
    """Issue 24: on the bundled plan at 2024-11-05, nobody having reported anything, every
    unit is late on a shared 各部门/各街镇 task; the board still shows the leads, the
    co-operating unit and the crowd in different lights, and the legend says each."""
    out = tmp_path / "site"
    assert gk("site", "-o", str(out), "--as-of", "2024-11-05").exit_code == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    board = page.split('id="board"', 1)[1].split("</section>", 1)[0]
    cards = re.findall(r'<li class="tile (\w+)" data-unit="([^"]+)" data-rank="(\d+)"', board)
    lights = {unit: light for light, unit, _ in cards}
    assert len(cards) == 40 and len(set(lights.values())) >= 3
    assert (lights["区政府办公室"], lights["高新区"], lights["山阳镇"]) == (
        "red",
        "orange",
        "yellow",
    )
    assert [int(rank) for _, _, rank in cards] == list(range(1, 41))
    for label, meaning in (
        ("红灯", "牵头的任务有逾期"),
        ("橙灯", "作为配合单位被点名的任务有逾期"),
        ("黄灯", "只在“各部门/各街镇”分到的任务上逾期"),
        ("绿灯", "按期推进或已完成"),
    ):
        assert f"{label}</span>：{meaning}" in board
    # What the order is by, and each card's move since the month before (2024-10-01).
    assert "排序：依次比较牵头逾期" in board and "“较上期”与 2024年10月1日 相比" in board
    moves = re.findall(r'class="move" data-up="(-?\d+)" data-late="(-?\d+)"', board)
    assert len(moves) == 40 and ("1", "3") in moves  # 区经委: one place up, three more late


def test_every_status_has_a_colour_and_a_swatch() -> None:
    colours = charts.status_colours()
    assert set(colours) == {s.value for s in Status}
    assert len(set(colours.values())) == len(colours)
    css = site._stylesheet(colours)
    for key, colour in colours.items():
        assert f".s-{key} .swatch {{ background: {colour}; }}" in css


# --- in a real browser -----------------------------------------------------------------------

# tests/browser.py talks to Chromium over inherited file descriptors 3 and 4
# (--remote-debugging-pipe), which Windows does not hand to a child process.
EXECUTABLE = None if sys.platform == "win32" else browser.find()
needs_browser = pytest.mark.skipif(
    EXECUTABLE is None,
    reason="Windows: the browser is driven over POSIX pipes (file descriptors 3 and 4)"
    if sys.platform == "win32"
    else "no Chromium found (install Debian's chromium package, or set GKCTL_CHROMIUM; "
    ".ci/run installs it)",
)


@pytest.fixture(scope="module")
def chromium() -> Iterator[browser.Browser]:
    assert EXECUTABLE is not None
    b = browser.Browser(EXECUTABLE)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from gkctl.cli.app import app

    out = tmp_path_factory.mktemp("site")
    result = CliRunner().invoke(
        app, ["site", "--as-of", AS_OF, "-o", str(out), "--data", str(DATA)]
    )
    assert result.exit_code == 0, result.output
    return out


WIDTHS = [pytest.param(1280, False, id="desktop"), pytest.param(390, True, id="phone")]


@needs_browser
@pytest.mark.parametrize(("width", "mobile"), WIDTHS)
@pytest.mark.parametrize("page", ["index.html", "units/区经委.html", "tasks/28.html"])
def test_page_renders_from_disk_with_no_request_off_the_machine(
    chromium: browser.Browser, built: Path, page: str, width: int, mobile: bool
) -> None:
    url = (built / page).as_uri()
    chromium.open(url, width, 900, mobile)
    assert chromium.evaluate("document.readyState") == "complete"
    # site.css applied (the Content-Security-Policy lets the site's own stylesheet in).
    assert (
        chromium.evaluate("getComputedStyle(document.querySelector('header.top')).display")
        == "flex"
    )
    # Nothing wider than the screen: wide tables scroll inside their own box.
    assert chromium.evaluate("document.documentElement.scrollWidth") <= width
    assert browser.png_colours(chromium.screenshot()) > 10
    requests = chromium.requests()
    assert requests and all(r.startswith("file://") for r in requests), requests
    assert {unquote(r) for r in requests} <= {unquote(url), (built / "site.css").as_uri()}


@needs_browser
@pytest.mark.parametrize(("width", "mobile"), WIDTHS)
def test_the_board_tables_need_no_sideways_scrolling_on_a_phone(
    chromium: browser.Browser, built: Path, width: int, mobile: bool
) -> None:
    # A leader on a phone sees every figure of the sections and units without scrolling
    # sideways: there the rows are cards, each figure under its label; on a desktop they
    # stay table rows.
    chromium.open((built / "index.html").as_uri(), width, 900, mobile)
    for table in ("table.sections", "table.units"):
        box = f"document.querySelector('{table}').parentElement"
        assert chromium.evaluate(f"{box}.scrollWidth <= {box}.clientWidth"), table
        row = chromium.evaluate(
            f"getComputedStyle(document.querySelector('{table} tbody tr')).display"
        )
        assert row == ("grid" if mobile else "table-row")
    label = chromium.evaluate(
        "getComputedStyle(document.querySelector('table.units td[data-key=overdue]'), '::before')"
        ".content"
    )
    assert label == ('"已逾期"' if mobile else "none")


@needs_browser
def test_numbers_in_the_page_are_those_of_stats(chromium: browser.Browser, built: Path, gk) -> None:
    chromium.open((built / "index.html").as_uri(), 1280)
    rows = chromium.evaluate(
        """Array.from(document.querySelectorAll('table.units tbody tr')).map(tr => [
             tr.dataset.unit, tr.querySelector('.light').textContent.trim(),
             Object.fromEntries(Array.from(tr.querySelectorAll('td[data-key]'))
               .map(td => [td.dataset.key, td.textContent.trim()]))])"""
    )
    sections = chromium.evaluate(
        """Array.from(document.querySelectorAll('table.sections tbody tr')).map(tr => [
             tr.dataset.section, tr.querySelector('.light').textContent.trim(),
             Object.fromEntries(Array.from(tr.querySelectorAll('td[data-key]'))
               .map(td => [td.dataset.key, td.textContent.trim()]))])"""
    )
    tiles = chromium.evaluate(
        "Array.from(document.querySelectorAll('ul.board li .name')).map(e => e.textContent)"
    )
    # The site compares with the month before, as stats --since previous-month does.
    asked = gk("stats", "--as-of", AS_OF, "--since", "previous-month", "--format", "json")
    stats = json.loads(asked.stdout)
    words = {"red": "●红灯", "orange": "●橙灯", "yellow": "●黄灯", "green": "●绿灯"}

    def expected(record: dict, extra: tuple[str, ...] = ()) -> dict[str, str]:
        keys = ("tasks", "done", "overdue", "due_soon", "extensions", *extra)
        out = {k: str(record[k]) for k in keys}
        out["completion"] = f"{record['completion']:.0%}"
        return out

    assert [r[0] for r in rows] == [u["unit"] for u in stats["units"]] == tiles
    for (_, light, cells), unit in zip(rows, stats["units"], strict=True):
        assert light == words[unit["light"]]
        move = unit["move"]
        late = (
            f"+{move['late']}"
            if move["late"] > 0
            else "±0"
            if not move["late"]
            else f"−{-move['late']}"
        )
        place = f"↑{move['up']}" if move["up"] > 0 else "—" if not move["up"] else f"↓{-move['up']}"
        assert cells == {
            **expected(unit, ("possible", "rank")),
            "move": f"名次{place} 逾期{late}",
        }
    assert [s[0] for s in sections] == [s["section"] for s in stats["sections"]]
    for (_, light, cells), section in zip(sections, stats["sections"], strict=True):
        assert light == words[section["light"]]
        assert cells == expected(section)


@needs_browser
def test_status_totals_and_chart_agree_with_the_plan(
    chromium: browser.Browser, built: Path, gk
) -> None:
    chromium.open((built / "index.html").as_uri(), 1280)
    totals = chromium.evaluate(
        """Object.fromEntries(Array.from(document.querySelectorAll('#totals [data-status]'))
             .map(e => [e.dataset.status, Number(e.textContent)]))"""
    )
    listed = json.loads(gk("list", "--as-of", AS_OF, "--format", "json").stdout)["tasks"]
    expected = {s.value: 0 for s in Status}
    for t in listed:
        expected[t["status"]] += 1
    # 未明确时限 and 已报完成，待销号 are shown only where some task has them, as in the report.
    # A running plan lists none of an ended plan's outcomes.
    rare = ("undated", "reported", *(s.value for s in FINAL))
    assert totals == {k: n for k, n in expected.items() if n or k not in rare}
    assert chromium.evaluate("Number(document.querySelector('[data-total]').textContent)") == 75
    bars = chromium.evaluate(
        """Array.from(document.querySelectorAll('svg.chart rect')).map(r => r.dataset.status)"""
    )
    assert set(bars) <= set(expected)
    in_table = chromium.evaluate(
        """Array.from(document.querySelectorAll('table.months td[data-status]'))
             .reduce((n, td) => n + Number(td.textContent), 0)"""
    )
    assert in_table == 75


@needs_browser
def test_every_link_in_the_browser_opens_a_file_of_the_site(
    chromium: browser.Browser, built: Path
) -> None:
    chromium.open((built / "index.html").as_uri(), 1280)
    links = chromium.evaluate("Array.from(document.links).map(a => a.href)")
    assert len(links) >= 1 + 40 * 2
    for link in links:
        assert link.startswith("file://"), link
        assert Path(unquote(urlsplit(link).path)).is_file(), link


def test_since_adds_the_period_from_core_period(gk, tmp_path: Path) -> None:
    from datetime import date

    from gkctl.core import period
    from gkctl.store import loader

    out = tmp_path / "s"
    _build(gk, out, PLAN, "--since", "2024-10-01")
    page = (out / "index.html").read_text(encoding="utf-8")
    found = period.changes(loader.load(PLAN), date(2024, 10, 1), date(2024, 10, 15))
    assert len(found.progress) == 2 and len(found.requests) == 1
    for key in (
        "progress",
        "returned",
        "accepted",
        "closed",
        "became_overdue",
        "requests",
        "decisions",
    ):
        assert f'data-period="{key}">{len(getattr(found, key))}</b>' in page
    assert len(found.decisions) == 1
    assert "<h3>新报进展（2 条）</h3>" in page and "系统改造" in page
    assert "<h3>延期决定（1 条）</h3>" in page and "理由不足&lt;br&gt;" in page
    task = (out / "tasks" / "5.html").read_text(encoding="utf-8")
    assert (
        '系统改造 <span class="mark">（<span class="label">不批准</span>，'
        '<span class="date">2024年10月14日</span>：理由不足&lt;br&gt;）</span>'
    ) in task
    assert '2024年10月1日</span>之后至<span class="date">2024年10月15日' in page
    without = tmp_path / "plain"
    _build(gk, without, PLAN)
    assert 'id="period"' not in (without / "index.html").read_text(encoding="utf-8")


def test_since_must_come_before_the_date(gk, tmp_path: Path) -> None:
    result = gk("site", "--as-of", AS_OF, "--since", AS_OF, "-o", str(tmp_path / "s"))
    assert result.exit_code == 2
    assert result.stderr.startswith("--since 2024-10-15 应早于查看日期 2024-10-15")
    assert not (tmp_path / "s").exists()


def test_since_previous_month_as_in_the_report(gk, tmp_path: Path) -> None:
    _build(gk, tmp_path / "s", PLAN, "--since", "previous-month")
    page = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert '2024年9月1日</span>之后至<span class="date">2024年10月15日' in page


@needs_browser
def test_pages_print_on_a4(chromium: browser.Browser, built: Path) -> None:
    for page in ("index.html", "units/区经委.html"):
        chromium.open((built / page).as_uri(), 1280)
        pdf = chromium.print_pdf()
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert boxes, page
        for width, height in boxes:  # A4: 210 x 297 mm = 595 x 842 pt
            assert abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1, page


PROGRESS = FIXTURES / "progress" / "plan"


@needs_browser
@pytest.mark.parametrize("data", [DATA, PROGRESS], ids=["bundled", "progress"])
def test_trend_chart_draws_the_numbers_of_stats_trend(
    chromium: browser.Browser, gk, tmp_path: Path, data: Path
) -> None:
    _build(gk, tmp_path / "s", data)
    result = gk("stats", "--trend", "--as-of", AS_OF, "--format", "json", data=data)
    assert result.exit_code == 0
    months = json.loads(result.stdout)["months"]
    chromium.open((tmp_path / "s" / "index.html").as_uri(), 1280)
    points = chromium.evaluate(
        """Array.from(document.querySelectorAll('#trend svg.chart circle')).map(c =>
             [c.dataset.series, c.dataset.month, Number(c.dataset.value)])"""
    )
    drawn: dict[str, list[float]] = {}
    labels: list[str] = []
    for series, month, value in points:
        drawn.setdefault(series, []).append(value)
        if series == "schedule":
            labels.append(month)
    assert len(labels) == len(months) > 0
    # Every status the page lists is a line, point for point the counts of stats --trend.
    listed = chromium.evaluate(
        """Array.from(document.querySelectorAll('#totals [data-status]'))
             .map(e => e.dataset.status)"""
    )
    assert set(drawn) == {*listed, "schedule", "progress"}
    for status in listed:
        assert drawn[status] == [m["counts"][status] for m in months], status

    def percent(part: int, whole: int) -> float:
        return round(100 * part / whole, 1) if whole else 0.0

    assert drawn["schedule"] == [percent(m["passed"], m["dated"]) for m in months]
    assert drawn["progress"] == [percent(m["dated_done"], m["dated"]) for m in months]
    # The table under the chart holds the same counts.
    table = chromium.evaluate(
        """Array.from(document.querySelectorAll('table.trend tbody tr')).map(tr =>
             Object.fromEntries(Array.from(tr.querySelectorAll('td[data-status]'))
               .map(td => [td.dataset.status, Number(td.textContent)])))"""
    )
    assert table == [{s: m["counts"][s] for s in listed} for m in months]


# --- every record on the task and unit pages (issue 24 item 6) -------------------------------

# One of each record, written by the commands an office uses, on a copy of the bundled plan.
RECORDS = (
    ("progress", "add", "31", "--unit", "区经委", "--status", "done", "--note", "已上线",
     "--date", "2024-10-20"),
    ("return", "31", "--unit", "区经委", "--reason", "未附公开链接", "--date", "2024-11-04"),
    ("progress", "add", "28", "--unit", "区经委", "--status", "done", "--date", "2024-10-28"),
    ("accept", "28", "--unit", "区经委", "--date", "2024-11-02"),
    ("progress", "add", "39", "--unit", "区行政服务中心", "--status", "doing", "--note", "正在推进",
     "--date", "2024-10-25"),
    ("extend", "39", "--unit", "区行政服务中心", "--to", "2024-12-15", "--reason", "等待市级平台",
     "--late", "--date", "2024-10-22"),
    ("reject", "39", "--unit", "区行政服务中心", "--reason", "理由不足", "--date", "2024-10-30"),
    ("extend", "2", "--unit", "区经委", "--to", "2025-01-15", "--reason", "年底集中",
     "--date", "2024-10-22"),
    ("approve", "2", "--unit", "区经委", "--date", "2024-10-24"),
    ("close", "69", "--note", "经核查已完成", "--date", "2024-10-30"),
)  # fmt: skip


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The records' data folder, and its site at 2024-11-05 (after every record, with the
    period since 2024-10-01) in site/, at 2024-10-27 (before the return, the accept, the
    decision on 39 and the closing) in early/, and after the plan's end in ended/."""
    from typer.testing import CliRunner

    from gkctl.cli.app import app

    root = tmp_path_factory.mktemp("records")
    data = root / "data"
    import shutil

    shutil.copytree(DATA, data)
    for args in (
        *RECORDS,
        ("site", "--as-of", "2024-11-05", "--since", "2024-10-01", "-o", str(root / "site")),
        ("site", "--as-of", "2024-10-27", "-o", str(root / "early")),
        ("site", "--as-of", "2025-01-15", "--since", "2024-12-01", "-o", str(root / "ended")),
    ):
        result = CliRunner().invoke(app, [*args, "--data", str(data)])
        assert result.exit_code == 0, (args, result.output)
    return root


def _main(page: Path) -> str:
    """The page's main part, its tags taken out: the words a reader sees."""
    text = page.read_text(encoding="utf-8").split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", "", text)


def test_the_task_page_shows_the_return_beside_the_report(gk, records: Path) -> None:
    # `show 31` and `list --format json` say 已逾期: the report was sent back.
    listed = gk("list", "--as-of", "2024-11-05", "-f", "json", data=records / "data")
    assert {t["id"]: t["status"] for t in json.loads(listed.stdout)["tasks"]}[31] == "overdue"
    page = _main(records / "site" / "tasks" / "31.html")
    assert "已逾期" in page
    assert "2024年10月20日 区经委 已完成：已上线" in page
    assert "退办 2024年11月4日：未附公开链接" in page
    # Before the return, the report stands and nothing says 退办.
    early = _main(records / "early" / "tasks" / "31.html")
    assert "退办" not in early and "区经委 已完成：已上线" in early


def test_task_pages_show_decisions_accepts_and_closings_as_of_the_day(records: Path) -> None:
    rejected = _main(records / "site" / "tasks" / "39.html")
    assert "（逾期后申请）" in rejected and "（不批准，2024年10月30日：理由不足）" in rejected
    # On 10-27 the request waited for the office's decision.
    assert "（待批）" in _main(records / "early" / "tasks" / "39.html")
    assert "（批准，2024年10月24日）" in _main(records / "site" / "tasks" / "2.html")
    assert "确认完成 2024年11月2日" in _main(records / "site" / "tasks" / "28.html")
    assert "确认完成" not in _main(records / "early" / "tasks" / "28.html")
    closed = _main(records / "site" / "tasks" / "69.html")
    assert "销号2024年10月30日 经核查已完成" in closed
    assert "销号" not in _main(records / "early" / "tasks" / "69.html")


def test_unit_pages_show_the_units_records(records: Path) -> None:
    from gkctl.store import loader

    page = (records / "site" / "units" / "区经委.html").read_text(encoding="utf-8")
    text = _main(records / "site" / "units" / "区经委.html")
    # Task 31 in the unit's overdue table, marked as sent back; 69 closed.
    row = re.search(r'<tr class="s-overdue">.*?tasks/31\.html.*?</tr>', page)
    assert row is not None and '<span class="record returned">已退办</span>' in row.group(0)
    assert "退办 2024年11月4日：未附公开链接" in text
    assert "确认完成 2024年11月2日" in text
    assert "（批准，2024年10月24日）" in text
    # A record written later than its date says when (the commands write `recorded`).
    entry = loader.load(records / "data").plan.require(31).progress[0]
    assert entry.recorded is not None and entry.recorded != entry.date
    zh = f"{entry.recorded.year}年{entry.recorded.month}月{entry.recorded.day}日"
    assert f"已上线（{zh} 录入）" in text
    other = _main(records / "site" / "units" / "区行政服务中心.html")
    assert "（不批准，2024年10月30日：理由不足）" in other
    assert "销号 2024年10月30日" in _main(records / "site" / "units" / "区政府办公室.html")


# What a reader sees as one word: the status, decision and record labels, the table headers,
# the lights, and every table cell of at most six characters (已完成, 推进中, 不批准).
LABELS = "span.label, b.label, .status, .light, thead th, .record .label, td.date, td.unit, td.days"
SHORT_CELLS = (
    "[...document.querySelectorAll('main td')]"
    ".filter(td => td.innerText.trim().length <= 6 && !td.querySelector('.record'))"
)
# How many lines an element's text takes: its text boxes, top to bottom, each starting a new
# line when it lies below the boxes before it (a swatch or a digit's font may sit a pixel or
# two off the line's characters, so tops are not compared for equality).
LINES = """el => {
  const boxes = [];
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    boxes.push(...[...range.getClientRects()].filter(r => r.width > 0));
  }
  boxes.sort((a, b) => a.top - b.top);
  let lines = 0, bottom = -Infinity;
  for (const r of boxes) {
    if (r.top >= bottom - 2) { lines += 1; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); }
  }
  return lines;
}"""
RECORD_PAGES = [
    "site/index.html",
    "site/units/区经委.html",
    "site/units/区行政服务中心.html",
    "site/tasks/31.html",
    "site/tasks/39.html",
    # After the plan's end: the board's cards say 未完成 and the year's review has a page.
    "ended/index.html",
    "ended/year.html",
]


@needs_browser
@pytest.mark.parametrize("page", RECORD_PAGES)
def test_no_label_breaks_inside_a_word_at_1280(
    chromium: browser.Browser, records: Path, page: str
) -> None:
    chromium.open((records / page).as_uri(), 1280)
    broken = chromium.evaluate(
        f"""(() => {{ const lines = {LINES};
          const els = [...document.querySelectorAll({LABELS!r}), ...{SHORT_CELLS}];
          return els.filter(e => e.innerText.trim() && lines(e) > 1)
                    .map(e => e.innerText.trim()); }})()"""
    )
    assert broken == []
    # The check sees the labels of every kind of record.
    seen = chromium.evaluate(f"[...document.querySelectorAll({LABELS!r})].map(e => e.innerText)")
    assert len(seen) >= 3


@needs_browser
@pytest.mark.parametrize(
    "page", [*RECORD_PAGES[:-1], "site/tasks/28.html", "site/units/区政府办公室.html"]
)
def test_nothing_is_off_screen_on_a_phone(
    chromium: browser.Browser, records: Path, page: str
) -> None:
    """At 390 px every column of a unit's tasks, its records and the period's tables is on
    the screen: the rows reflow; no element reaches past the right edge, and the page does
    not scroll sideways. (The monthly figures under the index's charts, folded away in a
    <details>, keep their columns and scroll in their own box when opened, as the tables of
    the year's review do.)"""
    chromium.open((records / page).as_uri(), 390, 844, True)
    assert chromium.evaluate("document.documentElement.scrollWidth") <= 390
    beyond = chromium.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => {
             if (e.closest('details')) return false;
             // A card table's headers, hidden from the eye and kept for screen readers.
             const head = e.closest('thead');
             if (head && getComputedStyle(head).position === 'absolute') return false;
             const r = e.getBoundingClientRect();
             return r.width > 0 && r.height > 0 && r.right > 390.5;
           }).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 20))"""
    )
    assert beyond == []
    # The columns are there, each with its label (the 剩余 of an overdue task, 逾期N天).
    if "/units/" in page:
        days = chromium.evaluate(
            "getComputedStyle(document.querySelector('table.tasks td.days'), '::before').content"
        )
        assert days == '"剩余"'


class _Reading(dict):
    """A task as the templates see it that notes each field read (any field reads as
    present and set, so that every branch of a template is taken)."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def __missing__(self, key: str) -> str:
        self.read.add(key)
        return "2024-01-01"


@pytest.mark.parametrize("with_role", [True, False])
def test_a_task_row_reads_only_the_fields_it_is_cached_by(with_role: bool) -> None:
    """site.task_row renders a row once per distinct ROW_FIELDS: a field the `row` macro
    reads that is not among them would show one unit's value on another unit's page."""
    macros = site.environment().get_template("_macros.html.j2").module
    t = _Reading()
    html = str(macros.row(t, "../", with_role))
    assert html.startswith("<tr") and "销号" in html and "已退办" in html  # every branch
    assert t.read <= set(site.ROW_FIELDS), t.read - set(site.ROW_FIELDS)
    assert ("role" in t.read) == with_role
