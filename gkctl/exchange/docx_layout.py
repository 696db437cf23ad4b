"""What the Word files gkctl writes share: table column widths that keep numbers and dates
whole, fonts set in the East Asian slot, and the same bytes for the same input.

Widths are measured, not guessed: a Chinese character is one em of the table's font, a
digit or Latin letter a little over half of one. A column whose every cell is short (序号, dates, counts,
逾期45天) gets the width of its longest cell, so that LibreOffice and Word never break
2024年12月31日 or 序号 over two lines; the text columns share what is left.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from gkctl.core import textsafe

MM_PER_PT = 25.4 / 72
# Left and right cell margins (set_table_widths writes them): 1 mm each side, narrower
# than Word's 1.9 mm, which leaves the text columns of a six-column table more room.
CELL_MARGIN_MM = 1.0
CELL_PADDING_MM = 2 * CELL_MARGIN_MM
# A digit is half an em in 宋体, 仿宋 or Times New Roman, but 0.64 in DejaVu Sans, which
# LibreOffice substitutes where those fonts are missing: measure for the wider one.
NARROW_EM = 0.6
WHOLE_LIMIT_EM = 10.0  # a column whose cells are all this short is kept on one line (dates)
TEXT_MIN_EM = 6.0
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
    weights: Sequence[float] | None = None,
) -> tuple[list[float], list[bool]]:
    """Widths in mm for a table `usable_mm` wide, and which columns are kept whole (no
    wrap). `weights` (optional) is how the text columns share the rest; by default, by
    the width of their longest cell."""
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
    room_for_text = len(text_cols) * (TEXT_MIN_EM * em + CELL_PADDING_MM)
    widths = fixed(False)
    if sum(widths[j] for j in range(n) if whole[j]) + room_for_text > usable_mm:
        # A header such as 待市级部署 may take two lines; the figures under it may not.
        widths = fixed(True)
    used = sum(widths[j] for j in range(n) if whole[j])
    if not text_cols:
        scale = usable_mm / used if used else 1.0
        return [w * scale for w in widths], whole
    # A text column is never narrower than its header (责任单位 stays on one line).
    for j in text_cols:
        widths[j] = max(TEXT_MIN_EM, head_em[j] + _SLACK_EM) * em + CELL_PADDING_MM
    rest = max(usable_mm - used - sum(widths[j] for j in text_cols), 0.0)
    share = [
        (weights[j] if weights is not None else max(min(body_em[j], 60.0), head_em[j], 1.0))
        for j in text_cols
    ]
    total = sum(share)
    for j, s in zip(text_cols, share, strict=True):
        widths[j] += rest * s / total
    return widths, whole


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
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
