"""What a cue declares, sees and returns: :class:`Metric` and :func:`register`, :class:`Views`, :class:`Cue`.

A cue is its compute function with one ``@register(...)`` line above it: the registration holds
everything about the row (what it measures, direction, range, family) and about its warnings
(:class:`Warns`: the name the row raises, the phrase the verdict says it with, whether it is
something *added*), and what the verdict quotes of the row (``summary``). ``iqa.catalog`` collects
the registrations; the verdict composes them and names no cue.

Assessing is one call per requested metric, ``compute(views) -> Cue``: the views are the images of
one assessment (and what its metrics share, e.g. the CLIP embeddings, computed once), the cue is the
row's value, the bicubic baseline's value, a one-line reading and, where the reading warns about
something, the warning's name (``warning``). A family (the CLIP cues) adds ``parts``, one row each
under the family row.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from liif.imageio import luma_bt601
from liif.resize import pil_bicubic

if TYPE_CHECKING:
    from ..report.rows import Score

__all__ = ["Views", "Cue", "Part", "CueUnavailable", "side_by_side", "Warns", "Metric", "register", "add", "REGISTERED",
           "warned_reading"]

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


# --------------------------------------------------------------------------- declarations
@dataclass(frozen=True)
class Warns:
    """One warning a cue can raise, as the verdict reads it.

    ``name`` is what the row carries (``Score.warning``); ``says`` is how the verdict's headline says it:
    after "with added" for something the enlargement *added* (``added``: "noise", "halos"), else after
    "it" ("departs from the input"). A warning that is not ``judged`` is reported but never a problem
    (sharpness sets the level instead, the reference leads on its own); ``level`` is the sharpness level a
    sharpness warning stands for ("softer", "same"). ``rank`` orders the added things (lower first).
    """

    name: str
    says: str = ""
    added: bool = False
    judged: bool = True
    level: str = ""
    rank: int = 0
    # The absolute perceptibility floor, in the unit the warning is read in (``unit``): the cue raises the
    # warning only where what it measures reaches it (issue 35: "half a grey level cannot be seen"). Each
    # declaration's comment says where its value comes from. 0: a warning that sets no floor (the sharpness
    # level, the reference's own verdict).
    floor: float = 0.0
    unit: str = ""

    def visible(self, amount: float) -> bool:
        """Whether ``amount`` (in ``unit``: how much worse than bicubic, or the level itself) reaches the floor."""
        return amount >= self.floor

    @property
    def phrase(self) -> str:
        """What the headline says: ``says``, or the name itself."""
        return self.says or self.name


@dataclass(frozen=True)
class Metric:
    """One score of the catalogue: what it measures, how to read it, what it needs, how to compute its row."""

    key: str
    name: str
    kind: str  # "classical" | "nr" | "fr" | "clip"
    group: str  # its family: one of iqa.catalog.GROUPS; CLIP families fan out into several rows
    measures: str
    direction: str  # "higher" | "lower" | "none"
    range: str
    needs_weights: bool = False
    learned: bool = False  # a neural network (large-image crop LEARNED_CROP)
    # The row's compute function (value, baseline, reading, warning; a family adds parts);
    # it raises CueUnavailable, with the reason, where the row cannot be computed.
    compute: Callable[[Views], Cue] | None = None
    pyiqa: Any = None  # an iqa.backends.pyiqa.PyiqaModel: what the pyiqa backend computes this row with
    weight_files: tuple = ()  # iqa.weights.WeightFile: what the row needs on disk (pyiqa rows: their model's)
    warns: tuple[Warns, ...] = ()  # every warning the row can raise
    level: str = ""  # a sharpness cue: the noun the verdict's level quotes ("edge contrast"); first one wins
    summary: Callable[[Score], str] | None = None  # what the verdict quotes of the row ("" for nothing)
    aside: str = ""  # the verdict quotes the summary in its own clause ("CLIP: ..."), not among the details
    clean: str = ""  # "no added <clean>" when the row raises nothing ("noise", "halos", "blocks")
    input_note: bool = False  # the reading completes the report's line about the input ("its blocks removed")
    on_request: bool = False  # left out of the default report (only when asked for by key)
    source: str = ""  # the module that registered it (the catalogue orders a family's rows by module)

    def __post_init__(self) -> None:
        if self.compute is None:  # assess has no other way to compute a row
            raise ValueError(f"catalogue entry {self.key!r} has no compute function")
        if self.pyiqa is not None and (self.pyiqa.key, self.pyiqa.name, self.pyiqa.direction) != (
                self.key, self.name, self.direction):
            raise ValueError(f"catalogue entry {self.key!r} disagrees with its pyiqa model")

    @property
    def needs_reference(self) -> bool:
        """Whether the row compares with a ground-truth image (full-reference)."""
        return self.kind == "fr"

    @property
    def pyiqa_name(self) -> str | None:
        """pyiqa's name of the metric, or None when pyiqa does not compute it."""
        return self.pyiqa.pyiqa_name if self.pyiqa is not None else None

    @property
    def weights(self) -> tuple:
        """The weight files the row needs (CLIP families: see ``iqa.backends.open_clip``, they depend on the model)."""
        return self.pyiqa.weights if self.pyiqa is not None else self.weight_files

    @property
    def deep(self) -> bool:
        """A learned row (a network, CLIP): judged only once the validity suite has measured it."""
        return self.learned or self.kind == "clip"


# Every registered metric, in registration order (``iqa.catalog`` orders them by family).
REGISTERED: list[Metric] = []


def register(key: str, name: str, group: str, measures: str, direction: str, range_: str, *,
             kind: str = "classical", **declared: Any) -> Callable[[Callable[[Views], Cue]], Callable[[Views], Cue]]:
    """Register the decorated compute function as the catalogue entry ``key`` (timm's ``@register_model`` idiom)."""
    def decorate(compute: Callable[[Views], Cue]) -> Callable[[Views], Cue]:
        add(Metric(key, name, kind, group, measures, direction, range_, compute=compute, source=compute.__module__,
                   **declared))
        return compute
    return decorate


def add(metric: Metric) -> Metric:
    """Register a catalogue entry built elsewhere (the pyiqa backend's); a key registers once."""
    if any(m.key == metric.key for m in REGISTERED):
        raise ValueError(f"catalogue key {metric.key!r} is registered twice")
    REGISTERED.append(metric)
    return metric


def warned_reading(row: Score) -> str:
    """A summary: the row's reading when it warns, else nothing (the added artefacts quote themselves)."""
    return row.reading if row.warning else ""
