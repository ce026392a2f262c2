"""What a catalogue entry's compute function sees and returns.

Every metric of the catalogue carries ``compute``; assessing is one call per requested
metric, ``compute(views) -> Cue``: the views are the images of one assessment (and what
its metrics share, e.g. the CLIP embeddings, computed once), the cue is the row's value,
the bicubic baseline's value, a one-line reading and, where the reading warns about
something, a short name for it (``warning``). A family (the CLIP cues) adds ``parts``,
one row each under the family row.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from liif.imageio import luma_bt601
from liif.resize import pil_bicubic

__all__ = ["Views", "Cue", "Part", "CueUnavailable", "side_by_side"]

T = TypeVar("T")


class CueUnavailable(RuntimeError):
    """This cue does not apply to these images or cannot run here; the message says why."""


def side_by_side(make: Callable[[Any], T], a: Any, b: Any) -> tuple[T, T]:
    """``(make(a), make(b))``, the second on another core when there is one.

    Every cue measures the output and the bicubic baseline the same way; numpy, OpenCV, SciPy and
    PyWavelets release the GIL, so the two halve a row's time on 2 cores. A fresh one-thread pool per
    call: a nested call can never wait on a busy shared pool.
    """
    if len(os.sched_getaffinity(0)) < 2:
        return make(a), make(b)
    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(make, b)
        return make(a), second.result()


@dataclass(frozen=True)
class Views:
    """The images of one assessment, HxWx3 uint8: output, its bicubic baseline, the input, the reference."""

    output: np.ndarray
    bicubic: np.ndarray
    lowres: np.ndarray
    scale: float  # geometric mean of the two axes' enlargement factors
    reference: np.ndarray | None = None  # ground truth the size of the output, for full-reference rows
    shave: int = 0  # border pixels the full-reference scores ignore
    clip: Any = None  # an iqa.ClipCues, or None for the configured default
    _shared: dict = field(default_factory=dict, compare=False, repr=False)

    def shared(self, name: str, make: Callable[[], T]) -> T:
        """``make()`` once per assessment: what several rows read (tone statistics, CLIP embeddings)."""
        if name not in self._shared:
            self._shared[name] = make()
        return self._shared[name]

    def image(self, which: str) -> np.ndarray:
        """One of the images by name: "output", "bicubic", "lowres" or "reference"."""
        image = getattr(self, which)
        if image is None:
            raise CueUnavailable(f"needs the {which} image")
        return image

    def luma(self, which: str) -> np.ndarray:
        """BT.601 luma (float32, 0-255) of one image, once per assessment: most cues read it (``both``)."""
        return self.shared(f"luma:{which}", lambda: luma_bt601(self.image(which)).astype(np.float32))

    def both(self, measure: Callable[[np.ndarray], T], of: str = "luma") -> tuple[T, T]:
        """``measure`` of the output and of the bicubic baseline, side by side: of their lumas, RGB or shrunk back."""
        if of == "shrunk":
            return side_by_side(measure, self.shrunk("output"), self.shrunk("bicubic"))
        if of == "luma":
            if "luma:output" not in self._shared or "luma:bicubic" not in self._shared:
                out, bic = side_by_side(lambda im: luma_bt601(im).astype(np.float32), self.output, self.bicubic)
                self._shared.setdefault("luma:output", out)
                self._shared.setdefault("luma:bicubic", bic)
            images = self.luma("output"), self.luma("bicubic")
        else:
            images = self.output, self.bicubic
        return side_by_side(measure, *images)

    def shrunk(self, which: str) -> np.ndarray:
        """An enlargement ("output" or "bicubic") shrunk back to the input's size (the baseline's kernel), once."""
        low = self.lowres
        return self.shared(f"shrunk:{which}", lambda: pil_bicubic(self.image(which), (low.shape[1], low.shape[0])))

    def input_condition(self) -> Any:
        """``liif.inspect`` of the input, once per assessment: what it had been through (JPEG, noise)."""
        import liif

        return self.shared("input_condition", lambda: liif.inspect(self.lowres))


@dataclass(frozen=True)
class Part:
    """One row under a family row: its key is ``family.key``."""

    key: str
    name: str
    value: float
    baseline: float | None
    reading: str
    direction: str
    range: str


@dataclass(frozen=True)
class Cue:
    """A computed row: the output's value, the bicubic baseline's, the reading, a warning, a family's parts."""

    value: float
    baseline: float | None
    reading: str
    warning: str = ""  # e.g. "added noise"; empty when the reading raises no concern
    parts: tuple[Part, ...] = ()
