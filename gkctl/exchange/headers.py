"""Which column of a 任务分解表 holds what: the header found by its words, or given by hand.

Offices name the same column many ways (工作任务, 重点任务, 主要任务 … for the task; 具体要求,
工作要求, 具体措施 … for its content; 牵头单位 + 配合单位 or 责任单位 …), put a title row above
the header, merge one label over two columns (工作任务 over the row numbers and the text),
split 责任单位 into 牵头单位 and 配合单位 on a second header row, or number the columns on a
row of their own. The header is the first row holding a column for the task's text and one
for its units; every other column is still named in the layout, so that nothing the table
holds is dropped without the import saying so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from gkctl.core.errors import UsageError

# Fields a column can hold. `lead` and `co` are both 责任单位: the lead column's units come
# first. `notes` columns (备注) and unmapped ones go into each task's notes with their label.
FIELDS = ("id", "section", "name", "content", "lead", "co", "deadline", "notes")

# A column left out on purpose (gkctl export's own 截止日期 and 状态).
SKIP = "skip"
EMPTY = "空列"

FIELD_LABELS = {
    "id": "序号",
    "section": "部分",
    "name": "任务名称",
    "content": "任务内容",
    "lead": "责任单位",
    "co": "配合单位",
    "deadline": "时间节点",
    "notes": "备注",
}

# Header words seen in published tables, per field (compared after folding, see fold()).
VOCABULARY: dict[str, tuple[str, ...]] = {
    "id": ("序号", "编号", "序", "项次"),
    "section": (
        "类别", "分类", "工作类别", "任务类别", "类型", "领域", "重点领域", "工作领域", "板块",
        "方面", "部分", "工作板块", "重点方面", "分块",
    ),
    "name": (
        "任务名称", "工作任务", "重点任务", "主要任务", "工作事项", "任务", "重点工作", "工作名称",
        "任务事项", "事项", "工作项目", "主要工作", "任务项目", "项目", "工作重点", "目标任务",
    ),
    "content": (
        "任务内容", "具体要求", "工作要求", "具体工作要求", "具体内容", "工作内容", "主要内容",
        "具体措施", "工作措施", "主要措施", "具体任务", "任务要求", "工作举措", "具体举措",
        "推进措施", "工作目标", "目标要求", "任务措施", "内容", "具体工作", "细化任务",
        "具体工作任务", "主要举措", "措施", "要求",
    ),
    "lead": (
        "责任单位", "责任部门", "责任科室", "责任主体", "牵头单位", "牵头部门", "牵头科室",
        "责任处室", "承办单位", "主责单位", "负责单位", "牵头责任单位", "落实单位", "主办单位",
        "责任股室", "牵头处室", "责任单位部门",
    ),
    "co": (
        "配合单位", "协办单位", "参与单位", "配合部门", "协同单位", "协助单位", "配合科室",
        "协作单位", "参加单位", "协办部门", "配合处室", "参与部门", "责任单位配合",
    ),
    "deadline": (
        "时间节点", "完成时限", "时限要求", "完成时间", "时间安排", "时间要求", "完成期限",
        "进度安排", "时限", "办结时限", "完成时间节点", "时间进度", "推进时限", "完成节点",
        "时间", "时间进度安排", "完成时限要求", "期限", "截止日期", "截止时间",
    ),
    "notes": ("备注", "说明", "附注"),
}  # fmt: skip

_BY_WORD = {word: field for field, words in VOCABULARY.items() for word in words}

# Labels the lists above do not hold are read by what their words mean: a qualifier, words
# for the task (目标/任务/事项/举措/措施/工作), then what the column says of it. A label
# ending in a word for the thing itself (工作任务, 目标任务, 具体工作事项) names the task; one
# ending in what is to be done (任务举措, 事项内容, 工作目标) its content. A unit column is a
# word for units (单位/部门/科室/处室/股室) with a role (负责/承办/主办/牵头/配合/责任) before
# or after it; the 配合 roles make it the 配合 column.
# 实事 is a thing to be done as much as 事项 (民生实事, 重大实事).
_QUALIFIER = "(?:具体|主要|重点|年度|细化|分解|核心|关键|推进|落实|各项|民生|重大)"
_THING = "(?:目标|任务|事项|举措|措施|工作|项目|实事)"
_NAMES = re.compile(f"{_QUALIFIER}*{_THING}*(?:任务|事项|工作|项目|名称|重点|实事)")
_CONTENTS = re.compile(f"{_QUALIFIER}*{_THING}*(?:内容|要求|措施|举措|目标|安排|细则|标准)")
_CO_ROLE = "(?:配合|协办|参与|协助|协同|协作|参加)"
_LEAD_ROLE = f"(?:负责|承办|主办|牵头|责任|主责|落实|实施|{_CO_ROLE})"
_UNIT = "(?:单位|部门|科室|处室|股室|主体|机构)"
_UNITS = re.compile(f"{_LEAD_ROLE}+{_UNIT}+{_LEAD_ROLE}*|{_UNIT}{_LEAD_ROLE}+")


# Two labels joined (内容与要求, 任务及措施, 目标和举措): one column holding both.
_JOINED = re.compile(r"[与和及、/]")


def _joined_field(word: str) -> str | None:
    """Two words for the task joined (内容与要求, 目标和举措, 任务及措施): its content where
    either word names the content, else its name; None for anything else."""
    parts = [p for p in _JOINED.split(word) if p]
    if len(parts) < 2:
        return None
    fields = [
        _BY_WORD.get(p)
        or ("content" if _CONTENTS.fullmatch(p) else "name" if _NAMES.fullmatch(p) else None)
        for p in parts
    ]
    if all(f in ("name", "content") for f in fields):
        return "content" if "content" in fields else "name"
    return None


def _by_meaning(word: str) -> str | None:
    """The field a label names by the meaning of its words (see _NAMES, _UNITS), or None."""
    if _UNITS.fullmatch(word):
        return (
            "co" if re.search(_CO_ROLE, word) and not re.search("牵头|负责|主办", word) else "lead"
        )
    if len(word) < 3:  # 任务, 措施 alone are in the lists, where a whole label is asked
        return None
    if _CONTENTS.fullmatch(word):
        return "content"
    if _NAMES.fullmatch(word) and re.search(_THING, word):
        return "name"
    return None


# Words that name a field only when they are the whole label (任务 inside 任务分解表 is not one).
_EXACT_ONLY = {"序", "任务", "事项", "内容", "时间", "要求", "措施", "项目", "期限", "部分", "类型"}
_NUMBER = re.compile(r"[（(]?\d{1,4}[)）.、．]?")
# A section heading: 一、融入中心服务大局…, 二．……, 第三部分 ……
SECTION = re.compile(
    r"(?:第(?P<nth>[一二三四五六七八九十]+)(?:部分|方面|板块)[、.．:：\s]*"
    r"|(?P<id>[一二三四五六七八九十]+)\s*[、.．]\s*)(?P<title>\S.*)",
    re.DOTALL,
)


def heading(text: str) -> tuple[str, str] | None:
    """(id, title) of a section heading such as 一、融入中心服务大局…; None for other text."""
    m = SECTION.fullmatch(text.strip())
    if m is None:
        return None
    return (m["id"] or m["nth"], m["title"].strip().rstrip("。；;"))  # a title, not a sentence


def is_heading(text: str) -> bool:
    return heading(text) is not None


def fold(text: str) -> str:
    """A label as compared: NFKC (full-width letters and brackets), no spaces or line
    breaks, no trailing colon or asterisk."""
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s*:：]+", "", folded)


def field_of(label: str) -> str | None:
    """The field a header label names, or None.

    Exact words first; then a qualifier in brackets (责任单位（牵头）, 责任单位（配合）);
    then the longest known word the label contains (完成时限（2024年） -> deadline)."""
    word = fold(label)
    if not word:
        return None
    if word in _BY_WORD:
        return _BY_WORD[word]
    bare = re.sub(r"\([^)]*\)", "", word)
    qualifier = "".join(re.findall(r"\(([^)]*)\)", word))
    meant = _by_meaning(bare) if bare not in _BY_WORD else None
    if bare in _BY_WORD or meant is not None:
        found = _BY_WORD.get(bare) or meant
        if found == "lead" and re.search("配合|协办|参与|协助", qualifier):
            return "co"
        return found
    contained = [
        w
        for w in _BY_WORD
        if w not in _EXACT_ONLY and _BY_WORD[w] != "section" and w in word and not heading(word)
    ]
    if not contained:
        return _joined_field(bare)
    best = max(contained, key=len)
    if _BY_WORD[best] == "lead" and re.search("配合|协办|参与|协助", word):
        return "co"
    return _BY_WORD[best]


def letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how Excel names a column."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


@dataclass(frozen=True)
class Column:
    """One column of the table: its header text and the field it was taken for (None: no
    field; its text is kept in each task's notes under the label)."""

    index: int
    label: str
    field: str | None
    how: str = ""  # why, when not plainly by its header word (for the report)

    @property
    def name(self) -> str:
        """How the report names the column: B 列“工作任务”."""
        return (
            f"{letter(self.index)} 列“{self.label}”" if self.label else f"{letter(self.index)} 列"
        )


@dataclass(frozen=True)
class Layout:
    header: tuple[int, ...]  # indexes into the sheet's rows of the header row(s)
    columns: tuple[Column, ...]
    skipped: tuple[int, ...] = ()  # indexes of rows that only number the columns (1 2 3 …)

    def first(self, field: str) -> int | None:
        for column in self.columns:
            if column.field == field:
                return column.index
        return None

    def all(self, field: str) -> list[int]:
        return [c.index for c in self.columns if c.field == field]

    @property
    def body_start(self) -> int:
        return max((*self.header, *self.skipped), default=-1) + 1


# --- reading a hand mapping ----------------------------------------------------------------

_HAND_KEYS = {
    **{field: field for field in FIELDS},
    "units": "lead",
    "序号": "id",
    "编号": "id",
    "部分": "section",
    "类别": "section",
    "任务名称": "name",
    "任务内容": "content",
    "责任单位": "lead",
    "牵头单位": "lead",
    "配合单位": "co",
    "时间节点": "deadline",
    "完成时限": "deadline",
    "备注": "notes",
}


def parse_hand(text: str) -> dict[str, int]:
    """--columns 任务名称=B,任务内容=C,责任单位=D,时间节点=E -> field -> column index."""
    out: dict[str, int] = {}
    keys = "、".join(k for k in _HAND_KEYS if not k.isascii())
    for part in re.split(r"[,，;；]", text):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip().upper()
        if not sep or not key or not value:
            raise UsageError(f"--columns 的“{part}”应写作 名称=列，如 任务内容=C。")
        field = _HAND_KEYS.get(key) or _HAND_KEYS.get(key.lower())
        if field is None:
            raise UsageError(f"--columns：不认识“{key}”，可用：{keys}（或 {'、'.join(FIELDS)}）。")
        if re.fullmatch(r"[A-Z]{1,2}", value):
            index = 0
            for ch in value:
                index = index * 26 + ord(ch) - ord("A") + 1
            index -= 1
        elif value.isdigit() and int(value) > 0:
            index = int(value) - 1
        else:
            raise UsageError(f"--columns：“{part}”中的列应写作字母（A、B…）或序号（1、2…）。")
        if index in out.values():
            other = next(k for k, v in out.items() if v == index)
            raise UsageError(
                f"--columns：列 {letter(index)} 同时给了{FIELD_LABELS[other]}和{FIELD_LABELS[field]}。"
            )
        if field in out and field not in ("co", "notes"):
            raise UsageError(f"--columns：{FIELD_LABELS[field]}给了两次。")
        out[field if field not in out else f"{field}#{index}"] = index
    if not out:
        raise UsageError("--columns 是空的：请写作 任务内容=C,责任单位=D 这样。")
    return out


# --- finding the header ----------------------------------------------------------------------

Rows = Sequence[tuple[int, tuple[str, ...]]]


def _joined(text: str) -> str:
    return "".join(line.strip() for line in re.split(r"\r\n|[\r\n\v\u2028\u2029]", text))


def _is_title(cells: Sequence[str]) -> bool:
    """A row whose cells all hold one text (a title or section row merged across)."""
    texts = {c for c in cells if c}
    return len(texts) == 1 and sum(1 for c in cells if c) > 1


def _fields(cells: Sequence[str]) -> dict[int, str]:
    return {j: f for j, c in enumerate(cells) if (f := field_of(c)) is not None}


def _is_header(found: dict[int, str], unitless: bool = False) -> bool:
    """A row naming a column for the task's text and one for its units; with `unitless`,
    one naming the task's text and its 序号 or 时间节点 instead of the units (a county's
    list of its own work, whose units are still to fill)."""
    kinds = set(found.values())
    if not kinds & {"name", "content"}:
        return False
    if unitless:
        return not kinds & {"lead", "co"} and bool(kinds & {"id", "deadline"})
    return bool(kinds & {"lead", "co"})


def find_layout(
    rows: Rows, hand: dict[str, int] | None = None, unitless: bool = False
) -> Layout | None:
    """The header and what each column holds; None where no row reads as a header (and
    no hand mapping says which columns hold the task and its units). With `unitless`, a
    header without a unit column is taken (asked only once no table has one with it)."""
    texts = [[_joined(c) for c in cells] for _, cells in rows]
    width = max((len(c) for c in texts), default=0)
    texts = [c + [""] * (width - len(c)) for c in texts]
    index = next(
        (
            i
            for i, cells in enumerate(texts)
            if not _is_title(cells) and _is_header(_fields(cells), unitless)
        ),
        None,
    )
    if index is None and not hand:
        return None
    if hand and max(hand.values()) >= width:
        return None  # a narrower sheet (a note beside the table) is not the one meant
    if index is None:
        index = _hand_header(texts, hand or {})
    header = [index] if index is not None else []
    labels = list(texts[index]) if index is not None else [""] * width
    found = _fields(labels) if index is not None else {}
    # A second header row: 责任单位 over 牵头单位 | 配合单位, or words under merged labels.
    below = index + 1 if index is not None else None
    if below is not None and below < len(texts):
        sub = texts[below]
        sub_found = _fields(sub)
        if (
            sub_found
            and not _is_title(sub)
            and not any(_NUMBER.fullmatch(c) or heading(c) for c in sub if c)
            and all(len(c) <= 12 for c in sub)
        ):
            header.append(below)
            for j, f in sub_found.items():
                found[j] = f
                labels[j] = sub[j] if labels[j] in ("", sub[j]) else f"{labels[j]}/{sub[j]}"
    start = (header[-1] + 1) if header else 0
    skipped = []
    if start < len(texts) and _numbers_columns(texts[start]):
        skipped.append(start)
        start += 1
    body = texts[start:]
    columns = _resolve(labels, found, body, width)
    if hand:
        columns = _apply_hand(columns, hand, labels, width)
    return Layout(tuple(header), tuple(columns), tuple(skipped))


def _hand_header(texts: list[list[str]], hand: dict[str, int]) -> int | None:
    """With a hand mapping and no header words: the first row, not a merged title, with
    text in the task and unit columns; None (no header row) where it already holds a task
    number in the 序号 column."""
    wanted = [hand[f] for f in ("content", "name", "lead") if f in hand]
    for i, cells in enumerate(texts):
        if _is_title(cells):
            continue
        if all(j < len(cells) and cells[j] for j in wanted):
            id_col = hand.get("id")
            if id_col is not None and id_col < len(cells) and _NUMBER.fullmatch(cells[id_col]):
                return (
                    i - 1 if i > 0 and not _is_title(texts[i - 1]) and any(texts[i - 1]) else None
                )
            return i
    return None


def _numbers_columns(cells: Sequence[str]) -> bool:
    """1 2 3 4 5 under the header: the columns numbered, not a task."""
    values = [c for c in cells if c]
    return len(values) >= 3 and values == [str(n) for n in range(1, len(values) + 1)]


def _number_only(body: list[list[str]], j: int) -> bool:
    values = [row[j] for row in body if j < len(row) and row[j] and not _is_title(row)]
    return bool(values) and all(_NUMBER.fullmatch(v) for v in values)


def _section_only(body: list[list[str]], j: int) -> bool:
    values = [row[j] for row in body if j < len(row) and row[j] and not _is_title(row)]
    return bool(values) and all(is_heading(v) for v in values)


def _resolve(
    labels: list[str], found: dict[int, str], body: list[list[str]], width: int
) -> list[Column]:
    """Each column's field: its header word, then what its cells show where one label
    spans several columns (the row numbers, then the text), or where a column holds only
    section headings (一、……) merged down over their rows."""
    fields: dict[int, str | None] = {j: found.get(j) for j in range(width)}
    how: dict[int, str] = {}
    # Columns under one merged label: a column of row numbers in it is the 序号.
    j = 0
    while j < width:
        end = j
        while end + 1 < width and labels[end + 1] == labels[j] and labels[j]:
            end += 1
        if end > j:
            span = list(range(j, end + 1))
            field = fields[j]
            for k in span:
                fields[k] = None
            numbers = [k for k in span if _number_only(body, k)]
            rest = [k for k in span if k not in numbers]
            if numbers and "id" not in fields.values() and field != "id":
                fields[numbers[0]] = "id"
                how[numbers[0]] = f"表头“{labels[j]}”跨两列，这一列只有序号"
            if field == "id" and numbers:
                fields[numbers[0]] = "id"
            elif rest:
                fields[rest[-1]] = field
                if len(span) > 1:
                    how[rest[-1]] = f"表头“{labels[j]}”跨 {len(span)} 列"
                if field in ("name", "content") and len(rest) > 1:
                    other = "name" if field == "content" else "content"
                    if other not in fields.values():
                        first, last = (rest[0], rest[-1])
                        fields[first], fields[last] = "name", "content"
                        how[first] = how[last] = f"表头“{labels[j]}”跨 {len(span)} 列"
                if field == "lead":
                    for k in rest[:-1]:
                        fields[k] = "lead"
        j = end + 1
    # A column of 一、…… headings merged down over their rows is the section, whatever its
    # header says (offices put it under 工作任务 as often as under 类别).
    for k in range(width):
        if fields[k] in ("name", None, "section", "id") and _section_only(body, k):
            if fields[k] != "section":
                how[k] = "这一列只有“一、……”这样的部分标题"
            fields[k] = "section"
    # Two lead columns with different words: the second is the 配合 one.
    leads = [k for k in range(width) if fields[k] == "lead"]
    for k in leads[1:]:
        if labels[k] != labels[leads[0]]:
            fields[k] = "co"
    # The 截止日期 and 状态 that gkctl export adds beside 时间节点 are worked out from it.
    if "deadline" in fields.values():
        computed = {fold(labels[k]): k for k in range(width)}
        if (
            "截止日期" in computed
            and "状态" in computed
            and fields[computed["截止日期"]] == "deadline"
        ):
            first = next(k for k in range(width) if fields[k] == "deadline")
            if first != computed["截止日期"]:
                for word in ("截止日期", "状态"):
                    fields[computed[word]] = SKIP
                    how[computed[word]] = "gkctl export 按时间节点算出的列"
    # Each of id/section/name/content/deadline once: a repeat is kept as a note.
    seen: set[str] = set()
    for k in range(width):
        f = fields[k]
        if f in ("id", "section", "name", "content", "deadline"):
            if f in seen:
                fields[k] = None
                how[k] = f"又一列{FIELD_LABELS[f]}"
            seen.add(f)
    # A column with neither a label nor any text (Excel's used range often runs wider).
    for k in range(width):
        texts = [r[k] for r in body if k < len(r) and r[k] and not _is_title(r)]
        if fields[k] is None and not labels[k] and not texts:
            fields[k], how[k] = SKIP, EMPTY
    # Only a name column: it is the content (the name is then made from its first sentence).
    if "content" not in fields.values() and "name" in fields.values():
        k = next(k for k in range(width) if fields[k] == "name")
        fields[k] = "content"
        how[k] = "唯一的任务文字列"
    return [Column(k, labels[k], fields[k], how.get(k, "")) for k in range(width)]


def _apply_hand(
    columns: list[Column], hand: dict[str, int], labels: list[str], width: int
) -> list[Column]:
    """The hand mapping over what the header words say. A mapping that names the task's
    text column is the whole layout: a column it leaves out is not read as any field
    (its text goes to the notes; a 序号 column left out is not read, the tasks are numbered
    in order). One that names only other columns adds to what the header words found."""
    by_index = {c.index: c for c in columns}
    taken = {key.split("#")[0] for key in hand}
    whole = bool(taken & {"name", "content"})
    out = []
    for j in range(width):
        given = [key.split("#")[0] for key, v in hand.items() if v == j]
        column = by_index[j]
        if given:
            out.append(Column(j, labels[j], given[0], "--columns"))
        elif whole and column.field == "id":
            out.append(Column(j, labels[j], SKIP, "--columns 没有给序号，任务另行编号"))
        elif whole and column.field not in (None, SKIP, "notes"):
            out.append(Column(j, labels[j], None, "--columns 没有给这一列"))
        elif (column.field in taken and column.field not in ("co", "notes", "lead")) or (
            column.field == "lead" and "lead" in taken
        ):
            out.append(Column(j, labels[j], None, "--columns 把这一项给了另一列"))
        else:
            out.append(column)
    return out
