"""The package layering: app.py -> studio.tabs -> studio -> liif, iqa; iqa -> liif; liif imports neither; gradio
only in app.py and studio/tabs/ (checked on the source)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_packages(path: Path) -> set[str]:
    """Top-level package of every import in a module, including imports inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def imported_modules(path: Path) -> set[str]:
    """Every module a module imports, by its full name; ``from a.b import c`` names both ``a.b`` and ``a.b.c``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


UI = ROOT / "studio" / "tabs"  # the tabs' layout and wiring: the only gradio in the packages
UI_MODULES = {f"studio.tabs.{p.stem}" for p in UI.glob("*.py") if p.stem != "__init__"}


def offences(package: str, forbidden: set[str], outside: Path | None = None) -> list[str]:
    """Each module of ``package`` (those under ``outside`` left out) that imports a ``forbidden`` package."""
    modules = [m for m in sorted((ROOT / package).rglob("*.py")) if outside is None or outside not in m.parents]
    assert len(modules) > 5, f"no modules found under {package}/"  # a wrong path must not pass
    return [f"{m.relative_to(ROOT)} imports {name}"
            for m in modules for name in sorted(imported_packages(m) & forbidden)]


def test_the_walker_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\ndef f():\n    from iqa.cli import x\n    import gradio as gr\n")
    assert imported_packages(module) == {"os", "iqa", "gradio"}
    assert imported_modules(module) == {"os", "iqa.cli", "iqa.cli.x", "gradio"}


@pytest.mark.parametrize("package, forbidden", [
    # The engine needs nothing of the quality stack or the demo (pyproject's first dependency group).
    ("liif", {"iqa", "studio", "gradio", "app", "pyiqa", "open_clip", "torchvision", "pywt", "pandas", "matplotlib"}),
    ("iqa", {"studio", "gradio", "app"}),
])
def test_no_package_imports_a_layer_above_it(package, forbidden):
    assert offences(package, forbidden) == []


def test_gradio_stays_in_the_tabs():
    """studio's computations never import gradio nor a tab module; the tabs never import app.py."""
    assert len(UI_MODULES) >= 6  # the tabs are where this test looks (a wrong path must not pass)
    assert offences("studio", {"gradio", "app"}, outside=UI) == []
    assert offences("studio/tabs", {"app"}) == []
    computations = [m for m in sorted((ROOT / "studio").rglob("*.py")) if UI not in m.parents]
    assert [f"{m.relative_to(ROOT)} imports {name}" for m in computations
            for name in sorted(imported_modules(m) & UI_MODULES)] == []
    # the tabs' catalogue (what each tab is for, read by the Space's card) is importable without gradio
    assert "gradio" not in imported_packages(UI / "__init__.py")


def test_importing_every_engine_module_loads_no_quality_stack_or_ui():
    """At run time too: every liif module imported, and nothing of iqa, pyiqa, open_clip, studio or gradio loaded."""
    import subprocess
    import sys

    code = ("import pkgutil, sys, importlib, liif\n"
            "names = [m.name for m in pkgutil.walk_packages(liif.__path__, 'liif.')]\n"
            "[importlib.import_module(n) for n in names]\n"
            "loaded = {m.split('.')[0] for m in sys.modules} & {'iqa', 'pyiqa', 'open_clip', 'studio', 'gradio',\n"
            "                                                 'torchvision', 'pandas', 'matplotlib'}\n"
            "print(len(names), sorted(loaded))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    count, loaded = out.stdout.split(" ", 1)
    assert int(count) > 15 and loaded.strip() == "[]"


def test_importing_the_space_export_loads_no_ui():
    """``liif space export`` reads the tabs' catalogue for the Space's card without loading gradio."""
    import subprocess
    import sys

    code = "import sys, studio.space, studio.tabs\nprint(len(studio.tabs.TABS), 'gradio' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["6", "False"]
