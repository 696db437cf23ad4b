"""Reports: Markdown rendered from Jinja2 templates (gkctl report)."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    PlanOpt,
    UnitOpt,
    WithinOpt,
    as_of_date,
    check_format,
    format_option,
    keep,
    load,
    load_plans,
    parse_date,
    plan_scope,
    project_config,
    since_date,
    warn,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.cli.formats import OutputFormat
from gkctl.core import filenames, status
from gkctl.core.errors import UsageError
from gkctl.core.units import lookup


class Signer(NamedTuple):
    """The 通报's 落款, 主送 and 成文日期 as the options and gkctl.toml give them (None:
    not given), for views.report.office_dict."""

    office: str | None
    recipients: str | None
    dated: date | None


if TYPE_CHECKING:
    from gkctl.core.model import Dataset
    from gkctl.core.plans import NamedPlan
    from gkctl.views.report import TemplateRef


def report(
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            help="模板名称（summary 督办情况汇总、unit 单位任务清单、breakdown "
            "任务分解表、year 年终回头看，计划结束后可用）或模板文件路径。"
            "数据目录旁的 templates/ 中的同名模板优先于内置模板。",
        ),
    ] = "summary",
    unit: UnitOpt = None,
    each_unit: Annotated[
        bool,
        typer.Option(
            "--each-unit",
            help="为名录中的每个单位各生成一份报告，写入 -o 指定的目录"
            "（文件名为“单位.md”，Word 格式为“单位.docx”）。",
        ),
    ] = False,
    as_of: AsOfOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="上一期的日期（YYYY-MM-DD），或 previous-month（查看日期上个月的 1 日）："
            "报告加一节“本期变化”，列出此日之后至查看日期的进展、退办、销号、新增逾期、"
            "延期申请与决定。",
            show_default=False,
        ),
    ] = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="写入此文件（原子写入，目录不存在时新建）；默认输出到标准输出（Word 格式必须指定）。"
            "与 --each-unit 同用时为目录。",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat | None, format_option(OutputFormat.MARKDOWN, OutputFormat.DOCX)
    ] = None,
    office: Annotated[
        str | None,
        typer.Option(
            "--office",
            help="通报落款的发文机关署名；默认取 gkctl.toml 中 [office] 的 name，"
            "都没有时为计划的发文单位（tasks.yaml 的 issuer）。",
            show_default=False,
        ),
    ] = None,
    recipients: Annotated[
        str | None,
        typer.Option(
            "--recipients",
            help="通报的主送机关，如“各镇人民政府、街道办事处，区政府各委、办、局”；"
            "默认取 gkctl.toml 中 [office] 的 recipients，都没有时为“各有关单位”。",
            show_default=False,
        ),
    ] = None,
    dated: Annotated[
        str | None,
        typer.Option(
            "--dated",
            help="通报的成文日期（YYYY-MM-DD），写在落款下；默认为查看日期。",
            show_default=False,
        ),
    ] = None,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """用模板生成报告：督办情况汇总、单位任务清单、任务分解表或自定义模板。

    默认输出 Markdown；--format docx（或 -o 写到 .docx 文件）输出按党政机关公文格式
    （GB/T 9704-2012）排版的 Word 通报。
    督办情况汇总是一份通报：主送、正文（总体进展、本期变化、存在问题、下一步要求）、
    落款和成文日期，明细表作为附件（落款、主送见 --office、--recipients 和 gkctl.toml）。

    同样的数据和查看日期总是生成完全相同的报告，便于比较两期报告的差别；
    加 --since 时报告多一节“本期变化”。

    示例：gkctl report --template unit --unit 区经委 --as-of 2024-10-15 -f docx -o 区经委.docx
    """
    from gkctl.store import atomic
    from gkctl.views import report as core

    if fmt is not None:
        check_format(fmt, OutputFormat.MARKDOWN, OutputFormat.DOCX)
    # Without --format, a single report's file says what it is (as export's -o does): Markdown
    # text in 通报.docx is a file Word refuses to open.
    named_docx = not each_unit and out is not None and out.suffix.lower() == ".docx"
    word = fmt is OutputFormat.DOCX or (fmt is None and named_docx)
    if word and out is None:
        raise UsageError("Word 格式的报告需要用 -o 指定文件，如 -o 督办通报.docx。")
    if word and not each_unit and out is not None and out.suffix.lower() != ".docx":
        raise UsageError(f"Word 格式的报告应写入 .docx 文件，{out} 不是。")
    if not word and named_docx:
        raise UsageError(
            f"-o {out} 是 Word 文件，与 --format markdown 不符：Markdown 报告请写入 .md 文件，"
            "Word 通报去掉 --format 或用 --format docx。"
        )
    scope = plan_scope(data, plan)
    # templates/ stands beside the data folder: beside plans/ where it holds several plans.
    ref = core.find_template(template, scope.folder)
    day = as_of_date(as_of)
    needs_unit = ref.by_name and ref.name == f"unit{core.SUFFIX}"
    wants_year = ref.by_name and ref.name == f"year{core.SUFFIX}"
    if wants_year and (unit is not None or each_unit):
        raise UsageError(
            "年终回头看（year）是全区的，已列出各单位，不与 --unit、--each-unit 同用。"
        )
    config = project_config()
    # Who signs the 通报, to whom, and when: the options, else gkctl.toml's [office]; each
    # plan's own issuer where neither names the office (views.report.office_dict).
    signer = Signer(
        office or (config.office_name if config else None),
        recipients or (config.recipients if config else None),
        parse_date(dated, "--dated") if dated is not None else None,
    )
    if needs_unit and unit is None and not each_unit and config is not None:
        unit = config.unit  # gkctl.toml's default unit, for the unit template only
    if each_unit:
        if unit is not None:
            raise UsageError("--each-unit 与 --unit 不能同时使用。")
        if out is None:
            raise UsageError("--each-unit 需要用 -o 指定输出目录。")
    elif needs_unit and unit is None:
        raise UsageError(
            "模板 unit 需要用 --unit 指定单位，如 --unit 区经委；"
            "或用 --each-unit -o 目录 为每个单位各生成一份。"
        )
    # A folder of plans that holds one plan: that plan, as scope.one() reads it elsewhere.
    if scope.several and plan is None and len(scope.chosen) > 1:
        if word or each_unit or wants_year:
            raise UsageError(
                "Word 通报、年终回头看和 --each-unit 一次针对一个计划，请用 --plan 指定，"
                f"如 --plan {scope.chosen[-1].name}。"
            )
        plans = load_plans(scope.chosen)
        _each_plan(plans, ref, unit, day, within, since_date(since, day), signer, out)
        return
    dataset = load(scope.one().path)
    found = lookup(dataset.directory, unit) if unit is not None else None
    warn_outside_plan_year(dataset, day)
    year = _year(dataset, day) if wants_year else None  # refused before the plan's end
    renderer = core.Renderer(ref)
    signed = core.office_dict(dataset, day, signer.office, signer.recipients, signer.dated)
    context = keep(core.build_context(dataset, day, within, since_date(since, day), signed))
    if year is not None:
        context = {**context, "year": year}
    if each_unit:
        assert out is not None
        if out.exists() and not out.is_dir():
            raise UsageError(f"--each-unit 的 -o 应为目录，{out} 是文件。")
        stems = filenames.unit_stems(dataset.directory)
        reports: list[tuple[Path, bytes]] = []
        for u in dataset.directory.units:
            text = renderer.render(core.with_unit(context, dataset, u, day, within))
            if word:
                reports.append((out / f"{stems[u.name]}.docx", _docx(text, day, ref.name)))
            else:
                reports.append((out / f"{stems[u.name]}.md", text.encode("utf-8")))
        atomic.make_folder(out)
        atomic.write_all(reports)
        warn(f"已生成 {len(dataset.directory.units)} 份单位报告，写入 {out}。")
        return
    if found is not None:
        context = core.with_unit(context, dataset, found, day, within)
    text = renderer.render(context)
    if out is None:
        write_stdout(text)
    else:
        atomic.write_output(out, _docx(text, day, ref.name) if word else text.encode("utf-8"))
        warn(f"已写入 {out}。")


def _each_plan(
    plans: "list[NamedPlan]",
    ref: "TemplateRef",
    unit: str | None,
    day: date,
    within: int,
    since: date | None,
    signer: "Signer",
    out: Path | None,
) -> None:
    """Several plans, none named: each plan's report, one after another, under a rule;
    each signed as a single plan's is."""
    from gkctl.store import atomic
    from gkctl.views import report as core

    renderer = core.Renderer(ref)
    texts = []
    for _, dataset in plans:
        signed = core.office_dict(dataset, day, signer.office, signer.recipients, signer.dated)
        context = core.build_context(dataset, day, within, since, signed)
        if unit is not None:
            context = core.with_unit(context, dataset, lookup(dataset.directory, unit), day, within)
        texts.append(renderer.render(context))
    text = "\n---\n\n".join(texts)
    if out is None:
        write_stdout(text)
        return
    atomic.write_output(out, text.encode("utf-8"))
    warn(f"已写入 {out}（{len(plans)} 个计划的报告）。")


def _year(dataset: "Dataset", day: date) -> dict[str, Any]:
    """The year-end 回头看 for the `year` template (core.yearend)."""
    from gkctl.core import yearend
    from gkctl.views.yearend import year_dict

    return year_dict(yearend.review(dataset, day))


def _docx(markdown: str, day: date, template: str) -> bytes:
    from gkctl.exchange import gongwen
    from gkctl.views.report import SUFFIX

    name = template[: -len(SUFFIX)] if template.endswith(SUFFIX) else template
    return gongwen.write_report(markdown, day, SUBJECTS.get(name, name))


SUBJECTS = {
    "summary": "督办情况汇总",
    "unit": "单位任务清单",
    "breakdown": "任务分解表",
    "year": "年终回头看",
}


def register(app: typer.Typer) -> None:
    app.command()(report)
