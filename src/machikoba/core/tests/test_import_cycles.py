"""No module-level import cycle inside machikoba (tests and test helpers aside).

Function-local imports count: grimp reads them like any other. A cycle kept alive by an
import inside a function is still a cycle; break it at its root (see CONTRIBUTING.md)."""

import ast
from pathlib import Path

import grimp
from django.utils.module_loading import import_string

import machikoba

SKIPPED = (".tests", ".migrations")


def _skipped(module: str) -> bool:
    return (
        any(part in module for part in SKIPPED)
        or module.startswith("machikoba.core.testing")
        or module == "machikoba.conftest"
    )


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if not _skipped(m))
    edges = {
        m: sorted(i for i in graph.find_modules_directly_imported_by(m) if not _skipped(i))
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles():
    graph = grimp.build_graph("machikoba", cache_dir=None)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("machikoba.a", "machikoba.b", "machikoba.c", "machikoba.a.tests.t"):
        graph.add_module(module)
    graph.add_import(importer="machikoba.a", imported="machikoba.b")
    graph.add_import(importer="machikoba.b", imported="machikoba.a")
    graph.add_import(importer="machikoba.c", imported="machikoba.a")
    graph.add_import(importer="machikoba.a.tests.t", imported="machikoba.c")
    graph.add_import(importer="machikoba.c", imported="machikoba.a.tests.t")
    assert _cycles(graph) == [["machikoba.a", "machikoba.b"]]


def test_every_task_queued_by_path_exists():
    """Services queue their app's tasks by dotted path (``core.queueing``), since the
    tasks module imports them: each path must name a task."""
    root = Path(machikoba.__file__).parent
    paths = []
    for source in root.rglob("*.py"):
        if "tests" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "enqueue_on_commit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                paths.append(node.args[0].value)
    assert len(paths) >= 5  # mail, notifications, drawings, companies, shopfloor
    for path in paths:
        assert hasattr(import_string(path), "enqueue"), path
