"""How much text and how large a file gkctl takes in from a person or a returned form.

A 20-million-character 进展说明 once went into tasks.yaml (42 KB became 60 MB): nothing
bounded what an option or a form cell brings in. The limits are set far above what a real
entry holds (a 进展说明 or a reason runs to a few hundred characters; a unit's 填报表 is a
few dozen KB), so that only a mistake or an attack meets them.
"""

from __future__ import annotations

TEXT_CHARS = 5_000  # a note, a 进展说明, a reason (延期, 退办, 不批准) or a 销号说明
LINK_CHARS = 2_000  # a web address (browsers and servers stop at about this length)
LINE_CHARS = 500  # a plan's 标题, 文号 or 发文单位 given as an option (plan new, import)
FORM_BYTES = 5 * 1024 * 1024  # a returned 填报表 as a file
# Rows a returned 填报表's sheet may have beyond its title rows and the rows it was made
# with: room for a few lines a unit adds (填表人, 联系电话), not for a pasted table.
FORM_EXTRA_ROWS = 200


def too_long(text: str, limit: int) -> str | None:
    """The rest of a message (after what the text is) where `text` passes `limit`."""
    if len(text) <= limit:
        return None
    return f"有 {len(text):,} 个字符，超过上限 {limit:,} 个字符"
