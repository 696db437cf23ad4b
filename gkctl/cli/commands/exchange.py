"""Exchange with Word, Excel and calendars: import, export, ics."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    IssuerOpt,
    NumberOpt,
    PlanOpt,
    UnitOpt,
    WithinOpt,
    as_of_date,
    check_format,
    data_choice,
    format_option,
    load,
    parse_date,
    warn,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.cli.formats import OutputFormat
from gkctl.core import status
from gkctl.core.errors import ExitCode, UsageError
from gkctl.core.units import lookup
from gkctl.store import paths

if TYPE_CHECKING:
    from gkctl.core.model import Directory
    from gkctl.exchange.taskrows import Imported, ImportReport

F = OutputFormat
REVIEW_FILE = "units.review.yaml"
# Codes of the loader's problems that the import's own lists already explain.
_LISTED = {"unknown-unit", "deadline"}

OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="写出的文件路径（目录不存在时新建）。", show_default=False),
]


def import_table(
    file: Annotated[
        Path,
        typer.Argument(
            help="任务分解表文件：.docx（Word）或 .xlsx（Excel）；或没有表格的要点正文："
            ".docx、.txt、.md（编号条目，括号中写责任单位和完成时限）。",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="写出的计划文件；默认为数据目录中的 tasks.yaml。",
            show_default=False,
        ),
    ] = None,
    units: Annotated[
        Path | None,
        typer.Option(
            "--units",
            help="核对责任单位用的单位名录；默认取输出目录中的 units.yaml，没有时取数据目录中的。",
            show_default=False,
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            min=2000,
            max=2100,
            help="计划年度；默认从标题（如“2024年……”）读出。",
            show_default=False,
        ),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(
            "--published",
            help="发布日期（YYYY-MM-DD）；表格中没有时可不给，“印发后…”这样的时间节点需要它。",
            show_default=False,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            help="文件标题，如 2024年金山区政务公开工作要点；默认取表格标题或文件名。",
            show_default=False,
        ),
    ] = None,
    number: NumberOpt = None,
    issuer: IssuerOpt = None,
    copy_units: Annotated[
        bool,
        typer.Option(
            "--copy-units",
            help="把校验时用的单位名录原样复制到输出目录（那里还没有 units.yaml 时），"
            "之后 gkctl validate --data 输出目录 即可复查。",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已存在的输出文件（含 --copy-units 复制的）。")
    ] = False,
    discard_records: Annotated[
        bool,
        typer.Option(
            "--discard-records",
            help="与 --force 一起用：确认放弃被覆盖的 tasks.yaml 中的进展、延期、销号和转入转出记录（git 中仍可找回）。",
        ),
    ] = False,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="按列字母（或序号）指定各列，表头的说法认不出时用，如 "
            "任务名称=B,任务内容=C,责任单位=D,时间节点=E；还可用 序号、部分、牵头单位、配合单位、备注。",
            show_default=False,
        ),
    ] = None,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """把 Word 或 Excel 的任务分解表（或没有表格的要点正文）导入为 tasks.yaml。

    按表头的说法找列（任务名称/工作任务/重点任务……、任务内容/具体要求/工作要求……、
    责任单位/牵头单位+配合单位……、时间节点/完成时限……、序号/编号），并报告每一列用作了什么；
    认不出时用 --columns 指定。识别“一、……”部分标题行或合并的部分列、合并和折行的单元格；
    没有序号列时按任务文字开头的“1.”“（1）”或表中顺序编号；没有时间节点的任务记作“未明确时限”。
    责任单位按 、，；空格和换行拆开，“X牵头，Y配合”“X（牵头）”排成牵头在前，以“等”结尾的
    记作可能涉及的统称；别名按单位名录改写为单位名称。没有对应字段的列写入任务的 notes。
    不在单位名录中的责任单位连同“是否为”建议写入 units.review.yaml 供核对（没有单位名录时，
    它就是单位名录的初稿）；无法识别的时间节点逐项列出；最后说明下一步做什么。
    没有任务分解表的 Word 文件，以及 .txt、.md 文件，按要点正文读取：“一、”标题为部分，
    其下编号的条目（1. 2. …；没有编号条目的“（一）”段落本身）为任务，条目后括号中的
    （责任单位：A、B）（完成时限：…）为责任单位和时间节点，单位同样核对；没有写责任单位
    的条目，units 留空待填（gkctl validate 逐项指出）。
    已有的输出文件不覆盖，除非加 --force；它记有进展、延期、销号或转入转出时，--force 也不
    覆盖，而是说明会丢失多少条记录、怎样带过去（新一年的计划用 gkctl carry），确要放弃时再加
    --discard-records。输出目录不存在时自动新建。责任单位按输出目录中的
    units.yaml 核对，没有时按数据目录中的；输出目录中没有 units.yaml 时会提示复制一份过去，
    也可加 --copy-units 由导入一并复制（只复制已有的单位名录，不会编造）。

    退出码：0 已导入且能通过校验；1 已导入但还有需要人工处理的问题（见提示），或表格无法读取；2 用法错误（文件不存在、格式不支持、输出文件已存在、无法判断计划年度）。

    示例：gkctl import 任务分解表.docx -o data/tasks.yaml --published 2024-04-10
    """
    from gkctl.core.model import Plan
    from gkctl.exchange import headers, table, yaml_out
    from gkctl.store import atomic, loader, writes

    title, number, issuer = writes.document_facts(title, number, issuer)
    suffix = file.suffix.lower()
    if suffix in (".doc", ".xls", ".wps", ".et"):
        raise UsageError(
            f"不支持旧版格式 {suffix}：请在 Word 或 Excel 中另存为 .docx 或 .xlsx 后再导入。"
        )
    if suffix not in (".docx", ".xlsx", ".xlsm", *_TEXT_SUFFIXES):
        raise UsageError(
            f"只能导入 .docx、.xlsx 的任务分解表，或 .docx、.txt、.md 的要点正文，这里是“{file.name}”。"
        )
    if not file.is_file():
        raise UsageError(f"找不到文件 {file}。")
    data_dir = data_choice(data, require=False).path
    # Named as the person would type it: relative to the working folder where it can be
    # (the data folder found by walking up is absolute), in every message and problem below.
    out = Path(paths.shown(output or _import_target(data_dir, plan)))
    folder = out.parent
    review = folder / REVIEW_FILE
    if out.is_dir():
        raise UsageError(f"{out} 是一个目录，请给出文件名，如 {out / paths.TASKS_FILE}。")
    if out.exists() and not force:
        raise UsageError(f"{out} 已存在，未覆盖。要覆盖请加 --force，或用 -o 写到另一个文件。")
    if out.is_file() and not discard_records:
        _keep_records(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"无法写入 {out}：{folder} 不是目录。")
    if units is not None and not units.is_file():
        raise UsageError(f"找不到单位名录 {units}。")
    units_path = units or next(
        (p for p in (folder / paths.UNITS_FILE, data_dir / paths.UNITS_FILE) if p.is_file()),
        None,
    )
    copy_to = _units_copy_target(copy_units, units_path, folder, force)
    given = table.DocumentHints(
        title,
        number,
        issuer,
        parse_date(published, "--published") if published is not None else None,
        year,
    )
    hand = headers.parse_hand(columns) if columns is not None else None
    units_raw = units_path.read_bytes() if units_path else None
    directory = (
        table.read_directory(units_raw, str(units_path)) if units_raw and units_path else None
    )

    imported = _read_plan(file, suffix, hand, directory)
    document, missing = table.make_document(given, imported.found, file.stem)
    result = Plan(document, imported.sections, imported.tasks)
    unknown = table.unknown_units(result.tasks, directory)
    if unknown and review.exists() and not force:
        raise UsageError(f"{review} 已存在，未覆盖。要覆盖请加 --force。")
    bad = table.unresolved_deadlines(result)
    unitless = [t.id for t in result.tasks if not t.units]

    header = _header(file, units_path, missing, imported) + _editor_line(out)
    text = yaml_out.plan_yaml(result, header)
    created = atomic.make_folder(folder)
    atomic.write_text(out, text)
    if copy_to is not None and units_raw is not None:
        atomic.write_bytes(copy_to, units_raw)
    if unknown:
        atomic.write_text(review, yaml_out.units_review_yaml(unknown, _str(units_path), str(out)))
    _, problems = loader.check_bytes(
        text.encode("utf-8"), units_raw, str(out), _str(units_path) or ""
    )
    empty = tuple(f"任务 {i} 的责任单位（units）" for i in unitless)
    others = [
        p
        for p in problems
        if p.code not in _LISTED and not (p.code == "empty-value" and p.message.startswith(empty))
    ]

    # A 要点 read as text (no table layout) is spoken of as the document, not a table.
    source = "表格" if imported.report is None or imported.report.layout is not None else "正文"
    if created:
        warn(f"已新建目录 {folder}。")
    for line in imported.conflicts:
        warn(f"注意：{line}")
    warn(f"已导入 {len(result.tasks)} 项任务（{len(result.sections)} 个部分）：{file} → {out}")
    if copy_to is not None:
        warn(f"已把单位名录 {units_path} 复制为 {copy_to}。")
    if missing:
        warn(
            f"注意：{source}中没有{'、'.join(missing)}，已写作“{table.PLACEHOLDER}”，请在 {out} 的 document 中补全。"
        )
    if document.published is None:
        warn(
            f"注意：{source}上没有发布日期，document 中不写 published（日期都在计划年度内的时间节点"
            "不需要它；“印发后3个月内”这样的时间节点需要时，用 --published 给出）。"
        )
    if imported.placeholder_section:
        warn(
            f"注意：表格中没有“一、……”这样的部分标题行，全部任务归入部分“一”，标题写作“{table.PLACEHOLDER}”。"
        )
    if imported.joined:
        warn(f"注意：有 {imported.joined} 行没有自己的序号，已并入上一项任务（多为跨页断开的行）。")
    for line in _report_lines(imported, len(result.tasks)):
        warn(line)
    if unknown:
        where = f"单位名录 {units_path} 中" if units_path else "单位名录中（没有找到 units.yaml）"
        warn(f"有 {len(unknown)} 个责任单位不在{where}，已写入 {review} 供核对：")
        for u in unknown:
            ids = "、".join(str(i) for i in u.tasks)
            hint = f"：是否为“{u.suggestion}”？" if u.suggestion else ""
            warn(f"  {u.name}（任务 {ids}）{hint}")
    if unitless:
        why = (
            "的正文没有写明责任单位（括号中的“责任单位：……”）"
            if source == "正文"
            else "在表格中没有责任单位"
        )
        warn(
            f"有 {len(unitless)} 项任务{why}，"
            f"units 留空待填：任务 {_ids(unitless)}。请按任务分解表填写；gkctl validate 逐项指出。"
        )
    if bad:
        warn(f"有 {len(bad)} 个时间节点无法识别，请改写或在任务中填写 due（YYYY-MM-DD）：")
        for b in bad:
            warn(f"  任务 {b.task}：{b.reason}")
    if others:
        warn("其他问题：")
        for p in others:
            warn(f"  {p}")
    if unknown or bad or others or unitless or units_raw is None:
        draft = review if unknown and units_path is None else None
        only_units = draft is not None and not bad and not others and not unitless
        warn(
            _recheck(
                out, units_path, copy_to is not None, False, draft=draft, only_units=only_units
            )
        )
        raise typer.Exit(int(ExitCode.PROBLEMS))
    warn(_recheck(out, units_path, copy_to is not None, passed=True))


_TEXT_SUFFIXES = (".txt", ".md")
# A 要点 as text is a few hundred KB at most; a bigger file is not one.
_TEXT_BYTES = 20 * 1024 * 1024


def _read_plan(
    file: Path, suffix: str, hand: dict[str, int] | None, directory: "Directory | None"
) -> "Imported":
    """The file's tasks: its 任务分解表, else (a Word file without one, a .txt or .md) the
    要点's numbered items (exchange.yaodian)."""
    from gkctl.core.errors import GkctlError
    from gkctl.exchange import headers, taskrows, yaodian

    if suffix in _TEXT_SUFFIXES:
        if hand is not None:
            raise UsageError(
                "--columns 只用于表格（.docx、.xlsx 中的任务分解表）；要点正文按编号和括号读取。"
            )
        imported = yaodian.read_document(_text_lines(file), str(file), directory)
    elif suffix == ".docx":
        from gkctl.exchange.docx_io import read_docx, read_docx_text

        sheets = read_docx(file, str(file))
        if hand is not None or any(headers.find_layout(s.rows, None) for s in sheets):
            return taskrows.read_sheets(sheets, str(file), hand, directory)
        lines, title = read_docx_text(file, str(file))
        imported = yaodian.read_document(lines, str(file), directory, title)
        if not imported.tasks and sheets:
            # Tables, none of them a 任务分解表: the table reader's message says what it saw.
            return taskrows.read_sheets(sheets, str(file), hand, directory)
    else:
        from gkctl.exchange.xlsx_io import read_xlsx

        return taskrows.read_sheets(read_xlsx(file, str(file)), str(file), hand, directory)
    if not imported.tasks:
        raise GkctlError(
            f"{file}：找不到任务。既没有任务分解表（有任务文字列和责任单位列的表格），"
            "也没有“一、”标题下编号的条目（1. 2. …），或带责任单位的“（一）”段落。"
        )
    return imported


def _text_lines(file: Path) -> list[str]:
    """A .txt or .md file's lines: UTF-8 (with or without a BOM), else GB 18030 (what
    Chinese Windows saves as 'ANSI')."""
    size = file.stat().st_size
    if size > _TEXT_BYTES:
        raise UsageError(
            f"{file} 有 {size / 1024 / 1024:.1f} MB，不像是要点正文（上限 "
            f"{_TEXT_BYTES // 1024 // 1024} MB），未导入。"
        )
    raw = file.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise UsageError(f"{file} 既不是 UTF-8 也不是 GB 18030 编码的文本，请另存为 UTF-8 后再导入。")


def _keep_records(out: Path) -> None:
    """Refuse to replace a plan that holds the year's records: an import writes the
    table's text only, and everything the office and the units recorded would go."""
    from gkctl.store.newplan import held_records

    held = held_records(out.read_bytes(), paths.shown(out))
    if held is not None and not held.total:
        return
    if held is None:
        what = f"{out} 无法按 YAML 读出，不能确认其中没有进展和销号等记录"
    else:
        counts = [
            (held.progress, "条进展"),
            (held.extensions, "条延期申请"),
            (held.closed, "项销号"),
            (held.carried, "个转入转出链接"),
        ]
        listed = "、".join(f"{n} {what}" for n, what in counts if n)
        what = f"{out} 中记有 {listed}（共 {held.total} 条记录），导入只写表格里的文字，这些记录会全部丢失"
    raise UsageError(
        f"{what}，未覆盖。\n"
        "新一年的计划：导入到多计划目录中的新计划（gkctl import 表格 --data plans --plan 2025），"
        "再用 gkctl carry --from 2024 --to 2025 转入未完成的任务；\n"
        "同一计划的新版本：用 -o 写到另一个文件，gkctl diff 对比后把记录带过去；\n"
        "确要放弃这些记录（git 中仍可找回）：加 --force --discard-records。"
    )


def _import_target(data_dir: Path, plan: str | None) -> Path:
    """Where an import writes by default: the data folder's tasks.yaml; with --plan, that
    plan's folder in a folder of plans (a new plan starts there)."""
    if plan is None:
        return data_dir / paths.TASKS_FILE
    if not paths.holds_plans(data_dir):
        raise UsageError(
            f"--plan：数据目录 {paths.shown(data_dir)} 不是多计划目录"
            f"（应有共用的 {paths.UNITS_FILE}，没有自己的 {paths.TASKS_FILE}）。"
        )
    return data_dir / paths.plan_name(plan) / paths.TASKS_FILE


def _units_copy_target(
    copy_units: bool, units_path: Path | None, folder: Path, force: bool
) -> Path | None:
    """Where --copy-units copies the directory to; None when there is nothing to copy
    (the output folder's own units.yaml is the one in use). Refuses, before anything is
    written, when there is no directory to copy or a different one is already there."""
    if not copy_units:
        return None
    if units_path is None:
        raise UsageError(
            "--copy-units：没有可复制的单位名录（输出目录和数据目录中都没有 units.yaml），"
            "请用 --units 指定。"
        )
    target = folder / paths.UNITS_FILE
    if _same_file(units_path, target):
        return None
    if target.exists() and not force:
        raise UsageError(
            f"{target} 已存在，未用 {units_path} 覆盖。要覆盖请加 --force，或不加 --copy-units。"
        )
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _recheck(
    out: Path,
    units_path: Path | None,
    copied: bool,
    passed: bool,
    draft: Path | None = None,
    only_units: bool = False,
) -> str:
    """The closing line: whether the plan passed, and how to repeat the check with
    gkctl validate, which reads tasks.yaml and units.yaml of one folder. The steps make
    that true: the file named tasks.yaml, and the directory the import used next to it."""
    folder = out.parent
    beside = folder / paths.UNITS_FILE
    steps: list[str] = []
    used = ""
    if out.name != paths.TASKS_FILE:
        steps.append(f"把 {out} 改名为 {folder / paths.TASKS_FILE}")
    # A plan in a folder of plans reads the shared units.yaml above it (paths.units_file),
    # which is also what validate reads: nothing to copy there (a copy beside it would even
    # be refused, since a plan folder may not hold a directory of its own).
    shared = units_path is not None and _same_file(units_path, paths.units_file(folder))
    if units_path is not None and not copied and not shared and not _same_file(units_path, beside):
        if beside.exists():
            used = f"（校验时使用的单位名录是 {units_path}；gkctl validate 用的是 {beside}，结果可能不同）"
        else:
            used = f"（校验时使用的单位名录是 {units_path}，{folder} 下没有 {paths.UNITS_FILE}）"
            steps.append(f"把 {units_path} 复制为 {beside}（或导入时加 --copy-units）")
    command = f"gkctl validate --data {folder}"
    if draft is not None:
        # A new office: the review file is the first draft of its unit directory.
        steps.append(
            f"核对 {draft}（单位名称、kind 类型、统称的 meaning 和 members）后改名为 {beside}"
            f"（mv {draft} {beside}）"
        )
    if not passed:
        if not only_units:  # the draft step above is all there is to do
            steps.insert(0, "处理上面列出的问题")
        return f"导入的计划还不能通过校验{used}：请{'，'.join(steps)}，再运行 {command} 复查。"
    if not steps:
        return f"计划可以通过校验{used}。可运行 {command} 复查。"
    return f"计划可以通过校验{used}。请{'，'.join(steps)}，再运行 {command} 复查。"


def _str(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _editor_line(out: Path) -> list[str]:
    """The editor's schema line of the tasks.yaml being replaced (gkctl init writes one):
    kept, so the office's editor goes on checking the plan after an import."""
    try:
        old = out.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    marked = [line for line in old.splitlines() if line.startswith("# yaml-language-server:")]
    return [marked[0][2:]] if marked else []


def _header(
    file: Path, units_path: Path | None, missing: tuple[str, ...], imported: "Imported"
) -> list[str]:
    report = imported.report
    if report is not None and report.layout is None:
        lines = [
            f"gkctl plan data, imported with `gkctl import` from {file.name}, a 要点 without a table.",
            "Sections are its 一、 headings; each task is a numbered item (or a （一） paragraph",
            "without numbered items): name from the （一） title above it (else the first sentence),",
            "content and text the item's text without its brackets, units and deadline from",
            "the brackets after it (责任单位, 完成时限). units: [] is an item that names no unit: to fill.",
        ]
    else:
        lines = [
            f"gkctl plan data, imported with `gkctl import` from {file.name}.",
            "Values are the table's cells: cells wrapped over lines are joined, 责任单位 is split",
            "into units (lead first), a merged 任务名称 is repeated on every task it covers, columns",
            "for no field are kept in notes. There is no `text` key: a table holds no body text.",
            "A task without a deadline key had no 时间节点 in the table (未明确时限).",
        ]
    if report is not None and report.layout is not None:
        used = [
            f"{headers_letter(c.index)} {c.label or '-'} -> {c.field or 'notes'}"
            for c in report.layout.columns
            if (c.label or c.field) and c.how != "空列"
        ]
        lines.append("Columns: " + "; ".join(used) + ".")
    if units_path is not None:
        lines.append(f"Units were checked against {units_path}.")
    if missing:
        lines.append(
            "To fill in by hand (written as 待填写): "
            + ", ".join(m.split()[-1] for m in missing)
            + "."
        )
    return lines


def headers_letter(index: int) -> str:
    from gkctl.exchange.headers import letter

    return letter(index)


_FIELD_USE = {
    "id": "序号",
    "section": "部分（合并的“一、……”单元格）",
    "name": "任务名称",
    "content": "任务内容",
    "lead": "责任单位（排在前面，第一个为牵头单位）",
    "co": "责任单位（配合，排在牵头单位之后）",
    "deadline": "时间节点",
    "notes": "备注（写入 notes）",
    "skip": "不导入",
}


def _ids(ids: list[int], limit: int = 12) -> str:
    shown = "、".join(str(i) for i in ids[:limit])
    return shown + (f" 等 {len(ids)} 项" if len(ids) > limit else "")


def _change_lines(report: "ImportReport", dated: bool) -> list[str]:
    """What the import did to the units and deadlines as written (a table's or a 要点's)."""
    out: list[str] = []
    if report.renamed:
        out.append(f"按单位名录把 {len(report.renamed)} 个责任单位的写法改为单位名称：")
        for (written, name), ids in report.renamed.items():
            out.append(f"  {written} → {name}（任务 {_ids(ids)}）")
    if report.relevant:
        out.append(
            f"有 {len(report.relevant)} 处责任单位以“等”结尾，记作可能涉及的统称（relevant），"
            "原文写入 notes："
        )
        for task, written, group in report.relevant:
            out.append(f"  任务 {task}：“{written}” → {group}")
    if report.etc:
        out.append(
            f"有 {len(report.etc)} 处责任单位写作“X等”：只记写明的单位，不添加统称，原文写入 notes："
        )
        out += [f"  任务 {task}：“{written}”" for task, written in report.etc]
    if report.undated and dated:
        out.append(
            f"有 {len(report.undated)} 项任务的时间节点为空，记作“未明确时限”：任务 {_ids(report.undated)}。"
        )
    return out


def _document_lines(report: "ImportReport", total: int) -> list[str]:
    """How a 要点 without a table was read (exchange.yaodian)."""
    out = [
        "没有任务分解表，按要点正文读取：“一、”标题为部分，编号的条目为任务，"
        "条目后括号中的责任单位和完成时限为 units 和 deadline。"
    ]
    if report.numbering == "renumbered":
        out.append(
            f"条目的编号在各部分中重新开始（或是“（一）”段落）：任务按正文顺序编为 1–{total}。"
        )
    if report.derived_names:
        out.append("条目上方没有“（一）”小标题的，任务名称（name）取条目的第一句，请核对。")
    return out


def _report_lines(imported: "Imported", total: int) -> list[str]:
    """What the import took each column for, and what it did beyond copying cells."""
    from gkctl.exchange import headers

    report = imported.report
    if report is None:
        return []
    out: list[str] = []
    layout = report.layout
    if layout is None:
        return _document_lines(report, total) + _change_lines(report, dated=True)
    where = "、".join(str(n) for n in report.header_rows)
    out.append(f"表头在第 {where} 行，各列用作：" if where else "没有表头行，各列用作：")
    for c in layout.columns:
        if c.how == headers.EMPTY:
            continue  # nothing in it to report
        use = (
            _FIELD_USE[c.field]
            if c.field
            else "没有对应的项，文字写入 notes（如需另作他用，请用 --columns 指定）"
        )
        why = f"（{c.how}）" if c.how else ""
        out.append(f"  {c.name} → {use}{why}")
    fields = {c.field for c in layout.columns}
    if "deadline" not in fields:
        out.append("表格没有时间节点列：任务的时间节点空着，记作“未明确时限”（没有编造日期）。")
    if not fields & {"lead", "co"}:
        out.append(
            "表格没有责任单位列：各项任务的责任单位（units）留空待填（没有编造单位）。"
            "若其中某一列就是责任单位，请用 --columns 指定后重新导入，如 --columns 责任单位=D。"
        )
    numbering = {
        "typed": "没有序号列：序号取自任务文字开头的编号（如“1.”“（1）”），已从文字中去掉。",
        "order": f"没有序号列：任务按表中顺序编为 1–{total}。",
        "order-typed": f"没有序号列，文字开头的编号不连续或在各部分中重新开始：任务按表中顺序编为 1–{total}，"
        "文字开头的编号已去掉。",
        "renumbered": f"序号在各部分中重新开始：任务按表中顺序编为 1–{total}。",
        "id-order": f"序号列中有的任务没有数字序号（原文写入 notes）：任务按表中顺序编为 1–{total}。",
    }.get(report.numbering)
    if numbering:
        out.append(numbering)
    if report.derived_names:
        out.append("表格没有单独的任务名称列：任务名称（name）取任务内容的第一句，请核对。")
    out += _change_lines(report, "deadline" in fields)
    if report.subheadings:
        out.append(
            f"有 {len(report.subheadings)} 行是部分之下的小标题，写入其下各项任务的 notes（“小标题：……”）："
        )
        for row, text in report.subheadings:
            out.append(f"  第 {row} 行：{text}")
    if report.id_headings:
        out.append(f"有 {len(report.id_headings)} 行是没有写作“一、……”的部分标题，作为部分导入：")
        out += [f"  第 {row} 行：{text}" for row, text in report.id_headings]
    if report.joined_tables:
        out.append(
            f"文件中的表格分成了 {report.joined_tables + 1} 段（列数相同），已接在一起导入。"
        )
    if report.others:
        out.append(f"文件中另有 {len(report.others)} 个表格未导入（只导入有表头的第一个）：")
        out += [f"  {text}" for text in report.others]
    if report.skipped:
        out.append(f"表格中有 {len(report.skipped)} 行不是任务，未导入：")
        for row, text in report.skipped:
            out.append(f"  第 {row} 行：{text}")
    return out


def export(
    fmt: Annotated[OutputFormat | None, format_option(F.XLSX, F.DOCX)] = None,
    output: OutputOpt = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            "-u",
            help="只导出这个单位的任务（直接点名、通过统称涉及和可能涉及的），状态按本单位视角。",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """导出任务分解表（Excel 或 Word），按办公室打印的样式，并加上截止日期和状态两列。

    合并的任务名称、部分标题行、每页重复的表头、适合中文的列宽、A4 横向。不指定 --format
    时按 -o 的扩展名，默认 xlsx；默认文件名如 任务分解表-2024-10-15.xlsx。-o 的扩展名只能是
    .xlsx 或 .docx，且须与 --format 一致。导出的文件可以再用 gkctl import 导入。

    --unit 只导出一个单位的任务（文件名如 任务分解表-区经委-2024-10-15.xlsx）。

    示例：gkctl export --format docx --as-of 2024-10-15
    """
    from gkctl.exchange import table
    from gkctl.store import atomic

    by_suffix = {".xlsx": F.XLSX, ".docx": F.DOCX}
    if fmt is not None:
        check_format(fmt, F.XLSX, F.DOCX)
    suffix = output.suffix.lower() if output is not None else ""
    if output is not None and suffix not in by_suffix:
        # Office opens a file by its extension: xlsx bytes in x.pdf or x.xls only confuse it.
        raise UsageError(
            f"-o {output}：只能导出 .xlsx（Excel）或 .docx（Word）文件，请改用这两种扩展名之一。"
        )
    chosen = fmt or by_suffix.get(suffix, F.XLSX)
    if output is not None and by_suffix[suffix] is not chosen:
        raise UsageError(f"-o {output} 的扩展名与 --format {chosen.value} 不符。")
    dataset = load(data, plan)
    day = as_of_date(as_of)
    warn_outside_plan_year(dataset, day)
    found = lookup(dataset.directory, unit) if unit is not None else None
    if found is not None:
        from gkctl.core import filenames

        name = f"任务分解表-{filenames.unit_stems(dataset.directory)[found.name]}"
    else:
        name = "任务分解表"
    path = output or Path(f"{name}-{day.isoformat()}.{chosen.value}")
    laid_out = table.export_table(dataset, day, within, found)
    if chosen is F.DOCX:
        from gkctl.exchange.docx_io import write_docx

        content = write_docx(laid_out)
    else:
        from gkctl.exchange.xlsx_io import write_xlsx

        content = write_xlsx(laid_out)
    atomic.write_output(path, content)
    count = sum(1 for row in laid_out.rows if isinstance(row, table.TaskRow))
    sections = len(laid_out.rows) - count
    whose = f"{found.name}的 " if found is not None else ""
    warn(f"已写出 {path}：{whose}{count} 项任务、{sections} 个部分，状态截至 {day.isoformat()}。")


def ics(
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    output: OutputOpt = None,
    alarm_days: Annotated[
        int, typer.Option("--alarm-days", min=0, max=60, help="提前几天提醒；0 表示不提醒。")
    ] = 3,
    within: WithinOpt = status.DEFAULT_WITHIN,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """导出截止日期日历（iCalendar .ics），可导入或订阅到 Outlook、手机日历。

    每项任务、每个节点一个全天事件，截止前几天提醒；重新导入时按 UID 更新而不重复。
    周期性任务取查看日期之后的下一期；待市级部署的任务暂无日期，不列入（在提示中列出）。
    不指定 -o 时写到标准输出。

    示例：gkctl ics --unit 区经委 -o 区经委.ics
    """
    from gkctl.exchange.ics import feed
    from gkctl.store import atomic

    dataset = load(data, plan)
    day = as_of_date(as_of)
    warn_outside_plan_year(dataset, day)
    found = lookup(dataset.directory, unit) if unit is not None else None
    result = feed(dataset, day, found, alarm_days, within)
    if output is not None:
        atomic.write_output(output, result.data)
        warn(f"已写出 {output}：{result.events} 个日历事件。")
    else:
        write_stdout(result.data.decode("utf-8"))
        warn(f"共 {result.events} 个日历事件。")
    if result.pending:
        ids = "、".join(str(i) for i in result.pending)
        warn(f"有 {len(result.pending)} 项任务待市级部署、暂无日期，未列入日历：任务 {ids}。")


def register(app: typer.Typer) -> None:
    app.command("import")(import_table)
    app.command()(export)
    app.command()(ics)
