"""gkctl init: a new office's data repository."""

from pathlib import Path
from typing import Annotated

import typer

from gkctl.cli.commands.common import IssuerOpt, NumberOpt, PublishedOpt, parse_date, today, warn
from gkctl.store import paths


def init(
    folder: Annotated[
        Path,
        typer.Argument(help="新数据仓库的目录；不存在时新建，须是空目录（可以有 .git）。"),
    ],
    plans: Annotated[
        bool,
        typer.Option(
            "--plans",
            help="用多计划目录：plans/units.yaml 加 plans/年度/tasks.yaml（见“多个计划”），"
            "而不是 data/。",
        ),
    ] = False,
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="再从印发的任务分解表（.docx 或 .xlsx）导入任务，同 gkctl import。",
            show_default=False,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="文件标题；不给时写作示例，待替换。", show_default=False),
    ] = None,
    number: NumberOpt = None,
    issuer: IssuerOpt = None,
    published: PublishedOpt = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            min=2000,
            max=2100,
            help="计划年度；默认取发布日期的年份，没有时取今年。",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="目录不空时也写入，替换同名文件（已有的 tasks.yaml、units.yaml 从不替换）。",
        ),
    ] = False,
) -> None:
    """新建一个办公室的数据仓库：计划文件、gkctl.toml、.gitignore、给办公室看的 README.md、
    pre-commit 配置，以及 GitHub、GitLab、Gitea 的 CI（安装固定版本的 gkctl，网站默认不发布）。

    不给文件信息时，计划和单位名录中写的是标明“示例”的占位内容，用 --from 导入任务分解表或
    手工替换。全部文件一次写成，或一个也不写；生成的数据能通过 gkctl validate。

    示例：gkctl init 督办数据 --from 任务分解表.docx --published 2024-04-10
    """
    from gkctl.store import newrepo, writes

    title, number, issuer = writes.document_facts(title, number, issuer)
    day = parse_date(published, "--published") if published is not None else None
    plan_year = year or (day.year if day is not None else today().year)
    facts = newrepo.Facts(title, number, issuer, day, plan_year)
    where = newrepo.layout(plans, plan_year)
    if source is not None and not source.is_file():
        from gkctl.core.errors import UsageError

        raise UsageError(f"找不到文件 {source}。")
    files = {**newrepo.plan_files(facts, where), **newrepo.scaffold_files(where)}
    written = newrepo.create(folder, files, force)
    shown = paths.shown(folder)
    print(
        f"已新建数据仓库 {shown}：{len(written)} 个文件（{where.tasks}、{where.units}、CI 配置等）。"
    )
    if source is not None:
        from gkctl.cli.commands.exchange import import_table

        # The repository is complete and valid before the import: a table that cannot be
        # read leaves it as written, ready for gkctl import once the table is fixed.
        import_table(
            source,
            output=folder / where.tasks,
            year=year,
            published=published,
            title=title,
            number=number,
            issuer=issuer,
            force=True,
            data=folder / where.data,
            plan=where.plan,
        )
        return
    examples = newrepo.missing_facts(facts)
    if examples:
        warn(
            f"计划中的{'、'.join(examples)}和单位名录写的是示例（“{newrepo.EXAMPLE}”），"
            f"请替换：用 gkctl import 导入印发的任务分解表，或编辑 {where.tasks}、{where.units}。"
        )
    print(f"下一步：cd {shown}，git init（如还没有），阅读 README.md；gkctl validate 检查。")


def register(app: typer.Typer) -> None:
    app.command()(init)
