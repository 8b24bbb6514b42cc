"""Dependencies point down: transforms <- schemas <- warehouse <- supplyline <- flows <- CLI.

Every import in every module is read from its source (imports inside functions too), so a
lazy import cannot hide a dependency that points up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from supplyline.settings import REPO_ROOT

LAYERS = {"transforms": 0, "schemas": 1, "warehouse": 2, "supplyline": 3, "flows": 4}
ENTRY_POINTS = {"supplyline/cli.py"}  # the command line starts flows: it sits above them


def modules() -> list[Path]:
    return sorted(p for package in LAYERS for p in (REPO_ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Absolute module names ``path`` imports, anywhere in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def upward(path: Path) -> list[str]:
    relative = path.relative_to(REPO_ROOT).as_posix()
    if relative in ENTRY_POINTS:
        return []
    own = LAYERS[relative.split("/")[0]]
    return sorted(name for name in imported(path) if LAYERS.get(name.split(".")[0], -1) > own)


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_imports_point_down(path: Path) -> None:
    assert upward(path) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The parser finds lazy and aliased imports (so a passing check means something)."""
    source = "def f():\n    import flows.nightly as n\n    from warehouse import db\n"
    (tmp_path / "m.py").write_text(source)
    assert imported(tmp_path / "m.py") == {"flows.nightly", "warehouse"}


def test_the_flow_reads_top_to_bottom() -> None:
    """flows/nightly.py is short and never asks which kind of run it is."""
    path = REPO_ROOT / "flows" / "nightly.py"
    source = path.read_text()
    assert len(source.splitlines()) <= 150
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.IfExp | ast.Match):
            names = {
                n.id
                for n in ast.walk(node.test if not isinstance(node, ast.Match) else node.subject)
                if isinstance(n, ast.Name)
            }
            constants = {n.value for n in ast.walk(node) if isinstance(n, ast.Constant)}
            assert not ({"kind", "rebuild"} & names) and "rebuild" not in constants, ast.unparse(
                node
            )[:80]
