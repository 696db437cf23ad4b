"""Text from the data files: what a value may hold, and how it leaves gkctl.

A YAML value can hold ESC (colour, cursor moves, OSC 8 links), NUL, C1 controls such as
CSI, bidirectional overrides (U+202E turns the rest of a line around) and invisible
characters. Two policies, one for each way:

* In (the text policy): the loader and every write path refuse them (`refusal`), and a line
  break in a value that is one line (a name, an id, a title). Tab and line feed stay
  allowed in free text (content, notes, reasons).
* Out (the escaping policy): every way text leaves gkctl for a person or a program (tables,
  messages, validate's lines, CSV, ICS, JSON, the site, Word, Excel) shows what slipped
  through (an older file, a plan read for `diff`) as escapes instead of obeying it or
  failing on it: XML 1.0, so Word and Excel, cannot carry C0 controls at all.
"""

from __future__ import annotations

import functools
import re
from enum import Enum
from typing import NamedTuple

# C0 (tab, line feed and carriage return are handled by the caller), DEL, C1; the
# bidirectional marks, embeddings, overrides and isolates; zero-width characters and the
# BOM; the line and paragraph separators, which terminals and editors break lines at; the
# other format characters that show nothing and can carry hidden text (the Mongolian vowel
# separator, the invisible operators, the deprecated formatting marks, the interlinear
# annotation marks, the language tag and the tag characters that spell hidden ASCII);
# the noncharacters U+FFFE and U+FFFF, which XML 1.0 cannot carry either (lxml refused a
# Word or Excel file holding one, and Excel refuses to open one that does).
# (The word joiner U+2060 is left to output: Markdown uses it to keep @names inert.)
# Every one is unprintable to str.isprintable(), which the policy's fast path relies on.
_UNSAFE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u180e\u200b-\u200f\u202a-\u202e\u2061-\u2064\u2066-\u206f\ufeff\u2028\u2029"
    "\ufff9-\ufffb\ufffe\uffff\U000e0001\U000e0020-\U000e007f"
)
UNSAFE_CHARS = _UNSAFE  # for a character class of one's own (one class searches fastest)
# In a name or id, any character that shows nothing makes two names that look alike differ:
# besides the above, every default-ignorable code point of Unicode (DerivedCoreProperties),
# some of which str.isprintable() calls printable (the Hangul fillers U+115F, U+3164, the
# variation selectors), so names are searched without the fast path.
_INVISIBLE = (
    f"{_UNSAFE}\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff"
)
# A file name made from a name (core.filenames) replaces each of them.
INVISIBLE_CHARS = _INVISIBLE


@functools.cache
def char_class(chars: str) -> re.Pattern[str]:
    """A character class of `chars`, compiled when first used: each of these classes costs
    ~0.3 ms to compile, and most runs need none (text that str.isprintable() passes holds
    none of the unsafe characters, see visible)."""
    return re.compile(f"[{chars}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def json_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    # A JSON string spells a character beyond the BMP as its UTF-16 surrogate pair.
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def visible(text: str) -> str:
    """For people: each unsafe character as \\xNN or \\uNNNN (tab and line breaks kept,
    except a carriage return, which would overwrite the line)."""
    if text.isprintable():  # every unsafe character, and CR, is unprintable
        return text
    return char_class(_UNSAFE + "\r").sub(_escape, text)


# What XML 1.0 cannot carry at all: C0 controls but tab, line feed and carriage return, the
# noncharacters U+FFFE and U+FFFF, and lone surrogates. Every one is unprintable.
_NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff"


def xml_text(text: str) -> str:
    """`text` with each character XML 1.0 cannot carry as \\xNN or \\uNNNN: the last guard
    of a writer that writes XML as text (exchange.sheetrows), so that what slipped past
    `visible` (a plan folder's name, say) cannot make a file Excel refuses to open."""
    if text.isprintable():
        return text
    return char_class(_NOT_XML).sub(_escape, text)


def visible_line(text: str) -> str:
    """For one line of a message: tabs and line breaks escaped too."""
    return char_class(_UNSAFE + "\t\n\r").sub(_escape, text)


def machine(text: str) -> str:
    """For machine output (JSON, CSV, ICS) on stdout: each unsafe character as \\uNNNN,
    which a JSON string reads back as the same character; tab, CR and LF are structure,
    and so is a BOM that starts the output (CSV for Excel)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    return bom + char_class(_UNSAFE).sub(json_escape, text[len(bom) :])


# --- the text policy ---------------------------------------------------------------------


class Field(Enum):
    """What a value is, which decides what it may hold."""

    NAME = "name"  # an id or a name (unit, alias, group, section id): one line, all visible
    LINE = "line"  # one line of text: a title, a task name, a 时间节点, a link
    TEXT = "text"  # free text (content, notes, reasons): tab and line feed allowed


# The characters each field refuses, as the inside of a character class: also the
# patterns of the data files' JSON Schema (store.fileschema), which editors check with.
REFUSED_CLASS = {
    Field.NAME: f"{_INVISIBLE}\t\n\r",
    Field.LINE: f"{_UNSAFE}\n\r",
    Field.TEXT: f"{_UNSAFE}\r",
}
# Lone surrogates come from command-line bytes that are not UTF-8 (never from a file,
# which is read as UTF-8).
_SURROGATES = "\ud800-\udfff"
_BREAKS = "\n\x85\u2028\u2029"


class Refusal(NamedTuple):
    """The first character a value may not hold: where (0-based, in the value) and why."""

    at: int
    char: str
    code: str  # control-char, line-break or invisible-char
    message: str  # ends with 请删去


def _refused(field: Field) -> re.Pattern[str]:
    return char_class(REFUSED_CLASS[field] + _SURROGATES)


def allowed(text: str, field: Field) -> bool:
    return _refused(field).search(text) is None if _searched(text, field) else True


def _searched(text: str, field: Field) -> bool:
    """Whether `text` may hold a refused character: a name may hold one that
    str.isprintable() passes (see _INVISIBLE); other values only where it fails."""
    return field is Field.NAME or not text.isprintable()


def refusal(text: str, field: Field, what: str) -> Refusal | None:
    """Why `text` cannot be the value of `what` (a `field`), or None where it can.

    A name is quoted in the message (it is short, and two names may differ only there)."""
    if not _searched(text, field):
        # Every character refused in a line or a text is unprintable (Cc, Cf, Cs, Zl, Zp);
        # this check costs half the search, and most values pass it (checking 10,000
        # tasks: 4% more CPU time with the policy than without, instead of 6%).
        return None
    found = _refused(field).search(text)
    if found is None:
        return None
    char = found.group(0)
    code, label = _kind(char)
    one_line = field is not Field.TEXT and char in _BREAKS + "\r"
    shown = (
        f"“{char_class(REFUSED_CLASS[Field.NAME]).sub(_escape, text)}”"
        if field is Field.NAME
        else ""
    )
    message = (
        f"{what}{shown}中有{label}（U+{ord(char):04X}，第 {found.start() + 1} 个字符）"
        + ("：这里只能写一行，" if one_line else "，")
        + "请删去"
    )
    return Refusal(found.start(), char, code, message)


def _kind(char: str) -> tuple[str, str]:
    if char in _BREAKS:
        return "line-break", "换行符"
    if char == "\r":
        return "control-char", "回车符"
    if char == "\t":
        return "control-char", "制表符"
    if "\ud800" <= char <= "\udfff" or char in "\ufffe\uffff":
        return "control-char", "无法识别的字符"
    if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
        return "control-char", "控制字符"
    return "invisible-char", "看不见的字符"
