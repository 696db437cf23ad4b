"""Broken and hostile Word/Excel files, each with the start of the import error it must end
as (issue 12, items 9 and 10): tests/test_office_files.py imports each one, and
benchmarks/run.py times the same imports beside a normal table's (make bench)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

# case name -> (the file's bytes, the reason the error names)
Cases = dict[str, tuple[Callable[[], bytes], str]]

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["序号", "任务名称", "任务内容", "责任单位", "时间节点"]


def xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.append(HEADER)
    ws.append([1, "任务甲", "内容甲", "区经委", "11月底前"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def patch(data: bytes, part: str, change: Callable[[str], str] | None) -> bytes:
    """The package with one part changed (None: left out)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == part:
                if change is None:
                    continue
                body = change(body.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, body)
    return out.getvalue()


def cells_after(xml: str, extra: str) -> str:
    return xml.replace("</sheetData>", extra + "</sheetData>")


LAUGHS = (
    '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)

XLSX_CASES: Cases = {
    "billion_laughs": (
        lambda: patch(xlsx(), SHEET, lambda x: x.replace("<worksheet", LAUGHS + "<worksheet", 1)),
        f"{SHEET}：含有 DTD 或实体声明（<!DOCTYPE>），不予读取",
    ),
    "undefined_entity": (
        lambda: patch(xlsx(), SHEET, lambda x: x.replace("<v>1</v>", "<v>&foo;</v>", 1)),
        f"{SHEET}：XML 使用了未定义的实体（第 1 行第 ",
    ),
    "truncated_xml": (
        lambda: patch(xlsx(), SHEET, lambda x: x[: len(x) // 2]),
        f"{SHEET}：XML 内容被截断（第 1 行第 ",
    ),
    "bad_style_index": (
        lambda: patch(xlsx(), SHEET, lambda x: x.replace('<c r="A1"', '<c r="A1" s="999"', 1)),
        "引用了不存在的样式或部件",
    ),
    "no_workbook": (lambda: patch(xlsx(), "xl/workbook.xml", None), "缺少部件"),
    "row_1048577": (
        lambda: patch(
            xlsx(),
            SHEET,
            lambda x: cells_after(x, '<row r="1048577"><c r="A1048577"><v>1</v></c></row>'),
        ),
        f"{SHEET}：第 1048577 行超过上限 10000 行",
    ),
    "cell_far_right": (
        lambda: patch(
            xlsx(), SHEET, lambda x: cells_after(x, '<row r="3"><c r="XFD3"><v>1</v></c></row>')
        ),
        f"{SHEET}：单元格 XFD3 超出可导入的范围（至多 10000 行、50 列）",
    ),
    "merge_bomb": (
        lambda: patch(
            xlsx(),
            SHEET,
            lambda x: x.replace(
                "</sheetData>",
                '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
            ),
        ),
        f"{SHEET}：单元格 XFD1048576 超出可导入的范围（至多 10000 行、50 列）",
    ),
    "not_a_zip": (lambda: b"PK\x03\x04 cut short", "不是完整的 zip 压缩包"),
    "zip_bomb": (
        lambda: patch(xlsx(), "docProps/app.xml", lambda x: x + " " * (50 * 1024 * 1024)),
        "docProps/app.xml：压缩比异常，疑似压缩炸弹",
    ),
}


def docx_with_rows(rows: int, merged: bool = True, span: int = 1) -> bytes:
    """A table whose 任务名称 is one cell merged down over `rows` rows (written as XML)."""
    import docx

    document = docx.Document()
    document.add_table(rows=1, cols=5)
    buffer = io.BytesIO()
    document.save(buffer)

    def cell(text: str, extra: str = "") -> str:
        return f"<w:tc><w:tcPr>{extra}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    body = ["<w:tr>" + "".join(cell(h) for h in HEADER) + "</w:tr>"]
    for n in range(1, rows + 1):
        name = cell("任务甲", '<w:vMerge w:val="restart"/>') if n == 1 else cell("", "<w:vMerge/>")
        if not merged:
            name = cell("任务甲")
        first = cell(str(n), f'<w:gridSpan w:val="{span}"/>' if span > 1 else "")
        body.append(
            f"<w:tr>{first}{name}{cell(f'内容{n}')}{cell('区经委')}{cell('11月底前')}</w:tr>"
        )
    grid = "<w:tblGrid>" + "<w:gridCol/>" * 5 + "</w:tblGrid>"
    table = f"<w:tbl><w:tblPr/>{grid}{''.join(body)}</w:tbl>"

    def put(xml: str) -> str:
        start, end = xml.index("<w:tbl>"), xml.index("</w:tbl>") + len("</w:tbl>")
        return xml[:start] + table + xml[end:]

    return patch(buffer.getvalue(), "word/document.xml", put)


DOCX_CASES: Cases = {
    "merged_20000_rows": (lambda: docx_with_rows(20_000), "word/document.xml：表格超过 10000 行"),
    "grid_span_bomb": (
        lambda: docx_with_rows(2, span=100_000_000),
        "word/document.xml：单元格跨 100000000 列，超过上限 50 列",
    ),
    "dtd": (
        lambda: patch(
            docx_with_rows(2),
            "word/document.xml",
            lambda x: x.replace("<w:document", LAUGHS + "<w:document", 1),
        ),
        "word/document.xml：含有 DTD 或实体声明（<!DOCTYPE>），不予读取",
    ),
    "truncated": (
        lambda: patch(docx_with_rows(2), "word/document.xml", lambda x: x[:-40]),
        "word/document.xml：XML 内容被截断（第 ",
    ),
    "no_document": (lambda: patch(docx_with_rows(2), "word/document.xml", None), ""),
}
