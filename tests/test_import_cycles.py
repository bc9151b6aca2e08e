"""The upload modules import each other in one direction only: reading a cell never needs the layouts or
the month figures, so the circle that once joined `layouts` and the old `normalise` cannot come back."""
import ast

from conftest import REPO

INGEST = REPO / "metrics" / "ingest"


def ingest_imports() -> dict[str, set[str]]:
    """Module name → the ingest modules it imports, by reading the source (deferred and type-only
    imports included, since any of them would close a circle as soon as it ran)."""
    graph: dict[str, set[str]] = {}
    names = {path.stem for path in INGEST.glob("*.py")}
    for path in INGEST.glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module is None:
                    imported |= {alias.name for alias in node.names}
                else:
                    imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("metrics.ingest."):
                imported.add(node.module.split(".")[2])
            elif isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[2] for alias in node.names
                             if alias.name.startswith("metrics.ingest.")}
        graph[path.stem] = (imported & names) - {"__init__"}
    return graph


def a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One circle of imports as the path that walks it, or [] when there is none."""
    finished: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str]:
        if module in path:
            return path[path.index(module):] + [module]
        if module in finished:
            return []
        for imported in sorted(graph[module]):
            cycle = visit(imported, path + [module])
            if cycle:
                return cycle
        finished.add(module)
        return []

    for module in sorted(graph):
        cycle = visit(module, [])
        if cycle:
            return cycle
    return []


def test_ingest_modules_import_each_other_without_a_cycle():
    graph = ingest_imports()
    assert {"cells", "figures", "layouts"} <= set(graph)
    assert "cells" in graph["layouts"] and "layouts" in graph["figures"]
    assert a_cycle(graph) == []


def test_cycle_finder_reports_the_circle_it_walks():
    assert a_cycle({"layouts": {"figures"}, "figures": {"cells", "layouts"}, "cells": set()}) == [
        "figures", "layouts", "figures"]
    assert a_cycle({"layouts": {"cells"}, "figures": {"cells", "layouts"}, "cells": set()}) == []
