"""The layers of the package (docs/architecture.md): a module imports only modules of its own layer or of
lower ones, never a higher one (not even inside a function); the modules' top-level imports form no cycle;
function-local imports of Clemency modules do not grow (optional heavy extras such as pyspark are imports of
other packages and are not counted here)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import clemency

ROOT = Path(clemency.__file__).parent

# module prefix -> layer; the longest matching prefix decides. Keep in step with docs/architecture.md.
LAYERS = {
    "clemency": 0, "clemency.errors": 0, "clemency.calendar": 0, "clemency.calendar_sql": 0,
    "clemency.report.cells": 0,
    "clemency.law": 1, "clemency.locale": 1, "clemency.store": 1, "clemency.outdir": 1,
    "clemency.jurisdictions": 2,
    "clemency.registry.schema": 3, "clemency.act": 3,
    "clemency.compile": 4,
    "clemency.registry": 5,
    "clemency.engines": 6,
    "clemency.pipeline": 7,
    "clemency.explain": 8, "clemency.report": 8,
    "clemency.apply": 9, "clemency.compare": 9, "clemency.monitor": 9, "clemency.timeline": 9,
    "clemency.report.demo": 10, "clemency.web": 10,
    "clemency.cli": 11,
}

# library files that still import Clemency modules inside functions, with how many: the count may only go
# down. The application layers on top, clemency/cli/** and clemency/web/** (which nothing imports), load
# modules on demand for a fast start and are not counted; the layer rule holds for them all the same.
LOCAL_IMPORTS_LEFT = {
    "act/vocabulary.py": 2, "engines/__init__.py": 1,
    "monitor/files.py": 1, "monitor/report.py": 16, "monitor/status.py": 6,
    "outdir.py": 2, "registry/load.py": 1, "registry/read.py": 1, "report/demo.py": 6,
    "timeline/run.py": 2,
}
EXEMPT = ("cli/", "web/")


def module_name(path: Path) -> str:
    parts = ("clemency",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def imports(path: Path):
    """(imported module, at top level?) for every import of a Clemency module in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "clemency":   # `from clemency import pipeline` imports a submodule
                names = [f"clemency.{a.name}" for a in node.names if (ROOT / a.name).exists()
                         or (ROOT / f"{a.name}.py").exists()] or ["clemency"]
        else:
            continue
        for name in names:
            if name == "clemency" or name.startswith("clemency."):
                yield name, node in top


FILES = sorted(ROOT.rglob("*.py"))


def test_no_module_imports_a_higher_layer():
    wrong = []
    for path in FILES:
        here = module_name(path)
        for name, _top in imports(path):
            if layer(name) > layer(here):
                wrong.append(f"{here} (layer {layer(here)}) imports {name} (layer {layer(name)})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    modules = {module_name(p): p for p in FILES}
    graph = {}
    for mod, path in modules.items():
        deps = set()
        for name, top in imports(path):
            if not top:
                continue
            # `from a.b import c` may name a submodule a.b.c or an attribute of a.b
            deps.add(name if name in modules else name.rsplit(".", 1)[0])
        graph[mod] = {d for d in deps if d in modules and d != mod}
    # a package's __init__ importing its own submodules is how packages are made, not a cycle
    graph = {m: {d for d in ds if not d.startswith(m + ".")} for m, ds in graph.items()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def find_cycle(graph: dict[str, set]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_function_local_imports_do_not_grow():
    counts = Counter()
    for path in FILES:
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(EXEMPT):
            continue
        counts[rel] = sum(1 for _name, top in imports(path) if not top)
    grown = {f: n for f, n in counts.items() if n > LOCAL_IMPORTS_LEFT.get(f, 0)}
    assert not grown, f"new function-local imports of Clemency modules (import at the top instead): {grown}"


def test_the_layer_test_sees_a_violation(tmp_path):
    """The checker itself: a lower layer importing a higher one is seen."""
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from clemency.web import app\n")
    assert [(n, t) for n, t in imports(bad)] == [("clemency.web", False)]
    assert layer("clemency.web.app") > layer("clemency.engines.base")
    assert layer("clemency.report.demo") > layer("clemency.report.tables")
