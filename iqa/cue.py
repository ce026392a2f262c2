"""What a catalogue entry's compute function sees and returns.

Every metric of the catalogue carries ``compute``; assessing is one call per requested
metric, ``compute(views) -> Cue``: the views are the images of one assessment (and what
its metrics share, e.g. the CLIP embeddings, computed once), the cue is the row's value,
the bicubic baseline's value, a one-line reading and, where the reading warns about
something, a short name for it (``warning``). A family (the CLIP cues) adds ``parts``,
one row each under the family row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

__all__ = ["Views", "Cue", "Part", "CueUnavailable"]

T = TypeVar("T")


class CueUnavailable(RuntimeError):
    """This cue does not apply to these images or cannot run here; the message says why."""


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
