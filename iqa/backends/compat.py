"""Compatibility fixes for third-party packages that ``iqa`` depends on.

The pkg_resources trap
----------------------
``openai-clip`` (a dependency of pyiqa) does ``from pkg_resources import packaging``
at import time, only to call ``packaging.version.parse``. setuptools 81 stopped
shipping ``pkg_resources``, so on a current environment ``import clip`` fails and
every CLIP-based pyiqa metric (CLIP-IQA, LIQE, QualiCLIP, ...) fails at creation.

The fix is deliberate and narrow: when (and only when) the real ``pkg_resources``
cannot be imported, :func:`pkg_resources_shim` puts a minimal module into
``sys.modules`` that exposes just ``packaging`` (the real ``packaging`` package),
imports the CLIP code that needs it, and takes the shim out again, so no other
code ever sees a fake ``pkg_resources``. The imported ``clip`` module keeps its
reference to ``packaging`` and works normally afterwards.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "SHIM_MARKER",
    "real_pkg_resources_available",
    "pkg_resources_shim",
    "import_openai_clip",
    "prepare_pyiqa_clip",
]

SHIM_MARKER = "__liif_studio_shim__"
_MISSING = object()
_LOCK = threading.RLock()


def real_pkg_resources_available() -> bool:
    """True when a genuine ``pkg_resources`` can be imported (setuptools < 81)."""
    current = sys.modules.get("pkg_resources", _MISSING)
    if current is None:  # import explicitly blocked
        return False
    if current is not _MISSING:
        return not getattr(current, SHIM_MARKER, False)
    try:
        return importlib.util.find_spec("pkg_resources") is not None
    except (ImportError, ValueError):
        return False


def _make_shim() -> types.ModuleType:
    import packaging  # noqa: F401  (a dependency of pyiqa, torch hub, huggingface_hub)
    import packaging.version  # noqa: F401  (loads the submodule clip reads as packaging.version)

    shim = types.ModuleType("pkg_resources")
    shim.__doc__ = (
        "Minimal stand-in installed by iqa.compat: exposes only `packaging`, "
        "for openai-clip's `from pkg_resources import packaging`."
    )
    shim.packaging = sys.modules["packaging"]
    setattr(shim, SHIM_MARKER, True)
    return shim


@contextmanager
def pkg_resources_shim() -> Iterator[bool]:
    """Make ``from pkg_resources import packaging`` work inside the block.

    Yields True when the shim was installed, False when the real module is used.
    On exit, ``sys.modules['pkg_resources']`` is restored to what it was.
    """
    with _LOCK:
        if real_pkg_resources_available():
            yield False
            return
        previous = sys.modules.get("pkg_resources", _MISSING)
        sys.modules["pkg_resources"] = _make_shim()
        try:
            yield True
        finally:
            if getattr(sys.modules.get("pkg_resources"), SHIM_MARKER, False):
                if previous is _MISSING:
                    del sys.modules["pkg_resources"]
                else:
                    sys.modules["pkg_resources"] = previous


def import_openai_clip() -> types.ModuleType:
    """Import the ``clip`` package of openai-clip, with the shim if needed."""
    if "clip" in sys.modules and hasattr(sys.modules["clip"], "tokenize"):
        return sys.modules["clip"]
    with pkg_resources_shim():
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clip = importlib.import_module("clip")
    return clip


def prepare_pyiqa_clip() -> None:
    """Import pyiqa's CLIP glue so later ``pyiqa.create_metric`` calls find it loaded.

    Call before creating any CLIP-based pyiqa metric. Safe to call repeatedly.
    """
    import_openai_clip()
    with pkg_resources_shim():
        importlib.import_module("pyiqa.archs.clip_imports")
