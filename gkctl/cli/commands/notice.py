"""gkctl notice: the 督办通知单, the paper form of chasing — the matters `notify` sends,
as a numbered 公文 addressed to the unit (Word, laid out as the 通报 is)."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    PlanOpt,
    UnitOpt,
    WithinOpt,
    as_of_date,
    parse_date,
    warn,
    write_stdout,
)
from gkctl.cli.commands.notify import OfficeOpt, collect, office_of
from gkctl.core import filenames, status
from gkctl.core.errors import UsageError
from gkctl.core.units import lookup

if TYPE_CHECKING:
    from gkctl.core.notice import Notice
    from gkctl.store.noticelog import Issued

DEFAULT_FOLDER = "督办通知单"


def notice(
    unit: UnitOpt = None,
    each_unit: Annotated[
        bool,
        typer.Option("--each-unit", help="每个有事项要办的单位一份，写到 -o 指定的目录。"),
    ] = False,
    as_of: AsOfOpt = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    reply_days: Annotated[
        int,
        typer.Option(
            "--reply-days", min=1, max=60, help="限几个工作日内回复（从查看日期的次日算起）。"
        ),
    ] = 5,
    reply_by: Annotated[
        str | None,
        typer.Option(
            "--reply-by",
            help="回复期限（YYYY-MM-DD），代替 --reply-days；不能早于查看日期。",
            show_default=False,
        ),
    ] = None,
    contact: Annotated[
        str,
        typer.Option("--contact", help="写在办理要求之后的一行，如 联系人：张三，电话：57921234。"),
    ] = "",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="写出的 Word 文件（.docx），默认 单位-督办〔年〕第N号.docx；与 --each-unit "
            f"同用时为目录，默认 {DEFAULT_FOLDER}（目录不存在时新建）。",
            show_default=False,
        ),
    ] = None,
    office_given: OfficeOpt = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="只显示将写出的通知单、编号和事项数，不写文件、不占编号。"),
    ] = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """督办通知单（Word）：按公文格式，给单位一份编号的督办通知单。

    列出的事项与 gkctl notify 相同（已逾期、即将到期的任务，被退办的完成报告及理由，
    近 7 天延期申请的决定，未交回的填报表），另写回复期限、办理要求、落款和日期。
    编号按年度递增（督办〔2024〕第N号），记在数据目录的 notice-log.yaml，从不重复；
    通知单和编号记录一起写入，全写或全不写。同一天内容相同的通知单再写一次，沿用原编号。

    示例：gkctl notice --unit 区经委 --as-of 2024-11-05
    """
    from gkctl.core import workdays
    from gkctl.exchange import gongwen
    from gkctl.store import atomic, noticelog
    from gkctl.store import contacts as book
    from gkctl.views import notice as words

    if each_unit == (unit is not None):
        raise UsageError("请给出 --unit 单位，或用 --each-unit 为每个有事项要办的单位各写一份。")
    day = as_of_date(as_of)
    due = parse_date(reply_by, "回复期限（--reply-by）") if reply_by is not None else None
    if due is not None and due < day:
        raise UsageError(f"回复期限 {due.isoformat()} 早于查看日期 {day.isoformat()}。")
    single = output if unit is not None else None
    if single is not None and single.suffix.lower() != ".docx":
        raise UsageError(f"-o {single}：督办通知单是 Word 文件，请用 .docx 扩展名。")
    folder = (output or Path(DEFAULT_FOLDER)) if each_unit else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise UsageError(f"--each-unit 的 -o 应是目录，{folder} 是文件。")
    found = collect(data, plan, day, within, unit)
    if found is None:
        return
    chosen: list[Notice] = found.notices
    if unit is not None and not chosen:
        name = lookup(found.directory, unit).name
        warn(f"{name} 截至 {day.isoformat()} 没有需要督办的事项，未生成督办通知单。")
        return
    if not chosen:
        warn(f"截至 {day.isoformat()} 没有需要督办的单位，未生成督办通知单。")
        return
    contacts = book.read_contacts(found.folder, found.directory)
    office = office_of(office_given, contacts)
    reply = due or workdays.after_workdays(day, reply_days)
    stems = filenames.unit_stems(found.directory)

    def target(n: "Notice", issued: "Issued") -> Path:
        if single is not None:
            return single
        name = f"{stems[n.unit.name]}-{issued.label}.docx"
        return (folder / name) if folder is not None else Path(name)

    def documents(issued: "list[Issued]") -> list[tuple[Path, bytes]]:
        out = []
        for n, i in zip(chosen, issued, strict=True):
            title = words.title_of(n, found.titles, found.title)
            sheet = words.Sheet(i.label, title, office, reply, contact.strip())
            markdown = words.sheet_markdown(n, sheet)
            subject = f"督办通知单 {n.unit.name} {i.label}"
            out.append(
                (target(n, i), b"" if dry_run else gongwen.write_report(markdown, day, subject))
            )
        return out

    if folder is not None and not dry_run:
        atomic.make_folder(folder)
    wanted = [(n.unit.name, n.fingerprint) for n in chosen]
    issued = noticelog.issue(found.folder, wanted, day, documents, dry_run)
    for n, i in zip(chosen, issued, strict=True):
        again = "" if i.new else "（同日同内容，沿用原编号）"
        head = "将写出" if dry_run else "已写出"
        write_stdout(
            f"{head} {target(n, i)}：{i.label}{again}，{n.unit.name}，{n.matters} 项事项，"
            f"限 {reply.isoformat()} 前回复。\n"
        )
    if dry_run:
        warn("未写入（--dry-run）：没有写文件，也没有占用编号。")


def register(app: typer.Typer) -> None:
    app.command()(notice)
