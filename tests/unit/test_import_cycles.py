"""No two modules of the lab import each other, directly or round a circle (late imports
included).  import-linter's contracts (pyproject.toml) keep the layers; this keeps the
modules inside a layer from knotting.  grimp is import-linter's own graph builder."""

from __future__ import annotations

import grimp

OURS = ("lab", "worker")


def cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith(OURS):
                continue
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module.startswith(OURS) and module not in order:
            visit(module)
    return found


def test_no_import_cycles():
    graph = grimp.build_graph(*OURS)
    assert len([m for m in graph.modules if m.startswith(OURS)]) > 50  # the walk saw the lab
    assert cycles(graph) == []


def test_the_cycle_finder_finds_one():
    graph = grimp.ImportGraph()
    for module in ("lab.a", "lab.b", "lab.c", "lab.d"):
        graph.add_module(module)
    graph.add_import(importer="lab.a", imported="lab.b")
    graph.add_import(importer="lab.b", imported="lab.c")
    graph.add_import(importer="lab.c", imported="lab.a")
    graph.add_import(importer="lab.c", imported="lab.d")
    assert cycles(graph) == [["lab.a", "lab.b", "lab.c"]]
