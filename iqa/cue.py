"""What a catalogue entry's compute function sees and returns.

A metric whose catalogue entry carries ``compute`` is assessed by one call,
``compute(views) -> Cue``: the views are the images of one assessment, the cue is the
row's value, the bicubic baseline's value, a one-line reading and, where the reading
warns about something, a short name for it (``warning``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

__all__ = ["Views", "Cue", "CueUnavailable"]


class CueUnavailable(RuntimeError):
    """This cue does not apply to these images; the message says why."""


@dataclass(frozen=True)
class Views:
    """The images of one assessment, HxWx3 uint8: output, its bicubic baseline, the input."""

    output: np.ndarray
    bicubic: np.ndarray
    lowres: np.ndarray
    scale: float  # geometric mean of the two axes' enlargement factors


@dataclass(frozen=True)
class Cue:
    value: float
    baseline: Optional[float]
    reading: str
    warning: str = ""  # e.g. "added noise"; empty when the reading raises no concern
