"""What large plans are read with stays exact: the file's bytes go to the YAML parser as
they are, the tab and alias checks run only where the file can have a tab or an anchor,
and the loader lets the nodes of each task go once it is read."""

from pathlib import Path

import pytest
from yaml.nodes import MappingNode, Node, SequenceNode

from gkctl.store import loader, yamlsrc
from tests.conftest import DATA, FIXTURES

CASES = [*sorted(FIXTURES.rglob("*.yaml")), DATA / "tasks.yaml", DATA / "units.yaml"]


def _shape(node: Node | None) -> object:
    """Every node's kind, tag, value and start and end positions."""
    if node is None:
        return None
    where = (node.start_mark.line, node.start_mark.column, node.end_mark.line)
    if isinstance(node, MappingNode):
        return (where, node.tag, [(_shape(k), _shape(v)) for k, v in node.value])
    if isinstance(node, SequenceNode):
        return (where, node.tag, [_shape(v) for v in node.value])
    return (where, node.tag, node.value, node.style)


def _variants(raw: bytes) -> list[bytes]:
    bom = b"\xef\xbb\xbf"
    return [raw, bom + raw, bom + bom + raw, raw.replace(b"\n", b"\r\n")]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_bytes_parse_as_the_text_did(path: Path) -> None:
    for raw in _variants(path.read_bytes()):
        problems: list = []
        text = yamlsrc.decode("f.yaml", raw, problems)
        if text is None:
            continue
        # What read_bytes did before it handed the parser the bytes: parse the text.
        from_text: list = []
        tree = yamlsrc.parse("f.yaml", text, from_text)
        from_bytes: list = []
        source = yamlsrc.read_bytes(raw, "f.yaml", from_bytes)
        assert _shape(source.root) == _shape(tree)
        assert from_bytes == from_text


@pytest.mark.parametrize(
    "text, code",
    [
        ("a: &x [1]\nb: *x\n", "alias"),
        ("a: &x 1\nb: *x\n", "alias"),
        ("a:\n\t- 1\n", "tab"),
        ("a: 1\nb: 'R&D'\n", None),  # & in a value: the walk remembers nodes, finds none shared
    ],
)
def test_tabs_and_aliases_are_still_found(text: str, code: str | None) -> None:
    for source in (text, text.encode("utf-8")):
        problems: list = []
        yamlsrc.parse("f.yaml", source, problems)
        assert [p.code for p in problems][:1] == ([code] if code else [])


def test_reading_the_plan_releases_its_nodes() -> None:
    problems: list = []
    source = yamlsrc.read_bytes((DATA / "tasks.yaml").read_bytes(), "tasks.yaml", problems)
    tasks = next(v for k, v in yamlsrc.items(source.root) if k.value == "tasks")
    assert len(tasks.value) == 75
    plan, _ = loader._read_plan(source, problems)
    assert not problems
    assert [t.id for t in plan.tasks] == list(range(1, 76))  # in file order
    assert tasks.value == []
