"""The 通报 as a Word document (gkctl report --format docx), the Markdown it comes from, and
the column widths shared with the exported 任务分解表."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from gkctl.exchange import docx_layout, gongwen
from gkctl.views import mdblocks
from gkctl.views.report import md_escape
from tests.conftest import DATA, FIXTURES

AS_OF = "2024-10-15"


def _write(gk, path: Path, *args: str, data: Path = DATA) -> docx.document.Document:
    result = gk("report", "--as-of", AS_OF, "-f", "docx", "-o", str(path), *args, data=data)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"已写入 {path}。\n"
    return docx.Document(str(path))


def _east_asian(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def _paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def test_page_is_a4_with_the_standard_margins(gk, tmp_path: Path) -> None:
    document = _write(gk, tmp_path / "通报.docx")
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]


def test_title_body_and_heading_fonts(gk, tmp_path: Path) -> None:
    document = _write(gk, tmp_path / "通报.docx")
    title = document.paragraphs[0]
    assert title.text == "关于2024年金山区政务公开工作要点\n落实情况的通报"
    assert {_east_asian(r) for r in title.runs} == {"方正小标宋简体"}
    assert {r.font.size for r in title.runs} == {Pt(22)}
    body = next(p for p in document.paragraphs if p.text.startswith("共 75 项任务，"))
    assert _east_asian(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert body.paragraph_format.line_spacing == Pt(28.95)
    h1 = _paragraph(document, "一、总体进展")
    assert _east_asian(h1.runs[0]) == "黑体" and h1.runs[0].font.size == Pt(16)
    h2 = _paragraph(document, "（一）区政府办公室（7 项）")
    assert _east_asian(h2.runs[0]) == "楷体_GB2312"
    headings = [p.text for p in document.paragraphs if re.match(r"^[一二三四五六七]、", p.text)]
    # The 正文's parts, then the attachment's, numbered again from 一.
    assert headings == [
        "一、总体进展",
        "二、存在问题",
        "三、下一步要求",
        "一、总体情况",
        "二、各月走势",
        "三、逾期任务（9 项）",
        "四、即将到期（30 天内，4 项）",
        "五、待市级部署（3 项）",
        "六、各部分进展",
        "七、落后单位",
    ]


def test_founder_fonts_fall_back_through_the_font_table(gk, tmp_path: Path) -> None:
    path = tmp_path / "通报.docx"
    _write(gk, path)
    import zipfile

    fonts = zipfile.ZipFile(path).read("word/fontTable.xml").decode("utf-8")
    for name, alternate in gongwen.ALTERNATES.items():
        assert f'w:name="{name}"><w:altName w:val="{alternate}"/>' in fonts


def test_tables_repeat_their_header_and_keep_rows_whole(gk, tmp_path: Path) -> None:
    document = _write(gk, tmp_path / "通报.docx")
    assert len(document.tables) >= 5
    for table in document.tables:
        first = table.rows[0]._tr.trPr
        assert first.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_page_numbers_are_dashed_right_on_odd_and_left_on_even_pages(gk, tmp_path: Path) -> None:
    document = _write(gk, tmp_path / "通报.docx")
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p.text == "— 1 —"  # the PAGE field's placeholder between the dashes
        assert " PAGE " in p._p.xml and 'w:fldCharType="begin"' in p._p.xml
        assert p.alignment.name.lower() == side
        assert {r.font.size for r in p.runs} == {Pt(14)}


def test_same_report_gives_the_same_bytes(gk, tmp_path: Path) -> None:
    _write(gk, tmp_path / "a.docx")
    _write(gk, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    props = docx.Document(str(tmp_path / "a.docx")).core_properties
    assert props.created.date().isoformat() == AS_OF and props.subject == "督办情况汇总"


@pytest.mark.parametrize("args", [[], ["-t", "unit", "-u", "区经委"]], ids=["summary", "unit"])
def test_word_holds_what_the_markdown_says(gk, tmp_path: Path, args: list[str]) -> None:
    markdown = gk("report", "--as-of", AS_OF, *args).stdout
    document = _write(gk, tmp_path / "r.docx", *args)
    blocks = mdblocks.parse(markdown)
    tables = [b for b in blocks if isinstance(b, mdblocks.Table)]
    assert len(tables) == len(document.tables)
    for expected, table in zip(tables, document.tables, strict=True):
        # Dates are held together by word joiners (gongwen.keep_whole), which show nothing.
        got = [[c.text.replace(gongwen.JOINER, "") for c in row.cells] for row in table.rows]
        assert got == [list(expected.header), *[list(r) for r in expected.rows]]
    text = "\n".join(p.text for p in document.paragraphs)
    for block in blocks:
        if isinstance(block, mdblocks.Paragraph):
            # The line under the title may be laid out as several lines, one per ｜ part.
            assert _squash(block.text) in _squash(text)


def _squash(text: str) -> str:
    return "".join(text.replace("｜", "").split())


def test_the_line_under_the_title_breaks_between_its_parts(gk, tmp_path: Path) -> None:
    # 截至…｜issuer 文号｜临期窗口 is too long for a line of 3号 text: it breaks at the ｜
    # marks, so that 金府办发〔2024〕5号 is never split.
    document = _write(gk, tmp_path / "r.docx")
    meta = next(p for p in document.paragraphs if p.text.startswith("截至"))
    assert meta.text.split("\n") == [
        "截至 2024年10月15日",
        "上海市金山区人民政府办公室 金府办发〔2024〕5号",
        "临期窗口 30 天",
    ]
    assert meta.alignment.name.lower() == "center"


def test_each_unit_in_word(gk, tmp_path: Path) -> None:
    out = tmp_path / "units"
    result = gk(
        "report", "-t", "unit", "--each-unit", "-f", "docx", "-o", str(out), "--as-of", AS_OF
    )
    assert result.exit_code == 0
    assert len(list(out.glob("*.docx"))) == 40
    title = docx.Document(str(out / "区经委.docx")).paragraphs[0].text
    assert title == "区经委 任务清单"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Word 格式的报告需要用 -o 指定文件，如 -o 督办通报.docx。\n"),
        (["-o", "通报.md"], "Word 格式的报告应写入 .docx 文件，通报.md 不是。\n"),
    ],
)
def test_word_needs_a_docx_file(gk, args: list[str], message: str) -> None:
    result = gk("report", "--as-of", AS_OF, "-f", "docx", *args)
    assert result.exit_code == 2
    assert result.stderr == message


def test_a_docx_file_without_format_is_the_word_report(gk, tmp_path: Path) -> None:
    """-o 通报.docx alone writes the Word 通报 (as export's -o does), not Markdown text in a
    file Word refuses to open; the same bytes as --format docx."""
    named = tmp_path / "named.docx"
    result = gk("report", "--as-of", AS_OF, "-o", str(named))
    assert result.exit_code == 0, result.output
    _write(gk, tmp_path / "chosen.docx")
    assert named.read_bytes()[:2] == b"PK"
    assert named.read_bytes() == (tmp_path / "chosen.docx").read_bytes()
    markdown = tmp_path / "r.md"
    assert gk("report", "--as-of", AS_OF, "-o", str(markdown)).exit_code == 0
    assert markdown.read_text(encoding="utf-8").startswith("# ")


def test_markdown_into_a_docx_file_is_refused(gk, tmp_path: Path) -> None:
    path = tmp_path / "通报.docx"
    result = gk("report", "--as-of", AS_OF, "-f", "markdown", "-o", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"-o {path} 是 Word 文件，与 --format markdown 不符：Markdown 报告请写入 .md 文件，"
        "Word 通报去掉 --format 或用 --format docx。\n"
    )
    assert not path.exists()


def test_report_refuses_other_formats(gk) -> None:
    result = gk("report", "--as-of", AS_OF, "-f", "json")
    assert result.exit_code == 2
    assert "此命令不支持 --format json，可用：markdown、docx。" in result.stderr


def test_text_from_the_yaml_reads_as_written(gk, tmp_path: Path) -> None:
    plan = FIXTURES / "site" / "plan"
    document = _write(gk, tmp_path / "r.docx", "-t", "breakdown", data=plan)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert '九月底前完成<script>alert("x")</script>，A&B 与 “引号”。' in cells


# --- the Markdown side ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a|b",
        "*粗* _斜_ `码` [链接](x) ~删~ $公式$ \\反斜杠",
        "<script>&amp;</script>",
        "# 不是标题",
        "1. 不是列表",
        "见 https://example.org 与 www.example.org",
        "两行\n文字",
    ],
)
def test_unescape_undoes_md_escape(text: str) -> None:
    assert mdblocks.unescape(md_escape(text)) == text


def test_table_cells_split_on_unescaped_bars_only() -> None:
    markdown = "| a | b | c |\n| --- | --- | ---: |\n| 1 | " + md_escape("a|b\\") + " | 3 |\n"
    (table,) = mdblocks.parse(markdown)
    assert isinstance(table, mdblocks.Table)
    assert table.rows == (("1", "a|b\\", "3"),) and table.right == (False, False, True)


def test_summary_mermaid_chart_has_the_status_table_numbers(gk) -> None:
    markdown = gk("report", "--as-of", AS_OF).stdout
    chart = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert chart.startswith("pie showData\n    title 任务状态（共 75 项）\n")
    slices = dict(re.findall(r'^\s+"(.+)" : (\d+)$', chart, flags=re.M))
    table = next(b for b in mdblocks.parse(markdown) if isinstance(b, mdblocks.Table))
    counts = {label: n for label, n in table.rows}
    assert slices == {label: n for label, n in counts.items() if n != "0"}


# --- column widths ---------------------------------------------------------------------------


def test_dates_and_numbers_are_measured_whole() -> None:
    header = ["序号", "任务", "截止日期"]
    columns = [["1", "75"], ["很长的任务内容" * 8], ["2024年12月31日", "2024年3月1日"]]
    widths, whole = docx_layout.column_widths(header, columns, 156, 10.5)
    assert whole == [True, False, True]
    em = 10.5 * docx_layout.MM_PER_PT
    assert widths[0] >= 2 * em + docx_layout.CELL_PADDING_MM  # 序号 on one line
    assert widths[2] >= docx_layout.text_em("2024年12月31日") * em + docx_layout.CELL_PADDING_MM
    assert sum(widths) == pytest.approx(156)


def test_export_keeps_serial_numbers_and_dates_on_one_line(gk, tmp_path: Path) -> None:
    path = tmp_path / "表.docx"
    result = gk("export", "-f", "docx", "--as-of", AS_OF, "-o", str(path))
    assert result.exit_code == 0
    table = docx.Document(str(path)).tables[0]
    grid = table._tbl.tblGrid.gridCol_lst
    em = 10.5 * docx_layout.MM_PER_PT
    width = [Length(g.w) for g in grid]
    assert width[0].mm >= 2 * em + docx_layout.CELL_PADDING_MM
    assert width[5].mm >= docx_layout.text_em("2024-12-31") * em + docx_layout.CELL_PADDING_MM
    date_cell = table.rows[2].cells[5]
    assert date_cell._tc.tcPr.find(qn("w:noWrap")) is not None
    path2 = tmp_path / "表2.docx"
    gk("export", "-f", "docx", "--as-of", AS_OF, "-o", str(path2))
    assert path.read_bytes() == path2.read_bytes()


# --- Markdown of a custom template as Word formatting (issue 24 item 7) ----------------------

CUSTOM = """# 自定义通报

**粗体**与*斜体*、`代码`、[区政府网站](https://www.jinshan.gov.cn/)和~~删除~~。

> 引用的**要求**

1. 第一条
2. 第二条
   - 下一层

- 甲
- 乙

| 项目 | 任务数 |
| --- | ---: |
| **重点** | {{ total }} |
"""


def _runs(document, text: str):
    return [r for p in document.paragraphs for r in p.runs if r.text == text]


def test_custom_template_markdown_becomes_word_formatting(gk, tmp_path: Path) -> None:
    template = tmp_path / "custom.md.j2"
    template.write_text(CUSTOM, encoding="utf-8")
    document = _write(gk, tmp_path / "c.docx", "-t", str(template))
    texts = [p.text for p in document.paragraphs]
    assert not any(mark in t for t in texts for mark in ("**", "`", "~~", "](", "> ")), texts
    (bold,) = _runs(document, "粗体")
    assert bold.font.bold and not bold.font.italic
    (italic,) = _runs(document, "斜体")
    assert italic.font.italic and not italic.font.bold
    (code,) = _runs(document, "代码")
    assert code.font.name == gongwen.CODE_FONT
    (strike,) = _runs(document, "删除")
    assert strike.font.strike
    # The link is a Word hyperlink to the address, its text the link's text.
    body = _paragraph(document, "粗体与斜体、代码、区政府网站和删除。")
    (link,) = body._p.findall(qn("w:hyperlink"))
    assert "".join(t.text for t in link.iter(qn("w:t"))) == "区政府网站"
    target = document.part.rels[link.get(qn("r:id"))]
    assert target.is_external and target.target_ref == "https://www.jinshan.gov.cn/"
    # A quote in 楷体, set in; its strong text bold.
    quote = _paragraph(document, "引用的要求")
    assert {_east_asian(r) for r in quote.runs} == {"楷体_GB2312"}
    assert quote.paragraph_format.left_indent == Pt(32)
    assert [bool(r.font.bold) for r in quote.runs] == [False, True]
    # Each list item a paragraph of its own, numbered or dotted; the nested one set further in.
    items = [p for p in document.paragraphs if p.text[:2] in ("1.", "2.", "·下", "·甲", "·乙")]
    assert [p.text for p in items] == ["1. 第一条", "2. 第二条", "·下一层", "·甲", "·乙"]
    assert items[2].paragraph_format.left_indent > items[0].paragraph_format.left_indent
    # A table of the template, with its formatting and the number it printed.
    (table,) = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["项目", "任务数"],
        ["重点", "75"],
    ]
    assert table.rows[1].cells[0].paragraphs[0].runs[0].font.bold


def test_links_in_a_table_are_notes_printed_whole(gk, data_copy: Path, tmp_path: Path) -> None:
    url = "https://www.jinshan.gov.cn/zwgk/2024/10/zhengce-jiedu-peixun.html"
    added = gk(
        "progress", "add", "31", "-u", "区经委", "-s", "doing", "--date", "2024-10-10",
        "--link", url, data=data_copy,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    document = _write(gk, tmp_path / "u.docx", "-t", "unit", "-u", "区经委", data=data_copy)
    table = next(t for t in document.tables if t.rows[0].cells[-1].text == "链接")
    cell = table.rows[1].cells[-1]
    assert cell.text == "[1]"  # a mark in the cell, not an address broken over lines
    (mark,) = cell._tc.iter(qn("w:hyperlink"))
    assert document.part.rels[mark.get(qn("r:id"))].target_ref == url
    note = next(p for p in document.paragraphs if p.text.startswith("[1] "))
    assert note.text == f"[1] {url}"
    (whole,) = note._p.findall(qn("w:hyperlink"))
    assert document.part.rels[whole.get(qn("r:id"))].target_ref == url


# --- tables that fit their content (issue 24 item 2) -----------------------------------------


def _table_pt(table) -> float:
    return table.rows[0].cells[0].paragraphs[0].runs[0].font.size.pt


@pytest.mark.parametrize("args", [[], ["-t", "unit", "-u", "区经委"]], ids=["summary", "unit"])
def test_headers_stay_on_one_line_and_the_task_column_is_widest(
    gk, tmp_path: Path, args: list[str]
) -> None:
    document = _write(gk, tmp_path / "r.docx", "--since", "2024-09-01", *args)
    for table in document.tables:
        em = _table_pt(table) * docx_layout.MM_PER_PT
        header = table.rows[0].cells
        widths = [Length(g.w).mm for g in table._tbl.tblGrid.gridCol_lst]
        for cell, width in zip(header, widths, strict=True):
            # Room for the whole label on one line, and the cell may not wrap it.
            need = docx_layout.text_em(cell.text) * em + docx_layout.CELL_PADDING_MM
            assert width >= need, (cell.text, width, need)
            assert cell._tc.tcPr.find(qn("w:noWrap")) is not None, cell.text
        labels = [c.text for c in header]
        task = next((labels.index(x) for x in ("任务", "任务内容") if x in labels), None)
        if task is not None and len(table.rows) > 1:
            assert widths[task] == max(widths), (labels, widths)


def test_dates_in_table_cells_are_held_together(gk, tmp_path: Path) -> None:
    document = _write(gk, tmp_path / "r.docx", "-t", "unit", "-u", "区经委")
    cells = [c.text for t in document.tables for row in t.rows[1:] for c in row.cells]
    assert "1\u20600\u2060月\u20603\u20601\u2060日" in cells  # 10月31日, no break inside
    assert gongwen.keep_whole("原 2024年9月30日") == "原 " + "\u2060".join("2024年9月30日")


# --- the 通报 as a 公文 (issue 24 item 1) ------------------------------------------------------


def _gongwen_parts(document) -> dict[str, object]:
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    attachment = texts.index("附件")
    return {
        "recipients": paragraphs[1],
        "body": texts[2 : texts.index("附件：2024年金山区政务公开工作要点督办情况明细")],
        "signature": [p for p in paragraphs[:attachment] if p.alignment is not None
                      and p.alignment.name == "RIGHT"],
        "attachment": paragraphs[attachment],
        "after": texts[attachment + 1],
    }  # fmt: skip


def test_summary_is_a_gongwen_body_first_then_the_attachment(gk, tmp_path: Path) -> None:
    document = _write(gk, tmp_path / "通报.docx", "--since", "2024-09-01")
    parts = _gongwen_parts(document)
    recipients = parts["recipients"]
    # 主送: under the title, flush left (no first-line indent), ending in a colon.
    assert recipients.text == "各有关单位："
    assert not recipients.paragraph_format.first_line_indent
    body = parts["body"]
    assert body[0].startswith("为推动《2024年金山区政务公开工作要点》（金府办发〔2024〕5号）")
    heads = [t for t in body if re.match(r"^[一二三四]、", t)]
    assert heads == ["一、总体进展", "二、本期变化", "三、存在问题", "四、下一步要求"]
    overall = body[body.index("一、总体进展") + 1]
    assert "尚无任务完成" in overall and "按序时进度应完成 12.5%" in overall
    assert "已逾期 9 项" in overall
    change = body[body.index("二、本期变化") + 1]
    assert change.startswith("2024年9月1日之后至2024年10月15日，新增逾期 3 项（任务 ")
    problems = "".join(body[body.index("三、存在问题") + 1 : body.index("四、下一步要求")])
    assert "区政府办公室逾期 7 项（牵头任务 " in problems  # who is behind, and on what
    assert "各部门任务 60 已逾期" in problems
    # 落款 and 成文日期: right, the office two characters in, the date under it.
    name, dated = parts["signature"]
    assert (name.text, dated.text) == ("上海市金山区人民政府办公室", "2024年10月15日")
    assert name.paragraph_format.right_indent == Pt(32)
    assert dated.paragraph_format.right_indent > name.paragraph_format.right_indent
    assert name.paragraph_format.space_before == Pt(28.95)  # a blank line above
    # 附件 on a page of its own, in 黑体, its title under it.
    attachment = parts["attachment"]
    assert attachment.paragraph_format.page_break_before
    assert _east_asian(attachment.runs[0]) == "黑体"
    assert parts["after"] == "2024年金山区政务公开工作要点\n督办情况明细"


def test_office_name_recipients_and_date_from_gkctl_toml_and_options(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "gkctl.toml").write_text(
        '[office]\nname = "测试区人民政府办公室"\nrecipients = "各街镇，区各部门"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    markdown = gk("report", "--as-of", AS_OF).stdout
    assert "\n各街镇，区各部门：\n" in markdown
    assert '<p align="right">测试区人民政府办公室<br>2024年10月15日</p>' in markdown
    document = _write(
        gk, tmp_path / "通报.docx", "--office", "另一个办公室", "--dated", "2024-10-16"
    )
    assert document.paragraphs[1].text == "各街镇，区各部门："  # from gkctl.toml
    parts = _gongwen_parts(document)
    assert [p.text for p in parts["signature"]] == ["另一个办公室", "2024年10月16日"]


def test_a_report_over_several_plans_is_signed_as_one_plans_is(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of plans gives each plan's report one after another: each with the 主送 and
    落款 of gkctl.toml's [office], or of --office, --recipients and --dated."""
    plans = FIXTURES / "plans" / "plans"
    (tmp_path / "gkctl.toml").write_text(
        '[office]\nname = "测试区人民政府办公室"\nrecipients = "各街镇，区各部门"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    both = gk("report", "--as-of", "2025-03-01", data=plans)
    assert both.exit_code == 0, both.output
    assert both.stdout.count("\n---\n\n") == 1
    assert both.stdout.count("\n各街镇，区各部门：\n") == 2
    assert both.stdout.count('<p align="right">测试区人民政府办公室<br>2025年3月1日</p>') == 2
    assert "各有关单位" not in both.stdout
    given = gk(
        "report", "--as-of", "2025-03-01", "--office", "另一个办公室", "--recipients",
        "区各委、办、局", "--dated", "2025-03-03", data=plans,
    ).stdout  # fmt: skip
    assert given.count("\n区各委、办、局：\n") == 2
    assert given.count('<p align="right">另一个办公室<br>2025年3月3日</p>') == 2


# A figure of nothing read out in the 正文: "尚未到期 0 项", "不批准 0 条", "已报完成 0/10", "0%".
ZERO = re.compile(r"(?<![\d.])0(?: 项| 条| 个|%|/)")
RECORDS = (
    ("progress", "add", "31", "--unit", "区经委", "--status", "done", "--date", "2024-10-20"),
    ("progress", "add", "39", "--unit", "区行政服务中心", "--status", "doing", "--date", "2024-10-25"),
    ("extend", "2", "--unit", "区经委", "--to", "2025-01-15", "--reason", "年底集中",
     "--date", "2024-10-22"),
    ("approve", "2", "--unit", "区经委", "--date", "2024-10-24"),
    ("extend", "39", "--unit", "区行政服务中心", "--to", "2024-12-15", "--reason", "等待",
     "--late", "--date", "2024-10-22"),
    ("reject", "39", "--unit", "区行政服务中心", "--reason", "理由不足", "--date", "2024-10-30"),
)  # fmt: skip


@pytest.mark.parametrize(
    ("as_of", "since", "said", "unsaid"),
    [
        # Nothing done yet, nothing closed.
        ("2024-04-15", None, ["尚无任务完成", "实际尚无任务销号"], ["完成率"]),
        # One report, of work in progress: no "其中报完成 0 条".
        ("2024-10-26", "2024-10-24", ["各单位报送进展 1 条。", "个单位均未报完成"], ["其中"]),
        # One approval and no refusal, then one refusal and no approval.
        ("2024-10-25", "2024-10-01", ["；批准延期 1 条。"], ["不批准"]),
        ("2024-11-05", "2024-10-26", ["，不批准延期 1 条；"], ["批准延期 0", "；批准延期"]),
        # After the plan's end.
        ("2025-01-15", "2024-12-01", ["本计划已于2024年12月31日结束"], []),
    ],
)
def test_the_body_leaves_out_what_is_zero(
    gk, data_copy: Path, as_of: str, since: str | None, said: list[str], unsaid: list[str]
) -> None:
    for args in RECORDS:
        # Each typed in on its day: the period counts a report by the day it reached the office.
        on_the_day = {"GKCTL_TODAY": args[args.index("--date") + 1]}
        assert gk(*args, data=data_copy, env=on_the_day).exit_code == 0, args
    period = ["--since", since] if since else []
    result = gk("report", "--as-of", as_of, *period, data=data_copy)
    assert result.exit_code == 0, result.output
    body = result.stdout.split('<p align="right">', 1)[0]
    assert "## 总体进展" in body and "## 下一步要求" in body
    assert ZERO.findall(body) == []
    for words in said:
        assert words in body
    for words in unsaid:
        assert words not in body


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[office]\nnmae = "x"\n', "[office] 中未知的设置“nmae”"),
        ('office = "区府办"\n', "office 应为一个表"),
        ('[office]\nname = ""\n', "[office] 的 name 应为一行文字"),
    ],
)
def test_office_settings_that_are_wrong_are_usage_errors(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, message: str
) -> None:
    (tmp_path / "gkctl.toml").write_text(toml, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = gk("report", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_dated_must_be_a_date(gk) -> None:
    result = gk("report", "--as-of", AS_OF, "--dated", "十月")
    assert result.exit_code == 2
    assert result.stderr == "--dated“十月”无法识别，请写作 YYYY-MM-DD，如 2024-10-15。\n"
