"""The JSON Schema (draft 2020-12) of tasks.yaml and units.yaml, for editors.

An editor with a YAML language server (VS Code's YAML extension) completes keys, shows
what each means and marks a wrong value as it is typed. The schema says the files' shape:
which keys each mapping holds and which it must, what kind of value each is (a name, one
line of text, free text, a date, a number, one of a few words), what a value may not hold
(core.textsafe) and the rules between keys of one record (退办 needs a reason, a decided
request its date). It is built here from the loader's own tables (the keys and which are
required, the status, decision and kind words, the text policy, the year range), so the
two cannot drift apart, and tests/test_fileschema.py checks every fixture against both.

What only the loader can check is not in it: references (a unit in units.yaml, a section,
a carried task), uniqueness (task ids, unit names), the 时间节点 grammar, the order of
dates and their distance from the plan year; nor what a parsed value no longer shows (an
integer written 0x4B, YAML anchors). validate remains the check; the schema is the help.

gkctl/schemas/*.schema.json are this module's output (make schemas writes them).
"""

from __future__ import annotations

import json
import re
from typing import Any

from gkctl.core import dates, textsafe
from gkctl.core.model import Decision, ProgressStatus, UnitKind
from gkctl.store import loader, unitsfile

Schema = dict[str, Any]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FILES = {"tasks": "tasks.schema.json", "units": "units.schema.json"}

# End of the value: ECMA-262 has no \Z, and "$" in Python's re also matches before a final
# line feed (which a block scalar `|` ends with); this means the same in both.
_END = r"(?![\s\S])"


def _escaped_class(chars: str) -> str:
    """A character class of core.textsafe (literal characters and ranges) as a pattern both
    ECMA-262 (editors, check-jsonschema) and Python read alike: a character of the basic
    plane as \\uXXXX; one beyond it as itself (\\u{...} is ECMA's only, a surrogate pair
    is two characters to Python), which JSON carries as a surrogate pair."""
    return "".join(
        c if c == "-" or ord(c) > 0xFFFF else f"\\u{ord(c):04x}"  # "-": a range, never a member
        for c in chars
    )


def _text(field: textsafe.Field, required: bool = True) -> Schema:
    """What Reader.text takes: any scalar but null (a number or true/false reads as its
    text), that is not blank where it is required, and holds nothing the field refuses."""
    refused = _escaped_class(textsafe.REFUSED_CLASS[field])
    blank = "" if not required else r"(?=[\s\S]*\S)"
    message = {
        textsafe.Field.NAME: "名称只能写一行，不能含控制字符或看不见的字符",
        textsafe.Field.LINE: "这里只能写一行，不能含控制字符或看不见的字符",
        textsafe.Field.TEXT: "不能含控制字符或看不见的字符（可以换行）",
    }[field]
    return {
        "type": ["string", "number", "boolean"],
        "pattern": f"^{blank}[^{refused}]*{_END}",
        "patternErrorMessage": ("不能为空；" if required else "") + message,
    }


_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_PADDED = rf"^\s|\s{_END}"

DEFS: dict[str, Schema] = {
    "name": _text(textsafe.Field.NAME),
    "line": _text(textsafe.Field.LINE),
    "text": _text(textsafe.Field.TEXT),
    "optionalText": _text(textsafe.Field.TEXT, required=False),
    # dates.parse_iso: YYYY-MM-DD, a real day; it strips spaces, which only a quoted value
    # keeps: such a value is held to the form alone.
    "date": {
        "type": "string",
        "pattern": rf"^\s*{_DAY}\s*{_END}",
        "anyOf": [{"format": "date"}, {"pattern": _PADDED}],
        "patternErrorMessage": "日期写作 YYYY-MM-DD（如 2024-11-30）",
    },
    "integer": {"type": "integer"},
    # Reader.boolean takes YAML 1.1's booleans (PyYAML); a YAML 1.2 reader, as editors
    # are, reads yes/no/on/off as text.
    "boolean": {
        "anyOf": [
            {"type": "boolean"},
            {
                "enum": [
                    spelling
                    for word in ("yes", "no", "true", "false", "on", "off")
                    for spelling in (word, word.capitalize(), word.upper())
                    if spelling not in ("true", "false")
                ]
            },
        ]
    },
}


def _ref(name: str, description: str) -> Schema:
    return {"$ref": f"#/$defs/{name}", "description": description}


def _words(kind: type[Decision] | type[ProgressStatus] | type[UnitKind]) -> list[str]:
    return [k.value for k in kind]


def _list(items: Schema, description: str, non_empty: bool = False) -> Schema:
    schema: Schema = {"type": "array", "items": items, "description": description}
    if non_empty:
        schema["minItems"] = 1
    return schema


def _mapping(
    keys: dict[str, bool], values: dict[str, Schema], description: str, **rules: Any
) -> Schema:
    """A mapping with the loader's `keys` (name -> required), each value described in
    `values`; one missing there is a key added to the loader and not yet here."""
    if set(values) != set(keys):
        raise ValueError(f"keys differ from the loader's: {sorted(set(keys) ^ set(values))}")
    schema: Schema = {
        "type": "object",
        "description": description,
        "properties": {key: values[key] for key in keys},
        "required": [key for key, required in keys.items() if required],
        "additionalProperties": False,
    }
    schema.update(rules)
    return schema


def _when(condition: Schema, then: Schema) -> Schema:
    return {"if": condition, "then": then}


def _has(key: str, **value: Any) -> Schema:
    """A mapping that holds `key` (with a value of this schema, where given)."""
    return {"required": [key], "properties": {key: value}} if value else {"required": [key]}


_RECORDED = (
    "录入日期：这条记录写入（报送到区政府办公室）的日期；只在与记录本身的日期不同时才写，"
    "不写即为记录本身的日期"
)


def _progress() -> Schema:
    return _mapping(
        loader.PROGRESS_KEYS,
        {
            "date": _ref("date", "报送日期（YYYY-MM-DD）"),
            "unit": _ref("name", "报送进展的单位：任务的责任单位之一，写 units.yaml 中的名称"),
            "status": {
                "enum": _words(ProgressStatus),
                "description": "进展状态：done（已完成）或 doing（推进中）",
            },
            "note": _ref("optionalText", "说明"),
            "link": {
                "allOf": [{"$ref": "#/$defs/line"}],
                "type": "string",
                # loader._LINK, spelled without its ignore-case flag.
                "pattern": rf"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/$.?#][^\s]*{_END}",
                "patternErrorMessage": "链接应以 http:// 或 https:// 开头",
                "description": "公开链接（http:// 或 https://）",
            },
            "returned": _ref("date", "退办日期：区政府办公室退回这条已完成的进展"),
            "return_reason": _ref("text", "退办理由"),
            "accepted": _ref("date", "确认日期：区政府办公室确认这个单位已完成（gkctl accept）"),
            "recorded": _ref("date", _RECORDED),
            "return_recorded": _ref("date", _RECORDED),
            "accept_recorded": _ref("date", _RECORDED),
        },
        "进展记录",
        allOf=[
            _when(_has("returned"), {"properties": {"status": {"const": "done"}}}),
            _when(_has("accepted"), {"properties": {"status": {"const": "done"}}}),
            # A report is either accepted or sent back.
            _when(_has("accepted"), {"properties": {"returned": False}}),
            _when(_has("returned"), _has("return_reason")),
            _when(_has("return_reason"), _has("returned")),
        ],
    )


def _extension() -> Schema:
    decided = [d.value for d in Decision if d is not Decision.REQUESTED]
    return _mapping(
        loader.EXTENSION_KEYS,
        {
            "date": _ref("date", "申请日期（YYYY-MM-DD）"),
            "unit": _ref("name", "申请延期的单位"),
            "to": _ref("date", "延期至（YYYY-MM-DD）"),
            "reason": _ref("text", "延期理由"),
            "late": _ref("boolean", "是否为逾期后申请（true/false）"),
            "decision": {
                "enum": _words(Decision),
                "description": "决定：requested（待批）、approved（批准）或 rejected（不批准）",
            },
            "decided": _ref("date", "决定日期"),
            "decision_note": _ref("optionalText", "决定说明（不批准时必填）"),
            "recorded": _ref("date", _RECORDED),
            "decision_recorded": _ref("date", _RECORDED),
        },
        "延期申请",
        allOf=[
            _when(_has("decided"), _has("decision")),
            _when(_has("decision_note"), _has("decision")),
            _when(
                _has("decision", const=Decision.REQUESTED.value),
                {"properties": {"decided": False, "decision_note": False}},
            ),
            _when(_has("decision", enum=decided), _has("decided")),
            _when(
                _has("decision", const=Decision.REJECTED.value),
                _has("decision_note", pattern=r"\S"),
            ),
        ],
    )


def _link(what: str) -> Schema:
    return _mapping(
        loader.LINK_KEYS,
        {
            "plan": _ref("name", "计划名称（计划文件夹名，如 2024）"),
            "id": _ref("integer", "该计划中的任务序号"),
        },
        what,
    )


def _task() -> Schema:
    milestone = _mapping(
        loader.MILESTONE_KEYS,
        {
            "name": _ref("line", "节点名称"),
            "deadline": _ref("line", "节点时间（时间节点文字，如 6月底前）"),
            "due": _ref("date", "节点日期（YYYY-MM-DD）"),
        },
        "节点：写 deadline（时间节点文字）或 due（日期）",
        anyOf=[_has("deadline"), _has("due")],
    )
    return _mapping(
        loader.TASK_KEYS,
        {
            "id": {"type": "integer", "minimum": 1, "description": "任务序号：正整数，不可重复"},
            "section": _ref("name", "所属部分：sections 中的编号（id）"),
            "name": _ref("line", "任务名称"),
            "content": _ref("text", "任务内容"),
            "text": _ref("text", "正文中同序号的条目"),
            "units": _list(
                {"$ref": "#/$defs/name"},
                "责任单位：units.yaml 中的单位名称或统称，按原文顺序",
                non_empty=True,
            ),
            "deadline": _ref("line", "时间节点，照原文（如 11月底前、全年、持续推进）"),
            "due": _ref("date", "截止日期（YYYY-MM-DD），原文没有可识别的时间节点时写"),
            "milestones": _list(milestone, "节点"),
            "progress": _list(_progress(), "进展记录"),
            "extensions": _list(_extension(), "延期申请与决定"),
            "closed": _ref("date", "销号日期"),
            "closed_note": _ref("optionalText", "销号说明"),
            "closed_recorded": _ref("date", _RECORDED),
            "notes": _ref("optionalText", "备注"),
            "carried_from": _link("来源：由哪个计划的哪项任务结转而来"),
            "carried_to": _link("去向：结转到哪个计划的哪项任务"),
        },
        "任务",
    )


def tasks_schema() -> Schema:
    document = _mapping(
        loader.DOCUMENT_KEYS,
        {
            "title": _ref("line", "文件标题"),
            "number": _ref("line", "文号"),
            "issuer": _ref("line", "发文单位"),
            "published": _ref("date", "发布日期（YYYY-MM-DD）"),
            "year": {
                "type": "integer",
                "minimum": dates.FIRST_YEAR,
                "maximum": dates.LAST_YEAR,
                "description": "计划年度",
            },
        },
        "文件信息",
    )
    section = _mapping(
        loader.SECTION_KEYS,
        {"id": _ref("name", "部分编号（如 一）"), "title": _ref("line", "部分标题")},
        "部分",
    )
    return _file(
        "tasks.yaml",
        "gkctl 任务分解表（tasks.yaml）：文件信息、部分和任务",
        loader.TOP_KEYS,
        {
            "document": document,
            "sections": _list(section, "部分（文件的大标题）"),
            "tasks": _list(_task(), "任务"),
        },
    )


def units_schema() -> Schema:
    kinds = _words(UnitKind)
    kind = {
        "enum": kinds,
        "description": "单位类型：department（部门）、town（镇）、subdistrict（街道）、park（园区）",
    }
    unit = _mapping(
        unitsfile.UNIT_KEYS,
        {
            "name": _ref("name", "单位名称，与任务分解表中写法一致"),
            "kind": kind,
            "aliases": _list({"$ref": "#/$defs/name"}, "别名：输入时可用的简称"),
            "former": _list({"$ref": "#/$defs/name"}, "原名称：机构调整前的名称"),
            "full_name": _ref("line", "全称"),
            "source": _ref("line", "来源"),
        },
        "单位",
    )
    group = _mapping(
        unitsfile.GROUP_KEYS,
        {
            "name": _ref("name", "统称（如 各街镇）"),
            "meaning": _ref("line", "含义"),
            "members": _list(kind, "统称包括的单位类型"),
            "relevant": _ref("boolean", "是否为“各相关……”：不能逐一列举（true/false）"),
            "same_as": _ref("name", "同义统称：另一个统称的名称"),
        },
        "统称",
    )
    return _file(
        "units.yaml",
        "gkctl 单位名录（units.yaml）：单位和统称",
        unitsfile.TOP_KEYS,
        {
            "units": _list(unit, "单位", non_empty=True),
            "groups": _list(group, "统称"),
        },
    )


def _file(name: str, title: str, keys: dict[str, bool], values: dict[str, Schema]) -> Schema:
    top = _mapping(keys, values, title)
    return {"$schema": DRAFT, "title": f"gkctl {name}", **top, "$defs": DEFS}


def render(kind: str) -> str:
    """The text of gkctl/schemas/FILES[kind]."""
    schema = {"tasks": tasks_schema, "units": units_schema}[kind]()
    text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    # The Chinese stays readable; the refused characters beyond the basic plane (tag
    # characters, which show nothing) are written as escapes, not as themselves.
    return re.sub("[\U00010000-\U0010ffff]", textsafe.json_escape, text)
