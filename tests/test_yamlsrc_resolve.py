"""The loader's own Resolver.resolve (store/yamlsrc.py) gives every node the tag PyYAML's
gives it: for any text, quoted or plain, and for every node of the files gkctl reads."""

from pathlib import Path

import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gkctl.store import yamlsrc
from tests.conftest import DATA, FIXTURES

PYYAML = yaml.resolver.Resolver()

# Texts that start like a null, bool, int, float, date or merge key, and a few that nearly do.
_STARTS = st.sampled_from(
    ["", "~", "null", "Null", "true", "False", "yes", "on", "0", "-1", "+3", "0x1F", "0o7",
     "0b1", "1_000", "1:30", ".inf", "-.Inf", ".nan", "1.5e3", "2024-10-15", "2024-1-5",
     "2024-10-15T08:00:00Z", "<<", "=", "11月底前", "１２"]
)  # fmt: skip


def _tag(kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
    return yamlsrc.LOADER.resolve(yamlsrc.LOADER(""), kind, value, implicit)


def test_the_loader_is_the_fast_one() -> None:
    assert yamlsrc.LOADER is yamlsrc._Loader


@given(
    start=_STARTS,
    rest=st.text(max_size=12),
    implicit=st.tuples(st.booleans(), st.booleans()),
)
@example(start="", rest="", implicit=(True, False))
@example(start="2024-10-15", rest="", implicit=(True, False))
def test_a_scalar_gets_pyyamls_tag(start: str, rest: str, implicit: tuple[bool, bool]) -> None:
    for value in (start, start + rest, rest):
        assert _tag(ScalarNode, value, implicit) == PYYAML.resolve(ScalarNode, value, implicit)


def test_lists_and_mappings_get_pyyamls_tags() -> None:
    for kind in (SequenceNode, MappingNode):
        for implicit in (True, False):
            assert _tag(kind, None, (implicit, False)) == PYYAML.resolve(kind, None, implicit)


def _tags(node: Node) -> list[tuple[int, int, str]]:
    """Each node's place and tag, each node once (an alias shares its anchor's node: the
    alias bomb among the fixtures is a few nodes, not 10^9)."""
    out = []
    seen: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        out.append((n.start_mark.line, n.start_mark.column, n.tag))
        if isinstance(n, MappingNode):
            for key, value in n.value:
                stack += [key, value]
        elif isinstance(n, SequenceNode):
            stack += n.value
    return out


def test_every_node_of_the_data_files_gets_pyyamls_tag() -> None:
    files = [DATA / "tasks.yaml", DATA / "units.yaml", *sorted(FIXTURES.rglob("*.yaml"))]
    nodes = 0
    for path in files:
        raw = Path(path).read_bytes()
        try:
            theirs = yaml.compose(raw, Loader=yamlsrc._BASE)
        except yaml.YAMLError:
            continue  # a fixture that is broken on purpose
        ours = yaml.compose(raw, Loader=yamlsrc.LOADER)
        if theirs is None:
            assert ours is None
            continue
        assert _tags(ours) == _tags(theirs), path
        nodes += len(_tags(ours))
    assert nodes > 5_000
