"""The plan as a static web site (gkctl site)."""

from pathlib import Path
from typing import Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    PlanOpt,
    WithinOpt,
    as_of_date,
    load,
    load_plans,
    plan_scope,
    since_date,
    warn,
    warn_outside_plan_year,
)
from gkctl.core import status
from gkctl.store.outdir import MANIFEST


def site(
    out: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="写入此目录（不存在时新建）：index.html、units/、tasks/、site.css 和文件清单 "
            f"{MANIFEST}。清单所列、上一次生成而这次已没有的页面会被删除，其他文件不动；"
            "不经由指向目录之外的符号链接写入或删除。",
            show_default=False,
        ),
    ],
    as_of: AsOfOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="上一期的日期（YYYY-MM-DD），或 previous-month（查看日期上个月的 1 日）："
            "首页加上“本期变化”，列出此日之后至查看日期的进展、退办、销号、新增逾期、"
            "延期申请与决定（与 report --since 相同）。",
            show_default=False,
        ),
    ] = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """生成静态网站：督办看板，另有每个单位一页、每项任务一页。

    首页有各单位红黄绿灯、各状态任务数、各月到期任务图和各部分进展。

    网页不加载任何网络资源（图表由 gkctl 画成内嵌 SVG，不用网络字体），可以直接用浏览器打开，
    也可以放到内网服务器或 GitHub Pages 上。同样的数据和查看日期总是生成完全相同的文件。

    示例：gkctl site --as-of 2024-10-15 --since 2024-09-30 -o site
    """
    from gkctl.store import outdir
    from gkctl.views import site as view

    scope = plan_scope(data, plan)
    day = as_of_date(as_of)
    outdir.require_folder(out)
    several = scope.several and plan is None
    if several:
        files = view.build_plans(load_plans(scope.chosen), day, within, since_date(since, day))
    else:
        dataset = load(data, plan)
        warn_outside_plan_year(dataset, day)
        files = view.build(dataset, day, within, since_date(since, day))
    done = outdir.publish(out, files)
    units = sum(1 for name in files if "units/" in name)
    tasks = sum(1 for name in files if "tasks/" in name)
    removed = f"；删除上次生成、这次已没有的 {len(done.removed)} 个文件" if done.removed else ""
    if several:
        warn(
            f"已生成网站 {out}：计划索引 index.html 和 {len(scope.chosen)} 个计划的看板"
            f"（{units} 个单位页、{tasks} 个任务页）{removed}。"
        )
    else:
        warn(f"已生成网站 {out}：首页 index.html、{units} 个单位页、{tasks} 个任务页{removed}。")
    if done.unlisted:
        warn(
            f"{out} 中没有上次生成时留下的文件清单 {outdir.MANIFEST}（旧版 gkctl 生成的网站），"
            "这次没有删除任何旧页面；如需清理，可删去该目录后重新生成。"
        )


def register(app: typer.Typer) -> None:
    app.command()(site)
