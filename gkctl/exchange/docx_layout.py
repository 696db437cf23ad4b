"""What the Word files gkctl writes share: table column widths that keep numbers and dates
whole, fonts set in the East Asian slot, and the same bytes for the same input.

Widths are measured, not guessed: a Chinese character is one em of the table's font, a
digit or Latin letter a little over half of one. A column whose every cell is short (序号, dates, counts,
逾期45天) gets the width of its longest cell, so that LibreOffice and Word never break
2024年12月31日 or 序号 over two lines; the text columns share what is left.
"""

from __future__ import annotations

import io
import math
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from gkctl.core import textsafe
from gkctl.exchange.package import pinned_member

MM_PER_PT = 25.4 / 72
# Left and right cell margins (set_table_widths writes them): 1 mm each side, narrower
# than Word's 1.9 mm, which leaves the text columns of a six-column table more room.
CELL_MARGIN_MM = 1.0
CELL_PADDING_MM = 2 * CELL_MARGIN_MM
# A digit is half an em in 宋体, 仿宋 or Times New Roman, but 0.64 in DejaVu Sans, which
# LibreOffice substitutes where those fonts are missing: measure for the wider one.
NARROW_EM = 0.6
WHOLE_LIMIT_EM = 10.0  # a column whose cells are all this short is kept on one line (dates)
TEXT_MIN_EM = 6.0  # the room a text column is sure of when choosing the table's font
TEXT_START_EM = 3.0  # where a text column's width starts before the lines are weighed
_SLACK_EM = 0.5  # rounding in the renderers (and bold headers) must not tip a cell over


def _line_em(line: str) -> float:
    width, wide_before = 0.0, None
    for ch in line:
        wide = unicodedata.east_asian_width(ch) in "WF"
        width += 1.0 if wide else NARROW_EM
        if wide_before is not None and wide != wide_before and not ch.isspace():
            # Word and LibreOffice put a little space between Chinese and Latin/digits
            # (autoSpaceDE/autoSpaceDN): 2024年3月31日 is wider than its characters.
            width += 0.25
        wide_before = wide
    return width


def text_em(text: str) -> float:
    """Width of the longest line of text in ems: wide (CJK) characters 1, others
    NARROW_EM, and a quarter between a Chinese character and a digit or Latin letter."""
    return max(_line_em(line) for line in text.split("\n"))


def column_widths(
    header: Sequence[str],
    columns: Sequence[Sequence[str]],
    usable_mm: float,
    font_pt: float,
) -> tuple[list[float], list[bool]]:
    """Widths in mm for a table `usable_mm` wide, and which columns are kept whole (no
    wrap). Every header stays on one line where the widths allow it (fits() says whether
    they do at a font size); the text columns share what the whole ones leave so that the
    table is as short as it can be, which gives the task text the most room."""
    em = font_pt * MM_PER_PT
    n = len(header)
    body_em = [max((text_em(c) for c in col), default=0.0) for col in columns]
    head_em = [text_em(h) for h in header]
    whole = [body_em[j] <= WHOLE_LIMIT_EM for j in range(n)]
    natural = sum(
        (max(b, h) + _SLACK_EM) * em + CELL_PADDING_MM
        for b, h in zip(body_em, head_em, strict=True)
    )
    if all(whole) and natural > usable_mm:
        # Nothing to wrap and no room: the widest column gives way, as text.
        whole[max(range(n), key=lambda j: body_em[j])] = False

    def fixed(split_header: bool) -> list[float]:
        out = []
        for j in range(n):
            head = head_em[j] / 2 if split_header else head_em[j]
            out.append((max(body_em[j], head) + _SLACK_EM) * em + CELL_PADDING_MM)
        return out

    text_cols = [j for j in range(n) if not whole[j]]
    room_for_text = sum(
        (max(TEXT_MIN_EM, head_em[j]) + _SLACK_EM) * em + CELL_PADDING_MM for j in text_cols
    )
    widths = fixed(False)
    split = sum(widths[j] for j in range(n) if whole[j]) + room_for_text > usable_mm
    if split:
        # No room for every header on one line even at the smallest size (fits() is
        # False): a header such as 待市级部署 may take two lines; the figures under it may not.
        widths = fixed(True)
    used = sum(widths[j] for j in range(n) if whole[j])
    if not text_cols:
        scale = usable_mm / used if used else 1.0
        return [w * scale for w in widths], whole
    # A text column is never narrower than its header (责任单位 stays on one line); from
    # there the width goes where it saves lines, not a fixed share to every text column.
    for j in text_cols:
        head = head_em[j] / 2 if split else head_em[j]
        widths[j] = (max(TEXT_START_EM, head) + _SLACK_EM) * em + CELL_PADDING_MM
    rest = max(usable_mm - used - sum(widths[j] for j in text_cols), 0.0)
    shares = _share(rest, [columns[j] for j in text_cols], [widths[j] for j in text_cols], em)
    for j, extra in zip(text_cols, shares, strict=True):
        widths[j] += extra
    return widths, whole


_SAMPLE_ROWS = 400  # enough rows to see the shape of a table; a 100,000-row one is sampled


def _share(
    rest_mm: float, columns: Sequence[Sequence[str]], start_mm: Sequence[float], em: float
) -> list[float]:
    """How the text columns share `rest_mm`: a step at a time, to the column where it
    saves the most lines over the table's rows (a row is as tall as its tallest cell), so
    that the long task text gets the width and a short 责任单位 only what it needs. What
    no column needs any more goes to them by their widest cell."""
    rows = max((len(c) for c in columns), default=0)
    picked = range(rows) if rows <= _SAMPLE_ROWS else range(0, rows, rows // _SAMPLE_ROWS)
    # Each cell as the widths of its lines, in ems.
    cells = [
        [
            [_line_em(part) for part in (col[r] if r < len(col) else "").split("\n")]
            for col in columns
        ]
        for r in picked
    ]
    extra = [0.0] * len(columns)
    step = em  # one character more at a time

    def lines(cell: list[float], width_mm: float) -> int:
        room = max((width_mm - CELL_PADDING_MM) / em - _SLACK_EM, 1.0)
        return sum(max(1, math.ceil(w / room)) for w in cell)

    def height(widths: Sequence[float]) -> tuple[int, int]:
        """The table's lines (each row as tall as its tallest cell), then the lines of
        every cell: where two columns are equally tall in a row, widening either alone
        saves no row a line, but it still shortens a cell, which leads to the row."""
        rows_total = cells_total = 0
        for row in cells:
            per = [lines(row[j], widths[j]) for j in range(len(widths))]
            rows_total += max(per)
            cells_total += sum(per)
        return rows_total, cells_total

    left = rest_mm
    current = list(start_mm)
    best = height(current)
    while left >= step:
        gains = []
        for j in range(len(columns)):
            trial = list(current)
            trial[j] += step
            after = height(trial)
            gains.append((best[0] - after[0], best[1] - after[1]))
        j = max(range(len(columns)), key=lambda k: (gains[k], _widest(columns[k])))
        if gains[j] <= (0, 0):
            break
        current[j] += step
        extra[j] += step
        best = (best[0] - gains[j][0], best[1] - gains[j][1])
        left -= step
    if left > 0:
        weights = [max(_widest(col), 1.0) for col in columns]
        total = sum(weights)
        for j, w in enumerate(weights):
            extra[j] += left * w / total
    return extra


def _widest(column: Sequence[str]) -> float:
    return max((text_em(c) for c in column), default=0.0)


def fits(
    header: Sequence[str], columns: Sequence[Sequence[str]], usable_mm: float, font_pt: float
) -> bool:
    """Whether every header can stay on one line, with the short columns whole and each
    text column at least TEXT_MIN_EM wide, at `font_pt`."""
    em = font_pt * MM_PER_PT
    need = 0.0
    for h, col in zip(header, columns, strict=False):
        body = _widest(col)
        floor = body if body <= WHOLE_LIMIT_EM else TEXT_MIN_EM
        need += (max(floor, text_em(h)) + _SLACK_EM) * em + CELL_PADDING_MM
    return need <= usable_mm


def set_table_widths(table: Any, widths_mm: Sequence[float], whole: Sequence[bool]) -> None:
    """Fixed layout with these column widths on the grid and every cell; whole columns
    get <w:noWrap/> as well (which Word honours)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(round(CELL_MARGIN_MM / 25.4 * 1440)))  # twips
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    tbl_pr.append(margins)
    table.autofit = False
    for j, column in enumerate(table.columns):
        column.width = Mm(widths_mm[j])
    for tr in table._tbl.tr_lst:
        j = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            # A merged cell (a section row) is as wide as the columns it spans, and wraps.
            tc.width = Mm(sum(widths_mm[j : j + span]))
            if span == 1 and j < len(whole) and whole[j]:
                tc_pr = tc.get_or_add_tcPr()
                if tc_pr.find(qn("w:noWrap")) is None:
                    tc_pr.append(OxmlElement("w:noWrap"))
            j += span


def set_font(
    run: Any, east_asian: str, size_pt: float, latin: str | None = None, bold: bool = False
) -> None:
    """A run's font: Word takes Chinese text's font from the East Asian slot."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = latin or east_asian
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def add_hyperlink(
    paragraph: Any, url: str, text: str, east_asian: str, size_pt: float, latin: str | None = None
) -> Any:
    """A clickable link (w:hyperlink to an external address) at the end of `paragraph`,
    blue and underlined as Word shows links; returns its run, for more formatting."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = paragraph.add_run(text)
    set_font(run, east_asian, size_pt, latin)
    run.font.underline = True
    run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    link.append(run._r)  # moved from the paragraph into the link
    paragraph._p.append(link)
    return run


def saved(
    document: Any, title: str, subject: str, as_of: date, comments: str | None = None
) -> bytes:
    """The document's bytes, with its properties dated `as_of` and every zip member's time
    pinned (pinned): the same input gives the same bytes."""
    props = document.core_properties
    stamp = datetime.combine(as_of, time(0))
    props.title = textsafe.visible(title)
    props.subject = textsafe.visible(subject)
    if comments is not None:
        props.comments = textsafe.visible(comments)
    props.author = props.last_modified_by = "gkctl"
    props.created = props.modified = stamp
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return pinned(buffer.getvalue())


def pinned(docx_bytes: bytes) -> bytes:
    """The package again with every member's time set to 1980-01-01, in the same order:
    python-docx stamps members with the current time, and the same input must give the
    same bytes."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(pinned_member(info.filename), source.read(info.filename))
    return out.getvalue()
