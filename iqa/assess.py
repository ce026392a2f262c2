"""``assess``: compute every selected score for one (output, input[, reference]).

Assessing is one loop over the requested catalogue entries: each carries its compute
function (``catalog.Metric.compute``), which returns the row (and a family's sub-rows)
or says why it cannot be computed here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from liif.imageio import ImageLike, luma_bt601
from liif.resize import pil_bicubic

from . import catalog
from .backends.open_clip import ClipCues
from .cues.base import Cue, CueUnavailable, Views
from .cues.clip import clip_model
from .images import ImageInputError, to_rgb_array
from .report import Report, Score

__all__ = ["assess", "select_metrics", "make_views", "metric_rows"]


def _unavailable(metric: catalog.Metric, reason: str) -> Score:
    return Score(metric.key, metric.name, metric.group, None, None, metric.direction, metric.range,
                 "unavailable", False, reason)


def _optional(value: float | None) -> float | None:
    return None if value is None else float(value)


def _rows(metric: catalog.Metric, cue: Cue) -> list[Score]:
    """The row of one catalogue entry, then one row per part of a family."""
    rows = [Score(metric.key, metric.name, metric.group, float(cue.value), _optional(cue.baseline),
                  metric.direction, metric.range, cue.reading, warning=cue.warning)]
    rows += [Score(f"{metric.key}.{part.key}", part.name, metric.group, float(part.value), _optional(part.baseline),
                   part.direction, part.range, part.reading) for part in cue.parts]
    return rows


# --------------------------------------------------------------------------- selection
def select_metrics(metrics: Iterable[str] | None, has_reference: bool) -> list[str]:
    """Catalogue keys to run, in catalogue order. None = defaults."""
    if metrics is None:
        wanted = [k for k in catalog.DEFAULT_KEYS
                  if has_reference or not catalog.METRICS[k].needs_reference]
    else:
        wanted = []
        for key in metrics:
            catalog.get(key)  # raises ValueError for unknown keys
            wanted.append(key)
    return [k for k in catalog.METRICS if k in set(wanted)]


# --------------------------------------------------------------------------- one entry
# Below this many input pixels a side, or this little luma variation (grey levels, standard deviation),
# there is no detail to keep or lose: ratios against bicubic of near-zero energies mean nothing.
MIN_SIDE = 8
FLAT_STD = 1.0


def not_judged(lowres: np.ndarray) -> str | None:
    """Why an input is too small or too flat for a verdict, or None when it can be judged."""
    h, w = lowres.shape[:2]
    if min(h, w) < MIN_SIDE:
        return f"too small to judge: the input is {w}x{h} pixels, and the cues need at least {MIN_SIDE}x{MIN_SIDE}"
    spread = float(luma_bt601(lowres).std())
    if spread < FLAT_STD:
        return (f"too flat to judge: the input is almost one colour (its luma varies by {spread:.1f} grey levels), "
                "so there is no detail to keep or lose")
    return None


def make_views(output: ImageLike, lowres: ImageLike, reference: ImageLike | None = None, *,
               shave: int = 0, clip: ClipCues | None = None, input_condition: Any = None,
               bicubic: ImageLike | None = None) -> Views:
    """The images of one assessment as compute functions see them (8-bit RGB, with the bicubic baseline).

    ``input_condition``: the input's ``liif.inspect`` report when the caller has it (from the file, whose
    JPEG tables are exact where the decoded pixels only allow an estimate); else it is made when a row asks.
    ``bicubic``: the caller's PIL-bicubic enlargement of the input to the output's size, when it has one
    (the demo shows it beside the output), so that it is not made twice.
    """
    out = to_rgb_array(output, "output")
    low = to_rgb_array(lowres, "input")
    ref = to_rgb_array(reference, "reference") if reference is not None else None
    if ref is not None and ref.shape != out.shape:
        raise ImageInputError(
            f"the reference ({ref.shape[1]}x{ref.shape[0]}) must have the output's size "
            f"({out.shape[1]}x{out.shape[0]})"
        )
    h, w = out.shape[:2]
    if bicubic is None:
        bic = pil_bicubic(low, (w, h))  # the display kernel: the baseline is what a viewer would get
    else:
        bic = to_rgb_array(bicubic, "bicubic baseline")
        if bic.shape != out.shape:
            raise ImageInputError(f"the bicubic baseline ({bic.shape[1]}x{bic.shape[0]}) must have the output's "
                                  f"size ({w}x{h})")
    scale = math.sqrt((w / low.shape[1]) * (h / low.shape[0]))
    views = Views(out, bic, low, scale, reference=ref, shave=shave, clip=clip)
    if input_condition is not None:
        views.shared("input_condition", lambda: input_condition)
    return views


def metric_rows(metric: catalog.Metric, views: Views) -> list[Score]:
    """One catalogue entry's rows (a family's parts after its row), or one unavailable row saying why."""
    try:
        return _rows(metric, metric.compute(views))
    except CueUnavailable as error:
        return [_unavailable(metric, str(error))]


def _input_condition(views: Views, rows: list[Score]) -> str:
    """What the input had been through (liif.inspect), and what the enlargement did with its blocks."""
    found = views.input_condition()
    text = "input: " + found.describe()
    blocks = next((r for r in rows if r.available and "." not in r.key and catalog.METRICS[r.key].input_note), None)
    if found.compressed and blocks is not None:
        text += " - " + blocks.reading.split(": ", 1)[-1].split(" (", 1)[0]
    return text


# --------------------------------------------------------------------------- assess
def assess(output: ImageLike, lowres: ImageLike, reference: ImageLike | None = None,
           metrics: Iterable[str] | None = None, clip: ClipCues | None = None, *, shave: int = 0,
           input_condition: Any = None, bicubic: ImageLike | None = None) -> Report:
    """Assess an enlargement ``output`` of ``lowres`` against the bicubic baseline.

    Images follow ``liif.imageio``'s contract: PIL images, or arrays of uint8, uint16
    or float in [0, 1] (scored as 8-bit RGB). ``reference`` (same size as
    ``output``) enables full-reference scores. ``metrics``: catalogue keys, or None
    for the defaults. ``clip``: a :class:`ClipCues`, or None for the configured
    default (reported unavailable when its weights are not on disk). ``shave``:
    border pixels ignored by PSNR/SSIM (the SR literature uses the scale). ``input_condition``: the
    input's ``liif.inspect`` report if the caller has one; ``bicubic``: its bicubic baseline, likewise (see
    ``make_views``).
    """
    started = time.perf_counter()
    views = make_views(output, lowres, reference, shave=shave, clip=clip, input_condition=input_condition,
                       bicubic=bicubic)
    out, low, ref = views.output, views.lowres, views.reference
    keys = select_metrics(metrics, ref is not None)
    rows: list[Score] = []
    costs: dict[str, float] = {}  # seconds per row (a row that first needs a shared piece pays for it)
    for key in keys:
        began = time.perf_counter()
        rows += metric_rows(catalog.METRICS[key], views)
        costs[key] = round(time.perf_counter() - began, 3)

    order = {k: i for i, k in enumerate(catalog.METRICS)}
    rows.sort(key=lambda r: (catalog.GROUPS.index(r.group), order[r.key.split(".")[0]]))
    h, w = out.shape[:2]
    meta = {
        "output_size": f"{w}x{h}",
        "input_size": f"{low.shape[1]}x{low.shape[0]}",
        "reference_size": f"{ref.shape[1]}x{ref.shape[0]}" if ref is not None else None,
        "scale": views.scale,
        "baseline": "bicubic (PIL) enlargement of the input to the output size",
        "metrics": keys,
        "clip_model": clip_model(views).name if any(
            catalog.METRICS[k].kind == "clip" for k in keys) else None,
        "shave": shave,
        "input_condition": _input_condition(views, rows),
        "not_judged": not_judged(low),
        "seconds": round(time.perf_counter() - started, 3),
        "row_seconds": costs,
    }
    return Report(rows, meta)
