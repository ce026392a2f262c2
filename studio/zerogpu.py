"""GPU Spaces: Hugging Face's ZeroGPU hardware lends a GPU only inside functions decorated with ``spaces.GPU``.

The ``spaces`` package is installed on Spaces (and its decorator is a no-op on CPU and dedicated-GPU
hardware); elsewhere it is absent and :func:`gpu_task` returns the function as it is. The engine picks its
device itself (``device="auto"``: CUDA where there is one), so the same app uses a GPU wherever it gets one.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

try:  # imported before any CUDA work, as ZeroGPU asks
    import spaces
except ImportError:  # not on a Space: nothing lends a GPU per call
    spaces = None


def gpu_task(fn: F) -> F:
    """``fn`` under ``spaces.GPU`` where the ``spaces`` package is installed, else ``fn`` unchanged."""
    return fn if spaces is None else spaces.GPU(fn)
