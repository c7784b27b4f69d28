"""The rooms of the code import downhill only, and no two modules import each other.

filestore → reference → accounts → enterprises → tiers → programs → servicedesk → reporting → ops: a module may import
its own app and the apps before it, never one after it.  `zjtx/` (settings, access, API base,
errors) is used by every app and imports none of them; the project's URL configuration
(zjtx/urls.py, api_urls.py, web_urls.py) is the one place that imports every app's views.  Every
import counts: at the top, inside a function, or under TYPE_CHECKING.  Tests, benchmarks and
migrations are not rooms.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ["filestore", "reference", "accounts", "enterprises", "tiers", "programs", "servicedesk", "reporting", "ops"]
RANK = {"zjtx": -1, **{room: n for n, room in enumerate(ROOMS)}}
URLCONF = {"zjtx.urls", "zjtx.api_urls", "zjtx.web_urls"}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """module → the project modules it imports (a `from package import name` counts the submodule if there is one)."""
    files = {_module(p): p for top in RANK for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        found: set[str] = set()
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
                for alias in node.names:
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base)
        graph[module] = {name for name in found if name.split(".")[0] in RANK and name != module}
    return graph


def test_imports_run_downhill():
    uphill = []
    for module, imported in _imports().items():
        if module in URLCONF:
            continue
        for name in imported:
            if RANK[name.split(".")[0]] > RANK[module.split(".")[0]]:
                uphill.append(f"{module} imports {name}")
    assert sorted(uphill) == []


def test_no_import_cycles():
    graph = _imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_checker_sees_a_violation(tmp_path):
    """The graph is built from real import statements: a known downhill edge is in it."""
    graph = _imports()
    assert "zjtx.access" in graph["tiers.selectors"]
    assert "tiers.models" in graph["tiers.selectors"] or "tiers.models.lifecycle" in graph["tiers.selectors"]


def test_no_room_holds_more_than_a_third_of_the_code():
    def lines(top: str) -> int:
        return sum(
            len(p.read_text(encoding="utf-8").splitlines())
            for p in (ROOT / top).rglob("*.py")
            if "migrations" not in p.parts
        )

    sizes = {top: lines(top) for top in RANK}
    total = sum(sizes.values())
    assert max(sizes.values()) <= total / 3, sizes
