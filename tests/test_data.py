"""The bundled 2024 Jinshan plan: complete, faithful in shape, and free of invented data."""

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from gkctl.core.model import UnitKind
from gkctl.store import loader
from tests.conftest import DATA, ROOT

SEED = ROOT.parent / "shared" / "seed" / "jinshan-2024-gongkai-yaodian.txt"


@pytest.fixture(scope="module")
def dataset():
    return loader.load(DATA)


def test_document(dataset) -> None:
    doc = dataset.plan.document
    assert doc.number == "金府办发〔2024〕5号"
    assert doc.issuer == "上海市金山区人民政府办公室"
    assert doc.published == date(2024, 4, 10)
    assert doc.year == 2024
    assert [s.id for s in dataset.plan.sections] == ["一", "二", "三", "四", "五"]


def test_all_75_tasks_in_order(dataset) -> None:
    assert [t.id for t in dataset.plan.tasks] == list(range(1, 76))


def test_deadline_counts(dataset) -> None:
    counts = Counter(t.deadline for t in dataset.plan.tasks)
    assert counts["全年"] == 51
    assert counts["按市级部署"] == 3
    month_end = {k: v for k, v in counts.items() if k.endswith("月底前")}
    assert sum(month_end.values()) == 21
    assert sum(counts.values()) == 75
    assert [t.id for t in dataset.plan.tasks if t.deadline == "按市级部署"] == [40, 55, 64]


def test_sections_split_where_the_table_does(dataset) -> None:
    firsts = {}
    for task in dataset.plan.tasks:
        firsts.setdefault(task.section, task.id)
    assert firsts == {"一": 1, "二": 30, "三": 49, "四": 56, "五": 64}


def test_no_progress_or_closing_is_invented(dataset) -> None:
    for task in dataset.plan.tasks:
        assert task.progress == () and task.closed is None and task.extensions == ()
        assert task.due is None


def test_every_task_has_body_text(dataset) -> None:
    assert all(t.text for t in dataset.plan.tasks)


def test_units_and_groups(dataset) -> None:
    d = dataset.directory
    named = {u for t in dataset.plan.tasks for u in t.units}
    groups = {g.name for g in d.groups}
    assert groups == {"各部门", "各街镇", "街镇", "各相关部门", "各相关单位"}
    concrete = named - groups
    assert len(concrete) == 33
    assert concrete <= {u.name for u in d.units}
    outside = {u.name for u in d.units if u.source == "outside"}
    assert outside == {"朱泾镇", "张堰镇", "亭林镇", "吕巷镇", "廊下镇", "漕泾镇", "石化街道"}
    towns = {u.name for u in d.units if u.kind in (UnitKind.TOWN, UnitKind.SUBDISTRICT)}
    assert len(towns) == 10


@pytest.mark.skipif(not SEED.exists(), reason="the seed document lives in ../shared")
def test_values_appear_in_the_source(dataset) -> None:
    # Every transcribed string occurs in the source once its line wraps, page numbers and
    # extraction spaces are taken out.
    raw = SEED.read_text(encoding="utf-8")
    lines = [ln for ln in raw.splitlines() if not ln.strip().startswith("- ")]
    flat = "".join("".join(lines).split())
    for task in dataset.plan.tasks:
        for value in (task.name, task.content, task.text, task.deadline, *task.units):
            assert "".join(value.split()) in flat, (task.id, value)


def test_yaml_has_source_comment() -> None:
    head = Path(DATA / "tasks.yaml").read_text(encoding="utf-8").splitlines()[:3]
    assert any("金府办发〔2024〕5号" in line for line in head)
