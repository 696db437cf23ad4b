"""The plan as a static web site (gkctl site): an index with the board of lights, the status
totals, a chart of deadlines by month and the progress of each section; a page per unit and
a page per task.

Nothing is counted here. The figures come from the functions behind `gkctl stats`
(core.stats.compute) and the reports (views.report.build_context / with_unit), so that the
site, `stats` and the 通报 agree by construction. The pages load nothing from the network
(no script, no web font, charts drawn as inline SVG by views.charts) and link only to one
another and to site.css by relative paths, so the site works from file://, on an intranet
server and on GitHub Pages alike. Templates are gkctl's own (templates/site/), rendered with
autoescape: every text from the YAML is escaped, and what the loader refuses (control and
bidirectional characters, from a plan read before it did) is shown as \\xNN or \\uNNNN
(core.textsafe.visible) rather than isolated: inside an isolate U+202E still turns the rest
of its own text around, so "理由\\u202e意同" would still read as ending in 同意. No
generation time is written: the same data and date give the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from gkctl.core import filenames, status, textsafe
from gkctl.core import stats as core_stats
from gkctl.core.model import Dataset, Directory, Link
from gkctl.core.plans import NamedPlan
from gkctl.views import charts, report
from gkctl.views.labels import KIND_LABELS, deadline_text, entry_dates, zh_date
from gkctl.views.period import DECISION_LABELS

if TYPE_CHECKING:
    from jinja2 import Environment

GENERATOR = "gkctl"
_WEB = re.compile(r"https?://[^\s]+\Z", re.IGNORECASE)
STYLESHEET = "site.css"
NO_DATE = "待定"
OTHER_YEARS = "其他年份"


def unit_pages(directory: Directory) -> dict[str, str]:
    """Each unit's page inside the site: its file name as every per-unit file has it
    (core.filenames), so that two units never share a page."""
    return {name: f"units/{stem}.html" for name, stem in filenames.unit_stems(directory).items()}


def task_page(task_id: int) -> str:
    return f"tasks/{task_id}.html"


def href(path: str, root: str) -> str:
    """A relative link to a page of the site, percent-encoded (unit names are Chinese)."""
    return root + quote(path)


def _status_parts(
    counts: dict[str, int], shown: Iterable[dict[str, str]]
) -> list[tuple[str, str, int]]:
    """(status, label, count) for each status the views show (the report's `statuses`)."""
    return [(s["key"], s["label"], counts.get(s["key"], 0)) for s in shown]


def month_bars(
    tasks: Iterable[dict[str, Any]], year: int, shown: list[dict[str, str]]
) -> list[charts.Bar]:
    """How many tasks fall due in each month of the plan year, by status; tasks with no
    date (待市级部署, 未明确时限) under 待定, dates outside the year under 其他年份 (only
    if any)."""
    buckets: dict[str, dict[str, int]] = {f"{m}月": {} for m in range(1, 13)}
    other: dict[str, int] = {}
    undated: dict[str, int] = {}
    for t in tasks:
        due = t["due"]
        if due is None:
            bucket = undated
        elif int(due[:4]) != year:
            bucket = other
        else:
            bucket = buckets[f"{int(due[5:7])}月"]
        bucket[t["status"]] = bucket.get(t["status"], 0) + 1
    rows = list(buckets.items())
    if other:
        rows.append((OTHER_YEARS, other))
    rows.append((NO_DATE, undated))
    return [charts.Bar(label, tuple(_status_parts(counts, shown))) for label, counts in rows]


SCHEDULE_COLOUR = "#616161"


def _trend_statuses(
    trend: dict[str, Any], shown: list[dict[str, str]], colours: dict[str, str]
) -> list[dict[str, str]]:
    """The statuses the trend draws: the page's, as long as the plan runs; an ended plan's
    page lists final outcomes, which no month of the year holds (the trend stops at the
    plan's end), so its trend draws the running statuses its months had."""
    months = trend["months"]
    keys = months[0]["counts"] if months else {}
    running = [s for s in shown if s["key"] in keys]
    if running or not months:
        return running
    totals = Counter({status.Status(k): sum(m["counts"][k] for m in months) for k in keys})
    return [
        {"key": st.value, "label": status.STATUS_LABELS[st], "colour": colours[st.value]}
        for st in status.listed(totals)
    ]


def trend_charts(
    trend: dict[str, Any], shown: list[dict[str, str]], colours: dict[str, str], as_of: date
) -> tuple[str, str]:
    """The report's trend (the numbers of `stats --trend`) as two line charts: the tasks in
    each status at each month's end, and 序时进度 against the share done."""
    months = trend["months"]
    labels = [m["label"] for m in months]
    counts = [
        charts.Series(
            s["key"], s["label"], colours[s["key"]], tuple(m["counts"][s["key"]] for m in months)
        )
        for s in shown
    ]

    def share(m: dict[str, Any], key: str) -> float:
        return m[key] / m["dated"] if m["dated"] else 0.0

    shares = [
        charts.Series(
            "schedule",
            "序时进度",
            SCHEDULE_COLOUR,
            tuple(share(m, "passed") for m in months),
            dashed=True,
        ),
        charts.Series(
            "progress",
            "完成进度",
            colours[status.Status.DONE.value],
            tuple(share(m, "dated_done") for m in months),
        ),
    ]
    when = zh_date(as_of)
    return (
        charts.line_chart(labels, counts, f"各月月末各状态任务数，截至 {when}"),
        charts.line_chart(labels, shares, f"序时进度与完成进度，截至 {when}", percent=True),
    )


def _light(c: core_stats.Counts) -> dict[str, str]:
    return report.light_dict(c.light)


def _counts(c: core_stats.Counts) -> dict[str, Any]:
    return {
        "tasks": c.tasks,
        "done": c.done,
        "overdue": c.overdue,
        "due_soon": c.due_soon,
        # Written as `gkctl stats` writes it in its table.
        "completion": f"{c.completion:.0%}",
        "completion_value": round(100 * c.completion, 1),
        "extensions": c.extensions,
        "light": _light(c),
    }


def carry_link(link: Link | None, linked: bool) -> dict[str, str] | None:
    """A carry link for a task page: its words, and where the other plan's page of the
    task is when the site holds every plan (each plan in its folder, side by side)."""
    if link is None:
        return None
    page = f"../{link.plan}/{task_page(link.id)}" if linked else ""
    return {"label": f"计划 {link.plan} 第 {link.id} 项（{link}）", "page": page}


YEAR_PAGE = "year.html"


def build(
    dataset: Dataset,
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
    since: date | None = None,
    linked: bool = False,
) -> dict[str, str]:
    """Every file of the site: relative path -> text; with `since`, the index shows what
    changed in (since, as_of]. `linked`: this plan's site is one folder of a site of
    every plan (build_plans), so carry links and the way back to the plans index work."""
    from markupsafe import Markup

    # With `since`, the context's `changes` is the report's 本期变化 (core.period).
    context = report.build_context(dataset, as_of, within, since)
    result = core_stats.compute(dataset, as_of, within)
    colours = charts.status_colours()
    # The statuses the report lists (未明确时限 only where some task has it).
    statuses = [{**s, "colour": colours[s["key"]]} for s in context["statuses"]]
    ranked = {u["name"]: u for u in context["units"]}
    pages = unit_pages(dataset.directory)
    # Each card in the one ranking, with the unit's own light and its move since the
    # previous period (the context's, so that the board and the 通报 say the same).
    board = [
        {
            **_counts(u.counts),
            "rank": ranked[u.unit.name]["rank"],
            "name": u.unit.name,
            "page": pages[u.unit.name],
            "possible": u.possible,
            "light": ranked[u.unit.name]["light"],
            "move": ranked[u.unit.name]["move"],
        }
        for u in result.units
    ]
    section_counts = {s["id"]: s for s in context["sections"]}
    sections = []
    for s in result.sections:
        own = section_counts[s.section.id]
        label = f"{s.section.id}、{s.section.title}"
        sections.append(
            {
                "id": s.section.id,
                "title": s.section.title,
                "by_status": own["counts"],
                "bar": Markup(
                    charts.stacked_bar(
                        _status_parts(own["counts"], context["statuses"]), label, colours
                    )
                ),
                **_counts(s.counts),
            }
        )
    bars = month_bars(context["tasks"], context["document"]["year"], context["statuses"])
    trend_statuses = _trend_statuses(context["trend"], statuses, colours)
    trend_counts, trend_shares = trend_charts(context["trend"], trend_statuses, colours, as_of)
    chart_title = f"各月到期任务数（按状态），截至 {zh_date(as_of)}"
    base = {
        **context,
        "generator": GENERATOR,
        "stylesheet": STYLESHEET,
        "status_list": statuses,
        "trend_status_list": trend_statuses,
        "colours": colours,
        "decision_labels": DECISION_LABELS,
        "plans_index": linked,
    }
    render = _renderer()
    files: dict[str, str] = {
        STYLESHEET: _stylesheet(colours),
        "index.html": render(
            "index.html.j2",
            {
                **base,
                "root": "",
                "board": board,
                "sections_stats": sections,
                "chart": Markup(charts.column_chart(bars, chart_title, colours)),
                "chart_title": chart_title,
                "trend_counts": Markup(trend_counts),
                "trend_shares": Markup(trend_shares),
                "months": [
                    {"label": b.label, "total": b.total, "parts": list(b.parts)} for b in bars
                ],
            },
        ),
    }
    for unit in dataset.directory.units:
        view = report.with_unit(context, dataset, unit, as_of, within)
        files[pages[unit.name]] = render(
            "unit.html.j2",
            {**base, **view, "root": "../", "unit_light": view["unit"]["light"]},
        )
    if context["ending"]["ended"]:
        # The year-end 回头看 once the plan has ended (core.yearend), linked from the index.
        from gkctl.core import yearend
        from gkctl.views.yearend import year_dict

        year = year_dict(yearend.review(dataset, as_of))
        files[YEAR_PAGE] = render("year.html.j2", {**base, "root": "", "year": year})
    groups = {g.name: g.meaning for g in dataset.directory.groups}
    for t, task in zip(
        context["tasks"], sorted(dataset.plan.tasks, key=lambda x: x.id), strict=True
    ):
        deadline = status.task_deadline(dataset, task)
        files[task_page(task.id)] = render(
            "task.html.j2",
            {
                **base,
                "root": "../",
                "task": t,
                "rule": deadline.rule,
                "kind_label": KIND_LABELS[deadline.kind.value],
                "carried_from": carry_link(task.carried_from, linked),
                "carried_to": carry_link(task.carried_to, linked),
                "unit_links": [
                    {
                        "name": name,
                        "page": pages.get(name),
                        "meaning": groups.get(name, ""),
                    }
                    for name in task.units
                ],
            },
        )
    return files


def build_plans(
    plans: Sequence[NamedPlan], as_of: date, within: int, since: date | None
) -> dict[str, str]:
    """A site of every plan of a folder of plans: an index of the plans, and each plan's
    own site in a folder named after the plan (2024/index.html, 2025/tasks/2.html)."""
    from gkctl.core.plans import plan_facts

    files: dict[str, str] = {}
    rows = []
    for plan in plans:
        name, dataset = plan
        for path, text in build(dataset, as_of, within, since, linked=True).items():
            files[f"{name}/{path}"] = text
        facts = plan_facts(plan, as_of)
        counts = Counter(s.status.value for s in status.plan_states(dataset, as_of, within))
        rows.append(
            {
                "name": name,
                "page": f"{name}/index.html",
                "title": facts.title,
                "year": facts.year,
                "ended": facts.ended,
                "end": facts.end,
                "total": facts.tasks,
                "counts": counts,
                "carried_in": facts.carried_in,
                "carried_out": facts.carried_out,
            }
        )
    colours = charts.status_colours()
    files[STYLESHEET] = _stylesheet(colours)
    files["index.html"] = _renderer()(
        "plans.html.j2",
        {
            "generator": GENERATOR,
            "stylesheet": STYLESHEET,
            "root": "",
            "as_of": as_of,
            "within": within,
            "plans_index": False,
            "document": {"title": "全部计划", "issuer": "", "number": ""},
            "plans": rows,
        },
    )
    return files


def _stylesheet(colours: dict[str, str]) -> str:
    """site.css, with a swatch colour for every status (the chart's colours)."""
    text = (report.builtin_dir() / "site" / STYLESHEET).read_text(encoding="utf-8")
    rules = "".join(
        f".s-{key} .swatch {{ background: {colour}; }}\n" for key, colour in colours.items()
    )
    return text.rstrip("\n") + "\n" + rules


def _visible(value: Any) -> Any:
    # Markup (the charts) is a str too, but made here and already escaped.
    return textsafe.visible(value) if type(value) is str else value


# What the `row` macro (templates/site/_macros.html.j2) reads of a task: a row is the same
# wherever these are (tests/test_site.py renders the macro and checks that it reads no other).
ROW_FIELDS = (
    "id",
    "status",
    "status_label",
    "summary",
    "role",
    "deadline",
    "due",
    "extended",
    "original_due",
    "returned",
    "closed",
    "days_label",
)


def _frozen(value: Any) -> Hashable:
    """A template value (dicts, lists, text, numbers, None) as a key with the same parts."""
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value  # type: ignore[no-any-return]


def environment() -> Environment:
    """The site's Jinja environment: its filters, its link test and task_row, which renders
    each distinct row of a task table once (the cache lives as long as the environment)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(report.builtin_dir() / "site"), encoding="utf-8"),
        undefined=StrictUndefined,
        autoescape=True,
        finalize=_visible,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        {
            "zh_date": zh_date,
            "entry_dates": entry_dates,
            "href": href,
            "deadline_text": deadline_text,
        }
    )
    rows: dict[Hashable, Any] = {}

    def task_row(t: dict[str, Any], root: str, with_role: bool) -> Any:
        """A task table's row (the `row` macro), rendered once per distinct row: a task
        that nobody recorded on reads the same on every page of the units it names, and
        rendering those rows was most of a 10,000-task site (each unit page lists all of
        its unit's tasks: 248,000 rows for 40 units)."""
        key = (root, with_role, *[_frozen(t[name]) for name in ROW_FIELDS])
        found = rows.get(key)
        if found is None:
            macros = env.get_template("_macros.html.j2").module
            found = rows[key] = macros.row(t, root, with_role)  # type: ignore[attr-defined]
        return found

    env.globals["task_row"] = task_row
    # Only http(s) addresses become links: a javascript: or file: link in the data stays text.
    env.tests["web_link"] = lambda value: bool(_WEB.match(str(value or "")))
    return env


def _renderer() -> Callable[[str, dict[str, Any]], str]:
    env = environment()

    def render(name: str, context: dict[str, Any]) -> str:
        return env.get_template(name).render(context).rstrip("\n") + "\n"

    return render
