"""Text from the data files as it may reach a terminal or a machine format.

A YAML value can hold ESC (colour, cursor moves, OSC 8 links), NUL, C1 controls such as
CSI, bidirectional overrides (U+202E turns the rest of a line around) and invisible
characters. Every way such text leaves gkctl for a person or a program (tables, messages,
validate's lines, CSV, ICS, JSON) shows these characters as escapes instead of obeying them.
"""

from __future__ import annotations

import re

# C0 (tab, line feed and carriage return are handled by the caller), DEL, C1; the
# bidirectional marks, embeddings, overrides and isolates; zero-width characters and the
# BOM; the line and paragraph separators, which terminals and editors break lines at.
# (The word joiner U+2060 is left to output: Markdown uses it to keep @names inert.)
_UNSAFE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u2028\u2029"
)
UNSAFE = re.compile(f"[{_UNSAFE}]")
# In a name or id, any character that shows nothing makes two names that look alike differ.
INVISIBLE = re.compile(f"[{_UNSAFE}\u2060-\u2064\u00ad]")
UNSAFE_LINE = re.compile(f"[{_UNSAFE}\t\n\r]")
_UNSAFE_WITH_CR = re.compile(f"[{_UNSAFE}\r]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def visible(text: str) -> str:
    """For people: each unsafe character as \\xNN or \\uNNNN (tab and line breaks kept,
    except a carriage return, which would overwrite the line)."""
    return _UNSAFE_WITH_CR.sub(_escape, text)


def visible_line(text: str) -> str:
    """For one line of a message: tabs and line breaks escaped too."""
    return UNSAFE_LINE.sub(_escape, text)


def machine(text: str) -> str:
    """For machine output (JSON, CSV, ICS) on stdout: each unsafe character as \\uNNNN,
    which a JSON string reads back as the same character; tab, CR and LF are structure,
    and so is a BOM that starts the output (CSV for Excel)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    return bom + UNSAFE.sub(_json_escape, text[len(bom) :])
