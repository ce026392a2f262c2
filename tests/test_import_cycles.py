"""No import cycles between the modules of liif, iqa, studio and app.py (checked on the source).

Every import counts, wherever it is in the module (inside functions and ``if TYPE_CHECKING:`` too): a lazy
import only hides a cycle. Relative imports are resolved; ``from pkg import name`` is an edge to the
submodule ``pkg.name`` when there is one, else to the package's ``__init__`` (named ``pkg``), so a submodule
that takes a name from its own package's ``__init__`` while that ``__init__`` imports it is a cycle.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_CYCLES = 50  # enough to read; a tangle beyond that is reported as such


def module_name(path: Path, root: Path) -> str:
    """``iqa/catalog.py`` -> ``iqa.catalog``; ``iqa/__init__.py`` -> ``iqa``; ``app.py`` -> ``app``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _known(name: str, modules: set[str]) -> str | None:
    """``name`` or its longest prefix that is one of ``modules`` (None for other packages' modules)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def imports_of(path: Path, name: str, modules: set[str]) -> set[str]:
    """The modules among ``modules`` that the module ``name`` (file ``path``) imports, anywhere in it."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {_known(alias.name, modules) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package[: len(package) - (node.level - 1)] + ([node.module] if node.module else [])
                base = ".".join(base_parts)
            else:
                base = node.module or ""
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else _known(base, modules))
    found.discard(None)
    found.discard(name)  # a package's __init__ importing a name it defines is no edge
    return found  # type: ignore[return-value]


def module_graph(root: Path, packages: Iterable[str], scripts: Iterable[str] = ()) -> dict[str, set[str]]:
    """module -> the modules it imports, for every module of ``packages`` and the ``scripts`` (files at root)."""
    files = {module_name(p, root): p for package in packages for p in sorted((root / package).rglob("*.py"))}
    files |= {module_name(root / s, root): root / s for s in scripts}
    modules = set(files)
    return {name: imports_of(path, name, modules) for name, path in files.items()}


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components (Tarjan), each a set of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            out.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _cycles_from(graph: dict[str, set[str]], path: list[str], allowed: set[str], found: list[list[str]]) -> None:
    """Extend ``path`` within ``allowed``; every way back to ``path[0]`` is a cycle."""
    for w in sorted(graph[path[-1]] & allowed):
        if len(found) >= MAX_CYCLES:
            return
        if w == path[0]:
            found.append([*path, w])
        elif w not in path:
            _cycles_from(graph, [*path, w], allowed, found)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle, each from its smallest module back to it: ``[a, b, a]``."""
    found: list[list[str]] = []
    for component in _components(graph):
        for start in sorted(component) if len(component) > 1 else ():
            # Cycles through `start` that use no module smaller than it: each cycle is found once.
            _cycles_from(graph, [start], {m for m in component if m >= start}, found)
    return found


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_the_walker_finds_a_deliberate_cycle(tmp_path):
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from . import b\n",
        "pkg/b.py": "def f():\n    from .a import x  # lazy: still a cycle\n",
        "pkg/c.py": "import os\nfrom pkg.sub import d\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/d.py": "from ..c import y\n",
        "pkg/e.py": "from .a import z\n",  # imports into a cycle, is in none
    })
    graph = module_graph(tmp_path, ["pkg"])
    assert graph["pkg.b"] == {"pkg.a"} and graph["pkg.sub.d"] == {"pkg.c"} and graph["pkg.c"] == {"pkg.sub.d"}
    assert [" -> ".join(c) for c in cycles(graph)] == ["pkg.a -> pkg.b -> pkg.a", "pkg.c -> pkg.sub.d -> pkg.c"]


def test_a_package_name_is_an_edge_to_its_init(tmp_path):
    _write(tmp_path, {
        "pkg/__init__.py": "from . import a, b\nfrom .b import thing\n",
        "pkg/a.py": "from .helpers import h\n",  # a submodule of a package whose __init__ imports it: no cycle
        "pkg/helpers.py": "",
        "pkg/b.py": "from pkg import a\n\ndef f():\n    import pkg\n    from . import VERSION\n",
        "app.py": "import pkg.b\n",
    })
    graph = module_graph(tmp_path, ["pkg"], ["app.py"])
    assert graph["pkg"] == {"pkg.a", "pkg.b"} and graph["app"] == {"pkg.b"}
    assert graph["pkg.b"] == {"pkg.a", "pkg"}  # `import pkg`, `from . import VERSION`: the __init__
    assert [" -> ".join(c) for c in cycles(graph)] == ["pkg -> pkg.b -> pkg"]


def test_three_module_cycles_are_reported_whole(tmp_path):
    _write(tmp_path, {"m/__init__.py": "", "m/x.py": "from . import y\n", "m/y.py": "from . import z\n",
                      "m/z.py": "from .x import f\nfrom .y import g\n"})
    assert [" -> ".join(c) for c in cycles(module_graph(tmp_path, ["m"]))] == [
        "m.x -> m.y -> m.z -> m.x", "m.y -> m.z -> m.y"]


def test_no_import_cycles():
    graph = module_graph(ROOT, ["liif", "iqa", "studio"], ["app.py"])
    assert len(graph) > 50 and {"iqa", "iqa.catalog", "liif.engine", "studio.cli", "app"} <= set(graph)
    assert sum(map(len, graph.values())) > 100  # the walker sees the imports (a wrong path must not pass)
    assert [" -> ".join(c) for c in cycles(graph)] == []
