"""A new office's data repository (gkctl init): the plan's files, gkctl.toml, .gitignore, a
README for the office, the pre-commit configuration and CI for GitHub, GitLab and Gitea,
written as one: every file or none.

The files other than the plan's come from gkctl/scaffold/ (package data), with a few
@NAME@ fields filled in: the version the CI installs, and where the data lives.
"""

from __future__ import annotations

import contextlib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from gkctl import __version__
from gkctl.core.errors import DataError, UsageError
from gkctl.store import atomic, formslog, loader, paths
from gkctl.store.newplan import plan_text

# Scaffold file -> where it goes in the new repository. Dot-files are stored without their
# dot: a .gitignore inside gkctl's own tree would be read by git as gkctl's.
SCAFFOLD = {
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "gkctl.toml": "gkctl.toml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "github/validate.yml": ".github/workflows/validate.yml",
    "github/report.yml": ".github/workflows/report.yml",
    "github/plan-diff-comment.yml": ".github/workflows/plan-diff-comment.yml",
    "gitea/validate.yml": ".gitea/workflows/validate.yml",
    "gitea/report.yml": ".gitea/workflows/report.yml",
}
# What stands in the plan for a fact the office has not given: a word no real document
# holds, so that the example is never taken for data.
EXAMPLE = "示例（请替换）"
# The JSON Schemas of the installed gkctl, copied into the repository so that an editor
# finds them offline through the files' `# yaml-language-server: $schema=` lines.
SCHEMA_DIR = ".gkctl/schemas"
SCHEMAS = ("tasks.schema.json", "units.schema.json")
EXAMPLE_UNIT = "示例单位（请替换为本区的单位）"


class Facts(NamedTuple):
    """The document's facts as given (None: not given, written as an example)."""

    title: str | None
    number: str | None
    issuer: str | None
    published: date | None
    year: int


class Layout(NamedTuple):
    data: str  # the data folder, relative to the repository: data or plans
    tasks: str  # the plan's tasks.yaml
    units: str  # the unit directory
    plan: str | None  # the plan's name in a folder of plans


def layout(plans: bool, year: int) -> Layout:
    if plans:
        return Layout("plans", f"plans/{year}/tasks.yaml", "plans/units.yaml", str(year))
    return Layout("data", "data/tasks.yaml", "data/units.yaml", None)


def missing_facts(facts: Facts) -> list[str]:
    """The document's facts written as an example (the office replaces them)."""
    given = {"标题": facts.title, "文号": facts.number, "印发机关": facts.issuer}
    return [name for name, value in given.items() if not (value or "").strip()]


def plan_files(facts: Facts, where: Layout) -> dict[str, str]:
    """The plan's two files: the document's facts (an example where not given), no tasks,
    and a unit directory with one example unit (validate refuses an empty one)."""
    plan = f" --plan {where.plan}" if where.plan else ""
    header = (
        "# 本单位的政务公开工作要点任务分解表（gkctl 的计划文件），由 gkctl init 生成。\n"
        + (f"# 标着“{EXAMPLE}”的是示例，请改为印发文件上的内容。\n" if missing_facts(facts) else "")
        + f"# 任务可从印发的任务分解表导入（gkctl import 任务分解表.docx --force{plan}），\n"
        "# 或照 gkctl README 的“数据格式”逐项手写。\n" + _modeline(where.tasks, "tasks.schema.json")
    )
    tasks = plan_text(
        header,
        facts.title or f"{EXAMPLE}：文件标题",
        facts.number or f"{EXAMPLE}：文号",
        facts.issuer or f"{EXAMPLE}：印发机关",
        facts.published,
        facts.year,
    )
    units = (
        "# 单位名录：任务分解表“责任单位”一栏中的每个单位，name 与表上写的一字不差。\n"
        "# kind：department 部门、town 镇、subdistrict 街道、park 园区；aliases：常用的简称。\n"
        "# 下面是示例，请换成本区的单位（gkctl import 会把表上不在名录中的单位写入\n"
        "# units.review.yaml 供核对，核对后移到这里）。统称（各街镇、各相关部门）写在 groups 下。\n"
        + _modeline(where.units, "units.schema.json")
        + "units:\n"
        f"  - name: {EXAMPLE_UNIT}\n"
        "    kind: department\n"
    )
    return {where.tasks: tasks, where.units: units}


def _modeline(path: str, schema: str) -> str:
    """The editor's pointer from a plan file to its schema copy, relative to the file."""
    up = "../" * path.count("/")
    return f"# yaml-language-server: $schema={up}{SCHEMA_DIR}/{schema}\n"


def scaffold_files(where: Layout) -> dict[str, str]:
    """The repository's other files, filled in for this version and layout."""
    plan = f" --plan {where.plan}" if where.plan else ""
    keydir = where.units.rsplit("/", 1)[0] + "/"
    plandir = where.tasks.rsplit("/", 1)[0]
    fields = {
        "@VERSION@": __version__,
        "@DATA@": where.data,
        "@TASKS@": where.tasks,
        "@UNITS@": where.units,
        "@PLAN@": plan,
        "@KEYDIR@": keydir,
        # forms-log.yaml, beside the plan's tasks.yaml: the report CI commits it back.
        "@PLANDIR@": plandir,
        "@FORMSLOG@": f"{plandir}/{formslog.FORMS_LOG}",
    }
    root = resources.files("gkctl") / "scaffold"
    out = {}
    for source, target in SCAFFOLD.items():
        text = root.joinpath(*source.split("/")).read_text(encoding="utf-8")
        for field, value in fields.items():
            text = text.replace(field, value)
        out[target] = text
    schemas = resources.files("gkctl") / "schemas"
    for name in SCHEMAS:
        out[f"{SCHEMA_DIR}/{name}"] = schemas.joinpath(name).read_text(encoding="utf-8")
    return out


def occupied(folder: Path) -> list[str]:
    """What is already in `folder` (a .git of its own does not count: `git init` first is
    fine), by name."""
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise UsageError(f"{paths.shown(folder)} 不是目录。")
    return sorted(p.name for p in folder.iterdir() if p.name != ".git")


def create(folder: Path, files: dict[str, str], force: bool) -> list[Path]:
    """Write `files` (relative path -> text) into `folder`, all or none. A non-empty folder
    is refused unless `force`; even then a plan's tasks.yaml or units.yaml already there is
    never replaced (it holds an office's work). The plan is checked before anything is
    written: a repository that validate would refuse is never made."""
    there = occupied(folder)
    if there and not force:
        listed = "、".join(there[:5]) + ("……" if len(there) > 5 else "")
        raise UsageError(
            f"{paths.shown(folder)} 不是空目录（有 {listed}），未写入。"
            "gkctl init 用于新建数据仓库；确要写入这个目录（同名文件会被替换，git 中可找回）请加 --force。"
        )
    kept = [
        name
        for name in files
        if name.endswith((paths.TASKS_FILE, paths.UNITS_FILE)) and (folder / name).exists()
    ]
    if kept:
        raise UsageError(
            f"{paths.shown(folder)} 中已有计划文件 {'、'.join(kept)}，gkctl init 不会替换它们，未写入。"
        )
    tasks = next(n for n in files if n.endswith(paths.TASKS_FILE))
    units = next(n for n in files if n.endswith(paths.UNITS_FILE))
    _, problems = loader.check_bytes(
        files[tasks].encode("utf-8"), files[units].encode("utf-8"), tasks, units
    )
    if problems:
        raise DataError(problems)
    made: list[Path] = []
    try:
        for name in files:
            for parent in reversed((folder / name).parents):
                if atomic.make_folder(parent):
                    made.append(parent)
        return atomic.write_all(
            (folder / name, text.encode("utf-8")) for name, text in files.items()
        )
    except BaseException:
        # Nothing was written (write_all's promise); the folders made for it go too.
        for parent in reversed(made):
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise
