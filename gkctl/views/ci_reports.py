"""validate's reports for a GitLab merge request: Code Quality JSON and JUnit XML.

GitLab reads both from a job's artifacts (artifacts:reports:codequality, :junit): the Code
Quality widget marks each problem on its line of the diff, the test widget lists each one as
a failed test. Both are machine output: their shape stays as documented in the README.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import PurePath
from xml.sax.saxutils import escape, quoteattr

from gkctl.core.errors import Problem

# GitLab's severities: a problem fails the check, a warning (未明确时限 …) does not.
PROBLEM_SEVERITY = "major"
WARNING_SEVERITY = "minor"


def _fingerprint(p: Problem, severity: str) -> str:
    # GitLab tells new findings from fixed ones by this: the same problem at the same place
    # keeps its fingerprint from one pipeline to the next.
    key = "\0".join((severity, p.file, str(p.line), str(p.column), p.code, p.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def codequality(problems: Sequence[Problem], warnings: Sequence[Problem]) -> str:
    """GitLab Code Quality report: a JSON array, one entry per problem and warning."""
    entries = [
        {
            "description": f"{p.message}（第 {p.line} 行第 {p.column} 列）",
            "check_name": f"gkctl/{p.code}",
            "fingerprint": _fingerprint(p, severity),
            "severity": severity,
            "location": {"path": p.file, "lines": {"begin": p.line}},
        }
        for found, severity in ((problems, PROBLEM_SEVERITY), (warnings, WARNING_SEVERITY))
        for p in found
    ]
    return json.dumps(entries, ensure_ascii=False, indent=2) + "\n"


def junit(problems: Sequence[Problem], warnings: Sequence[Problem], checked: Sequence[str]) -> str:
    """JUnit XML: each problem a failed test case (named file:line:column: message), and each
    plan checked a test case of its own, passed where none of its files has a problem; the
    warnings go to the suite's system-out."""
    cases: list[str] = []
    for plan in checked:
        failed = sum(1 for p in problems if _in_plan(p.file, plan))
        body = f"<failure message={quoteattr(f'共 {failed} 个问题')}/>" if failed else ""
        cases.append(
            f'    <testcase classname="gkctl.validate" name={quoteattr(plan)}>{body}</testcase>'
        )
    for p in problems:
        cases.append(
            f"    <testcase classname={quoteattr(p.file)} name={quoteattr(str(p))}>"
            f"<failure type={quoteattr(p.code)} message={quoteattr(p.message)}>"
            f"{escape(str(p))}</failure></testcase>"
        )
    failures = len(problems) + sum(1 for c in cases[: len(checked)] if "<failure" in c)
    out = "".join(
        f"{escape(f'{w.file}:{w.line}:{w.column}: 警告：{w.message}')}\n" for w in warnings
    )
    system_out = f"    <system-out>{out}</system-out>\n" if warnings else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="gkctl validate" tests="{len(cases)}" failures="{failures}">\n'
        f'  <testsuite name="gkctl validate" tests="{len(cases)}" failures="{failures}">\n'
        + "".join(f"{c}\n" for c in cases)
        + system_out
        + "  </testsuite>\n</testsuites>\n"
    )


def _in_plan(file: str, plan: str) -> bool:
    """Whether a problem's file belongs to the plan folder shown as `plan`: its tasks.yaml,
    or a units.yaml one level up (shared by a folder of plans)."""
    folder = PurePath(file).parent
    return folder in (PurePath(plan), PurePath(plan).parent)
