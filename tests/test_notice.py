"""gkctl notice: the 督办通知单 as Word — the matters of `notify`, numbered from
notice-log.yaml so that no number is given twice, written with the log all or none; real
files, the real resolver, python-docx to read what was written, LibreOffice (where it is
installed) to count the pages."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest

from gkctl.store import noticelog
from tests.conftest import FIXTURES

Run = Callable[..., Any]
DAY = "2024-11-05"


def _texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def _first_column(path: Path) -> list[str]:
    ids = []
    for table in docx.Document(str(path)).tables:
        ids += [row.cells[0].text for row in table.rows[1:]]
    return ids


def _cells(row: Any) -> list[str]:
    # A date cell holds word joiners that keep it on one line (exchange.gongwen).
    return [c.text.replace("\u2060", "") for c in row.cells]


def test_one_units_notice_says_what_notify_says_as_a_numbered_gongwen(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "经委.docx"
    made = gk("notice", "--unit", "经委", "--as-of", DAY, "-o", str(out), data=data_copy)
    assert made.exit_code == 0, made.stderr
    assert made.stdout == (
        f"已写出 {out}：督办〔2024〕第1号，区经委，6 项事项，限 2024-11-12 前回复。\n"
    )
    texts = _texts(out)
    assert texts[:4] == [
        "督办通知单",
        "督办〔2024〕第1号｜限2024年11月12日前回复",
        "区经委：",
        "根据《2024年金山区政务公开工作要点》的任务分解，截至2024年11月5日，你单位有以下"
        " 6 项事项需要办理，现予督办。",
    ]
    assert "一、已逾期的任务（4 项）" in texts and "二、即将到期的任务（2 项）" in texts
    assert texts[-3:] == [
        "请于2024年11月12日前将办理情况报区政府办公室：已完成的，报送完成情况和公开链接；"
        "被退办的，补充后重新报送；确需延期的，在截止日期前申请延期。",
        "区政府办公室",
        "2024年11月5日",
    ]
    # The same matters as notify's, in the same order.
    said = gk("notify", "--unit", "经委", "--as-of", DAY, "--format", "json", data=data_copy)
    (one,) = json.loads(said.stdout)["notices"]
    assert _first_column(out) == [str(i["id"]) for i in one["items"]]
    assert _first_column(out) == ["60", "31", "72", "73", "28", "59"]
    row = docx.Document(str(out)).tables[0].rows[1]
    assert _cells(row) == ["60", "高质量推进政府开放活动", "8月31日", "66 天"]
    # Headings go over with what they head; the 落款 never stands alone on a page.
    paragraphs = [p for p in docx.Document(str(out)).paragraphs if p.text.strip()]
    kept = [p.text for p in paragraphs if p.paragraph_format.keep_with_next]
    assert kept == [
        "一、已逾期的任务（4 项）",
        "二、即将到期的任务（2 项）",
        "三、办理要求",
        texts[-3],
        "区政府办公室",
    ]
    # Laid out as the 通报: A4, the GB/T 9704 margins.
    section = docx.Document(str(out)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    log = (data_copy / "notice-log.yaml").read_text(encoding="utf-8")
    assert log.endswith(
        f'notices:\n  - {{year: "2024", number: "1", unit: "区经委", date: 2024-11-05, '
        f'notice: "{one["fingerprint"]}"}}\n'
    )


def test_numbers_go_on_and_a_same_notice_the_same_day_keeps_its_own(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    def issue(unit: str, day: str) -> str:
        made = gk("notice", "-u", unit, "--as-of", day, data=data_copy)
        assert made.exit_code == 0, made.stderr
        return str(made.stdout)

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        assert "督办〔2024〕第1号，区经委" in issue("区经委", DAY)
        assert "督办〔2024〕第2号，区民政局" in issue("区民政局", DAY)
        log = (data_copy / "notice-log.yaml").read_bytes()
        again = issue("区经委", DAY)
        assert "督办〔2024〕第1号（同日同内容，沿用原编号），区经委" in again
        assert (data_copy / "notice-log.yaml").read_bytes() == log
        assert "督办〔2024〕第3号，区经委" in issue("区经委", "2024-11-06")
        written = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert written == [
        "区民政局-督办〔2024〕第2号.docx",
        "区经委-督办〔2024〕第1号.docx",
        "区经委-督办〔2024〕第3号.docx",
    ]


def test_each_unit_numbers_every_unit_once(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "督办"
    made = gk("notice", "--each-unit", "--as-of", DAY, "-o", str(out), data=data_copy)
    assert made.exit_code == 0, made.stderr
    files = sorted(out.glob("*.docx"))
    assert len(files) == 40 == made.stdout.count("已写出 ")
    numbers = [int(f.name.split("第")[1].split("号")[0]) for f in files]
    assert sorted(numbers) == list(range(1, 41))
    assert (out / "石化街道-督办〔2024〕第40号.docx").is_file()  # units.yaml's order
    lines = (data_copy / "notice-log.yaml").read_text(encoding="utf-8").splitlines()
    assert len([line for line in lines if line.startswith("  - {year:")]) == 40


def test_all_or_none_a_document_that_cannot_be_written_leaves_no_file_and_no_number(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "督办"
    # In the way of the last file, after 39 written to temporaries.
    (out / "石化街道-督办〔2024〕第40号.docx").mkdir(parents=True)
    made = gk("notice", "--each-unit", "--as-of", DAY, "-o", str(out), data=data_copy)
    assert made.exit_code == 1
    assert (
        made.stderr
        == f"无法写入 {out / '石化街道-督办〔2024〕第40号.docx'}：这是一个目录，请给出文件名。\n"
    )
    assert [p.name for p in out.iterdir()] == ["石化街道-督办〔2024〕第40号.docx"]
    assert not (data_copy / "notice-log.yaml").exists()


def test_dry_run_writes_nothing_and_takes_no_number(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "a.docx"
    shown = gk("notice", "-u", "经委", "--as-of", DAY, "-o", str(out), "--dry-run", data=data_copy)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout == (
        f"将写出 {out}：督办〔2024〕第1号，区经委，6 项事项，限 2024-11-12 前回复。\n"
    )
    assert "未写入（--dry-run）" in shown.stderr
    assert not out.exists() and not (data_copy / "notice-log.yaml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "请给出 --unit 单位，或用 --each-unit 为每个有事项要办的单位各写一份。"),
        (
            ["-u", "区经委", "--each-unit"],
            "请给出 --unit 单位，或用 --each-unit 为每个有事项要办的单位各写一份。",
        ),
        (["-u", "区经委", "-o", "x.pdf"], "-o x.pdf：督办通知单是 Word 文件，请用 .docx 扩展名。"),
        (
            ["-u", "区经委", "--reply-by", "2024-11-01"],
            "回复期限 2024-11-01 早于查看日期 2024-11-05。",
        ),
    ],
    ids=["neither", "both", "not-docx", "reply-before"],
)
def test_usage_errors(gk: Run, data_copy: Path, args: list[str], message: str) -> None:
    refused = gk("notice", "--as-of", DAY, *args, data=data_copy)
    assert (refused.exit_code, refused.stderr) == (2, message + "\n")
    assert not (data_copy / "notice-log.yaml").exists()


def test_reply_by_and_contact_and_the_office_of_contacts_yaml(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    (data_copy / "contacts.yaml").write_text(
        "office: 金山区人民政府办公室\nunits: []\n", encoding="utf-8"
    )
    out = tmp_path / "a.docx"
    made = gk(
        "notice",
        "-u",
        "区经委",
        "--as-of",
        DAY,
        "--reply-by",
        "2024-11-20",
        "--contact",
        "联系人：政务公开科，电话：57920000",
        "-o",
        str(out),
        data=data_copy,
    )
    assert made.exit_code == 0, made.stderr
    texts = _texts(out)
    assert texts[1] == "督办〔2024〕第1号｜限2024年11月20日前回复"
    assert texts[-3:] == [
        "联系人：政务公开科，电话：57920000",
        "金山区人民政府办公室",
        "2024年11月5日",
    ]


def test_a_unit_with_nothing_to_act_on_gets_no_notice(gk: Run, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(FIXTURES / "progress" / "plan", plan)
    units = plan / "units.yaml"
    park = "  - name: 戊园区\n    kind: park\n"
    units.write_text(
        units.read_text(encoding="utf-8").replace("\ngroups:", park + "\ngroups:"),
        encoding="utf-8",
    )
    made = gk("notice", "-u", "戊园区", "--as-of", DAY, data=plan)
    assert (made.exit_code, made.stdout) == (0, "")
    assert made.stderr == "戊园区 截至 2024-11-05 没有需要督办的事项，未生成督办通知单。\n"
    assert not (plan / "notice-log.yaml").exists()


def test_numbers_start_again_each_year(tmp_path: Path) -> None:
    def none(issued: list[noticelog.Issued]) -> list[tuple[Path, bytes]]:
        return []

    first = noticelog.issue(
        tmp_path, [("区经委", "a"), ("区民政局", "b")], date(2024, 12, 30), none
    )
    later = noticelog.issue(tmp_path, [("区经委", "a")], date(2025, 1, 3), none)
    assert [i.label for i in first + later] == [
        "督办〔2024〕第1号",
        "督办〔2024〕第2号",
        "督办〔2025〕第1号",
    ]


def test_across_plans_the_log_is_the_folder_of_plans_own(gk: Run, tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    shutil.copytree(FIXTURES / "plans" / "plans", folder)
    out = tmp_path / "a.docx"
    made = gk("notice", "-u", "区经委", "--as-of", "2025-03-05", "-o", str(out), data=folder)
    assert made.exit_code == 0, made.stderr
    assert (folder / "notice-log.yaml").is_file()
    assert _first_column(out) == ["2025#3", "2024#8"]  # as the cross-plan due names them


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler are not installed",
)
def test_pages_and_the_signature_never_alone_on_a_page(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "石化街道.docx"
    made = gk("notice", "-u", "石化街道", "--as-of", DAY, "-o", str(out), data=data_copy)
    assert made.exit_code == 0, made.stderr
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = out.with_suffix(".pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    # pdftotext puts spaces between Chinese and digits: compare without any.
    pages = ["".join(p.split()) for p in text.split("\f") if p.strip()]
    assert len(pages) == 2
    last = pages[-1]
    assert "区政府办公室" in last and "2024年11月5日" in last
    # The heading and the text it heads went over with the 落款 (keep with next).
    assert "三、办理要求" in last and "请于2024年11月12日前" in last
    assert "一、已逾期的任务" in pages[0]


def test_the_office_of_gkctl_toml_signs_notice_and_notify_unless_office_is_given(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 通报's [office] name (gkctl.toml) signs the 督办通知单 and notify's messages too;
    it comes before contacts.yaml's office, and --office before both."""
    (data_copy / "contacts.yaml").write_text(
        "office: 联系表中的办公室\nunits: []\n", encoding="utf-8"
    )
    (tmp_path / "gkctl.toml").write_text(
        '[office]\nname = "测试区人民政府办公室"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    made = gk("notice", "-u", "区经委", "--as-of", DAY, "-o", "a.docx", data=data_copy)
    assert made.exit_code == 0, made.stderr
    assert _texts(tmp_path / "a.docx")[-2:] == ["测试区人民政府办公室", "2024年11月5日"]
    said = gk("notify", "-u", "区经委", "--as-of", DAY, data=data_copy)
    assert "在截止前申请。测试区人民政府办公室\n" in said.stdout
    given = gk(
        "notice",
        "-u",
        "区经委",
        "--as-of",
        DAY,
        "-o",
        "b.docx",
        "--office",
        "另一个办公室",
        data=data_copy,
    )
    assert given.exit_code == 0, given.stderr
    assert _texts(tmp_path / "b.docx")[-2] == "另一个办公室"
    said = gk("notify", "-u", "区经委", "--as-of", DAY, "--office", "另一个办公室", data=data_copy)
    assert "在截止前申请。另一个办公室\n" in said.stdout
