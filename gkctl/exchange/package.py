"""An Office file (.xlsx, .docx: a zip of XML parts) looked over before a library opens it.

openpyxl and python-docx trust their input: a DTD with entities (billion laughs), a cell at
XFD1048576 or a merged range over the whole sheet (a grid of 17 billion cells from a 17 KB
file), a zip that inflates to gigabytes, or a part cut short each ended in a traceback, a
MemoryError or minutes of work. The checks here read the package's XML as a stream, cheaply,
and refuse such a file with the normal import error before any grid is built.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from gkctl.core.errors import GkctlError, os_reason

MAX_ROWS, MAX_COLUMNS = 10_000, 50
MAX_PARTS = 2_000
MAX_INFLATED = 100 * 1024 * 1024  # all parts together, uncompressed
MAX_RATIO = 200  # a part may inflate to this many times its compressed size (and 1 MB)
_CHUNK = 64 * 1024
_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})\Z")
# Element names as expat gives them with namespace_separator="}".
_WML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


# Every member of a package gkctl writes is dated this (the earliest time a zip can hold),
# not with the clock: the same input gives the same bytes (docx_layout.pinned, xlsx_io.saved).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def pinned_member(name: str) -> zipfile.ZipInfo:
    """A deflated member of that name, dated ZIP_EPOCH, readable by its owner only."""
    member = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    member.compress_type = zipfile.ZIP_DEFLATED
    member.external_attr = 0o600 << 16
    return member


class BadPackage(GkctlError):
    """The file is not one gkctl will read; the message says why, in Chinese."""


_T = TypeVar("_T")
_KINDS = {"docx": "Word 文件（.docx）", "xlsx": "Excel 文件（.xlsx）"}


def guarded(path: Path, shown: str, kind: str, read: Callable[[], _T]) -> _T:
    """`read()` of the file in `path` once check() has passed it, every failure (a refused
    package, an OS error, anything the library raises) being the one import error."""
    import warnings

    try:
        check(path, kind)
        with warnings.catch_warnings():
            # openpyxl warns in English about what it skips (data validation, headers).
            warnings.simplefilter("ignore")
            return read()
    except BadPackage as exc:
        why = exc.message
    except OSError as exc:
        why = os_reason(exc)
    except (Exception, RecursionError) as exc:  # any parser failure is a broken file
        why = reason(exc)
    raise GkctlError(f"无法读取 {shown}：不是有效的 {_KINDS[kind]}：{why}。")


def check(path: Path, kind: str) -> None:
    """Refuse `path` unless it is a sane package of `kind` ("xlsx" or "docx")."""
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
            if len(infos) > MAX_PARTS:
                raise BadPackage(f"文件包含 {len(infos)} 个部件，超过上限 {MAX_PARTS}")
            inflated = sum(info.file_size for info in infos)
            if inflated > MAX_INFLATED:
                raise BadPackage(f"解压后超过 {MAX_INFLATED // 1024 // 1024} MB")
            for info in infos:
                if info.file_size > max(MAX_RATIO * info.compress_size, 1024 * 1024):
                    raise BadPackage(f"{info.filename}：压缩比异常，疑似压缩炸弹")
                if info.filename.endswith((".xml", ".rels")):
                    _check_part(package, info.filename, kind)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        raise BadPackage("不是完整的 zip 压缩包") from None


def _check_part(package: zipfile.ZipFile, name: str, kind: str) -> None:
    """Stream one XML part through expat: no DTD or entity declarations (whatever the
    encoding), well-formed to the end, and within the caps."""
    from xml.parsers import expat

    limits = _Limits(name, kind)
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse_dtd(*_: object) -> None:
        raise BadPackage(f"{name}：含有 DTD 或实体声明（<!DOCTYPE>），不予读取")

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = limits.see
    try:
        with package.open(name) as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        reason = _XML_REASONS.get(exc.code, expat.ErrorString(exc.code))
        raise BadPackage(
            f"{name}：XML {reason}（第 {exc.lineno} 行第 {exc.offset + 1} 列）"
        ) from None


def _xml_reasons() -> dict[int, str]:
    from xml.parsers.expat import errors

    names = {
        "XML_ERROR_NO_ELEMENTS": "内容为空或被截断",
        "XML_ERROR_UNCLOSED_TOKEN": "内容被截断",
        "XML_ERROR_PARTIAL_CHAR": "内容被截断",
        "XML_ERROR_UNDEFINED_ENTITY": "使用了未定义的实体",
        "XML_ERROR_SYNTAX": "格式错误",
        "XML_ERROR_INVALID_TOKEN": "格式错误",
        "XML_ERROR_TAG_MISMATCH": "标签不匹配",
        "XML_ERROR_JUNK_AFTER_DOC_ELEMENT": "根元素之后还有内容",
        "XML_ERROR_UNKNOWN_ENCODING": "未知的编码",
        "XML_ERROR_INCORRECT_ENCODING": "编码与声明不符",
    }
    return {errors.codes[getattr(errors, k)]: v for k, v in names.items() if hasattr(errors, k)}


_XML_REASONS = _xml_reasons()


class _Limits:
    """Rows, columns and cells seen in one part, against the caps."""

    def __init__(self, part: str, kind: str) -> None:
        self.part, self.kind = part, kind
        self.cells = 0
        self.rows = 0

    def see(self, tag: str, attrib: dict[str, str]) -> None:
        if self.kind == "xlsx":
            if tag == _SML + "c":
                self.cells += 1
                if self.cells > MAX_ROWS * MAX_COLUMNS:
                    self._refuse(f"单元格超过 {MAX_ROWS * MAX_COLUMNS} 个")
                if "r" in attrib:
                    self._within(attrib["r"])
            elif tag == _SML + "mergeCell":
                for ref in attrib.get("ref", "").split(":"):
                    self._within(ref)
            elif (
                tag == _SML + "row"
                and attrib.get("r", "").isdigit()
                and int(attrib["r"]) > MAX_ROWS
            ):
                self._refuse(f"第 {attrib['r']} 行超过上限 {MAX_ROWS} 行")
        elif self.kind == "docx":
            if tag == _WML + "tr":
                self.rows += 1
                if self.rows > MAX_ROWS:
                    self._refuse(f"表格超过 {MAX_ROWS} 行")
            elif tag in (_WML + "gridSpan", _WML + "gridBefore", _WML + "gridAfter"):
                value = attrib.get(_WML + "val", "1")
                if not value.isdigit() or int(value) > MAX_COLUMNS:
                    self._refuse(f"单元格跨 {value} 列，超过上限 {MAX_COLUMNS} 列")

    def _within(self, ref: str) -> None:
        m = _CELL_REF.match(ref.upper())
        if m is None:
            self._refuse(f"单元格位置“{ref[:20]}”无法识别")
            return
        column, row = _column_number(m.group(1)), int(m.group(2))
        if row > MAX_ROWS or column > MAX_COLUMNS or row < 1:
            self._refuse(f"单元格 {ref} 超出可导入的范围（至多 {MAX_ROWS} 行、{MAX_COLUMNS} 列）")

    def _refuse(self, why: str) -> None:
        raise BadPackage(f"{self.part}：{why}")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def reason(exc: BaseException) -> str:
    """What a library's failure on a broken file means, in Chinese."""
    if isinstance(exc, zipfile.BadZipFile):
        return "不是完整的 zip 压缩包"
    if isinstance(exc, KeyError):
        return f"缺少部件 {exc}"
    if isinstance(exc, RecursionError):
        return "结构嵌套过深"
    if isinstance(exc, IndexError):
        return "引用了不存在的样式或部件"
    return f"文件结构损坏，无法解析（{type(exc).__name__}）"
