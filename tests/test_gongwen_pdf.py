"""The Word 通报 as LibreOffice prints it (soffice → PDF → pdftotext): the body a leader
reads is at most three pages for the bundled plan at any date of 2024, table headers are
never broken inside a word, dates in tables are whole. Where LibreOffice or pdftotext is
missing these tests are skipped with the reason; `.ci/run` installs both."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from gkctl.views import mdblocks
from tests.conftest import DATA

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_office = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="no LibreOffice (soffice) or pdftotext found (install Debian's libreoffice-writer "
    "and poppler-utils; .ci/run installs them)",
)
BODY_PAGES = 3


def _to_pdf(documents: list[Path], out: Path) -> dict[Path, list[str]]:
    """Each document's PDF pages as text, converted in one LibreOffice run (its own
    profile, so that parallel runs do not share a lock)."""
    assert SOFFICE is not None and PDFTOTEXT is not None
    profile = (out / "profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *map(str, documents)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    pages = {}
    for doc in documents:
        pdf = out / f"{doc.stem}.pdf"
        text = subprocess.run(
            [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        pages[doc] = text.replace("\u2060", "").split("\f")[:-1]
    return pages


def _body_pages(pages: list[str]) -> int:
    """How many pages come before the one headed 附件."""
    for n, page in enumerate(pages):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if lines and lines[0] == "附件":
            return n
    raise AssertionError("no page starts with 附件")


def _report_days() -> list[tuple[date, date | None]]:
    """The 5th and the 20th of every month of 2024, and its last day, each with the
    previous one as --since (a 通报 every half month: the longest 本期变化)."""
    days = [date(2024, m, d) for m in range(1, 13) for d in (5, 20)] + [date(2024, 12, 31)]
    return [(day, days[i - 1] if i else None) for i, day in enumerate(days)]


@needs_office
def test_the_body_is_at_most_three_pages_all_year(gk, tmp_path: Path) -> None:
    documents = {}
    for day, since in _report_days():
        path = tmp_path / f"{day.isoformat()}.docx"
        args = ["--since", since.isoformat()] if since else []
        result = gk("report", "--as-of", day.isoformat(), "-f", "docx", "-o", str(path), *args)
        assert result.exit_code == 0, result.output
        documents[path] = day
    pages = _to_pdf(list(documents), tmp_path)
    for path, day in documents.items():
        body = _body_pages(pages[path])
        assert 1 <= body <= BODY_PAGES, (day, body)
        first = pages[path][0]
        assert "各有关单位：" in first and "落实情况的通报" in first
        ending = pages[path][body - 1]
        assert "上海市金山区人民政府办公室" in ending
        assert f"{day.year} 年 {day.month} 月 {day.day} 日" in ending  # 成文日期


def _markdown_tables(markdown: str) -> list[mdblocks.Table]:
    return [b for b in mdblocks.parse(markdown) if isinstance(b, mdblocks.Table)]


_DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日")


def _unspaced(text: str) -> str:
    """The PDF's text without the single space pdftotext puts between Chinese and digits
    (10 月 31 日); the wider gaps between table columns stay."""
    return re.sub(r"(?<=\d) (?=[^\s\d])|(?<=[^\s\d]) (?=\d)", "", text)


@needs_office
@pytest.mark.parametrize("args", [[], ["-t", "unit", "-u", "区经委"]], ids=["summary", "unit"])
def test_headers_and_dates_are_printed_whole(gk, tmp_path: Path, args: list[str]) -> None:
    common = ["--as-of", "2024-11-05", "--since", "2024-10-01", *args]
    markdown = gk("report", *common).stdout
    path = tmp_path / "r.docx"
    assert gk("report", *common, "-f", "docx", "-o", str(path)).exit_code == 0
    text = _unspaced("\n".join(_to_pdf([path], tmp_path)[path]))
    tables = _markdown_tables(markdown)
    headers = Counter(h for t in tables for h in t.header)
    for label, n in headers.items():
        assert text.count(label) >= n, label  # 任务数, not 任/务/数
    dates = Counter(
        d for t in tables for row in t.rows for cell in row for d in _DATE.findall(cell)
    )
    assert dates
    for day, n in dates.items():
        assert text.count(day) >= n, day


@needs_office
def test_progress_fixture_is_a_gongwen(gk, tmp_path: Path) -> None:
    plan = DATA.parent / "tests" / "fixtures" / "progress" / "plan"
    path = tmp_path / "通报.docx"
    result = gk("report", "--as-of", "2024-11-05", "-f", "docx", "-o", str(path), data=plan)
    assert result.exit_code == 0, result.output
    pages = _to_pdf([path], tmp_path)[path]
    body = _body_pages(pages)
    assert 1 <= body <= BODY_PAGES
    assert "各有关单位：" in pages[0]
    for part in ("总体进展", "存在问题", "下一步要求"):
        assert part in "".join(pages[:body])
    assert "2024 年 11 月 5 日" in pages[body - 1]
    assert pages[body].lstrip().startswith("附件")
