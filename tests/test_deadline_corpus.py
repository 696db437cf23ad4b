"""The grammar held to a corpus of real 时间节点 texts (tests/data/deadline_corpus.yaml)."""

from datetime import date

import pytest

from gkctl.core.deadlines import resolve
from gkctl.core.errors import DeadlineError
from tests.deadline_corpus import check, load

CORPUS = load()


@pytest.mark.parametrize("cell", CORPUS["cells"], ids=lambda c: c["text"][:20])
def test_every_corpus_text_reads_as_stated(cell) -> None:
    outcome, what = check(cell)
    assert outcome in ("read", "refused"), what
    if outcome == "refused":  # a deliberate refusal says what to write instead
        assert "请" in what or "写" in what, what


def test_every_text_names_its_real_source() -> None:
    sources = CORPUS["sources"]
    texts = [c["text"] for c in CORPUS["cells"]]
    assert len(texts) == len(set(texts))  # distinct texts, each once
    for cell in CORPUS["cells"]:
        assert cell["sources"] and cell["where"].startswith(("表格", "正文"))
        for key in cell["sources"]:
            assert sources[key]["title"]
            assert "url" in sources[key]  # null only where the search gave none


def test_numbered_milestones_keep_their_dates() -> None:
    resolved = resolve("①2月上旬前,完成设计招标。②3月底前,完成图纸深化设计。", 2023)
    assert [(m.text, m.due) for m in resolved.milestones] == [
        ("2月上旬前，完成设计招标", date(2023, 2, 10)),
        ("3月底前，完成图纸深化设计", date(2023, 3, 31)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "3月底钱,完成设计",  # a typo is not read as the words of a milestone ...
        "6月底前,完成初稿",  # ... and words after a date need numbered milestones
        "①通过监测,3月底钱",
    ],
)
def test_words_after_a_date_only_in_numbered_milestones(text: str) -> None:
    with pytest.raises(DeadlineError):
        resolve(text, 2023)


@pytest.mark.parametrize(
    ("text", "dues"),
    [
        # 三水 2007: the quarter ends left in the year after the notice, named in brackets.
        (
            "在每季度末(分别在6月、9月和12月底)",
            [date(2007, 6, 30), date(2007, 9, 30), date(2007, 12, 31)],
        ),
        ("每季度末（6月底、9月底）", [date(2007, 6, 30), date(2007, 9, 30)]),
        ("每半年(6月和12月底前)", [date(2007, 6, 30), date(2007, 12, 31)]),
    ],
)
def test_a_period_with_its_dates_in_brackets_reads_as_those_milestones(text, dues) -> None:
    resolved = resolve(text, 2007, date(2007, 4, 13))
    assert [m.due for m in resolved.milestones] == dues
    assert resolved.due == dues[-1] and resolved.text == text


def test_bracketed_dates_that_do_not_end_the_period_are_refused_with_what_to_write() -> None:
    with pytest.raises(DeadlineError) as caught:
        resolve("在每季度末(分别在5月、9月和12月底)", 2007)
    assert caught.value.message == (
        "无法识别时间节点“在每季度末(分别在5月、9月和12月底)”：括号中的“5月、9月和12月底”不都是"
        "每季度末；请只写“每季度”，或写出各个节点（如“6月底，9月底，12月底”）。"
    )
