"""``assess``: compute every selected score for one (output, input[, reference])."""

from __future__ import annotations

import math
import time
from typing import Iterable, Optional

import numpy as np

from . import catalog, fr, nr, retention
from .clip_cues import ClipCues, ClipUnavailable, default_clip
from .cue import CueUnavailable, Views
from .images import ImageInputError, resize_bicubic, to_rgb_array
from .prompts import EMOTIONS, PAIR_GROUPS
from .report import Report, Score

__all__ = ["assess", "select_metrics"]


# --------------------------------------------------------------------------- readings
def _pct(x: float) -> str:
    return f"{abs(x) * 100:.0f}%"


def _relative_reading(value: float, baseline: float, more: str, less: str, noun: str) -> str:
    """'22% sharper than bicubic', '2.4x the edge contrast of bicubic (sharper)', ..."""
    if not (math.isfinite(value) and math.isfinite(baseline)) or baseline <= 0:
        return f"{noun} {value:.3g} (bicubic {baseline:.3g})"
    ratio = value / baseline
    if abs(ratio - 1) < 0.02:
        return f"about the same {noun} as bicubic (within 2%)"
    if ratio >= 2:
        return f"{ratio:.1f}x the {noun} of bicubic ({more})"
    if ratio > 1:
        return f"{_pct(ratio - 1)} {more} than bicubic"
    return f"{_pct(1 - ratio)} {less} than bicubic"


def _consistency_reading(value: float, baseline: float) -> str:
    """Thresholds from Set5/Set14: bicubic x2-x4 scores 31-44 dB, a 1-pixel shift ~15 dB."""
    base = f"bicubic {baseline:.1f} dB" if math.isfinite(baseline) else "bicubic identical"
    if math.isinf(value):
        return f"shrinks back exactly to the input ({base})"
    if value >= 35:
        verdict = "faithful to the input"
    elif value >= 30:
        verdict = "close to the input"
    elif value >= 24:
        verdict = "departs from the input"
    else:
        verdict = "does not match the input"
    return f"{verdict}: {value:.1f} dB shrunk back ({base})"


def _drift_reading(value: float) -> str:
    if value < 1:
        verdict = "invisible"
    elif value < 2:
        verdict = "visible only on close inspection"
    elif value < 3.5:
        verdict = "noticeable side by side"
    elif value < 5:
        verdict = "clearly visible"
    else:
        verdict = "colours have changed"
    return f"colour drift {value:.1f} dE: {verdict}"


def _shift_reading(value: float, small: float, large: float, up: str, down: str,
                   what: str, unit: str) -> str:
    mag = abs(value)
    if mag < small:
        return f"{what} unchanged ({value:+.1f}{unit})"
    word = up if value > 0 else down
    return f"{'slightly ' if mag < large else ''}{word} ({value:+.1f}{unit})"


def _compare_reading(value: float, baseline: float, direction: str, name: str) -> str:
    if direction == "none":
        return f"{name} {value:.3g} (bicubic {baseline:.3g})"
    scale = max(abs(baseline), 1e-9)
    if abs(value - baseline) / scale < 0.01:
        verdict = "same as bicubic"
    else:
        better = (value > baseline) == (direction == "higher")
        verdict = "better than bicubic" if better else "worse than bicubic"
    return f"{verdict} ({value:.3g} vs {baseline:.3g}; {direction} is better)"


def _unavailable(metric: catalog.Metric, reason: str, key: Optional[str] = None,
                 name: Optional[str] = None) -> Score:
    return Score(key or metric.key, name or metric.name, metric.group, None, None,
                 metric.direction, metric.range, "unavailable", False, reason)


def _row(metric: catalog.Metric, value: float, baseline: Optional[float], reading: str,
         *, key: Optional[str] = None, name: Optional[str] = None,
         direction: Optional[str] = None, range_: Optional[str] = None,
         warning: str = "") -> Score:
    return Score(key or metric.key, name or metric.name, metric.group, float(value),
                 None if baseline is None else float(baseline),
                 direction or metric.direction, range_ or metric.range, reading,
                 warning=warning)


# Below +10% over bicubic a sharpness cue does not show a gain worth the name.
SHARPER_GAIN = 0.10
# An enlargement should agree with its input at least as well as bicubic does; below
# bicubic's consistency by more than this (dB), or under 30 dB, the output departs.
CONSISTENCY_SLACK = 1.0
CONSISTENCY_FLOOR = 30.0
# Colour drift (mean CIEDE2000) from which colours differ noticeably side by side.
DRIFT_NOTICEABLE = 2.0


def _sharpness_warning(value: float, baseline: float) -> str:
    if not (math.isfinite(value) and math.isfinite(baseline)) or baseline <= 0:
        return ""
    gain = value / baseline - 1
    if gain <= -SHARPER_GAIN:
        return "softer than bicubic"
    return "no sharper than bicubic" if gain < SHARPER_GAIN else ""


def _consistency_warning(value: float, baseline: float) -> str:
    if math.isinf(value):
        return ""
    if value < CONSISTENCY_FLOOR or (math.isfinite(baseline) and value < baseline - CONSISTENCY_SLACK):
        return "departs from the input"
    return ""


# --------------------------------------------------------------------------- selection
def select_metrics(metrics: Optional[Iterable[str]], has_reference: bool) -> list[str]:
    """Catalogue keys to run, in catalogue order. None = defaults."""
    if metrics is None:
        wanted = [k for k in catalog.DEFAULT_KEYS
                  if has_reference or catalog.METRICS[k].kind != "fr"]
    else:
        wanted = []
        for key in metrics:
            catalog.get(key)  # raises ValueError for unknown keys
            wanted.append(key)
    return [k for k in catalog.METRICS if k in set(wanted)]


# --------------------------------------------------------------------------- sections
def _sharpness_rows(keys, out, bic, scale) -> list[Score]:
    rows = []
    cutoff = 1.0 / scale if scale > 1.05 else 0.5
    funcs = {
        "laplacian_var": (retention.laplacian_variance, "sharper", "softer", "edge contrast"),
        "tenengrad": (retention.tenengrad, "sharper", "softer", "edge strength"),
        "hf_share": (lambda im: retention.high_frequency_share(im, cutoff),
                     "more fine detail", "less fine detail", "fine-detail energy"),
    }
    for key in keys:
        if key not in funcs:
            continue
        func, more, less, noun = funcs[key]
        value, base = func(out), func(bic)
        rows.append(_row(catalog.METRICS[key], value, base,
                         _relative_reading(value, base, more, less, noun),
                         warning=_sharpness_warning(value, base)))
    return rows


def _tone_rows(keys, out, bic, low) -> list[Score]:
    wanted = [k for k in keys if catalog.METRICS[k].group in ("consistency", "tone")]
    if not wanted:
        return []
    t_out, t_bic = retention.tone_cues(out, low), retention.tone_cues(bic, low)
    readings = {
        "consistency_psnr": lambda v, b: _consistency_reading(v, b),
        "color_drift": lambda v, b: _drift_reading(v) + f" (bicubic {b:.1f})",
        "luma_mean_shift": lambda v, b: _shift_reading(v, 1, 3, "brighter", "darker", "brightness", " L*"),
        "luma_spread_shift": lambda v, b: _shift_reading(v, 1, 3, "more contrast", "less contrast", "contrast", " L*"),
        "colourfulness_change": lambda v, b: _shift_reading(v, 3, 10, "more colourful", "less colourful", "colourfulness", "%"),
    }
    warnings = {
        "consistency_psnr": lambda v, b: _consistency_warning(v, b),
        "color_drift": lambda v, b: "colour shift" if v >= DRIFT_NOTICEABLE and v > b else "",
        "luma_mean_shift": lambda v, b: "brightness changed" if abs(v) >= 3 else "",
        "luma_spread_shift": lambda v, b: "contrast changed" if abs(v) >= 3 else "",
        "colourfulness_change": lambda v, b: "colourfulness changed" if abs(v) >= 10 else "",
    }
    rows = []
    for key in wanted:
        v, b = getattr(t_out, key), getattr(t_bic, key)
        rows.append(_row(catalog.METRICS[key], v, b, readings[key](v, b), warning=warnings[key](v, b)))
    return rows


def _computed_rows(keys, views: Views) -> list[Score]:
    """Rows of the metrics whose catalogue entry carries its compute function."""
    rows = []
    for key in keys:
        metric = catalog.METRICS[key]
        if metric.compute is None:
            continue
        try:
            cue = metric.compute(views)
        except CueUnavailable as error:
            rows.append(_unavailable(metric, str(error)))
            continue
        rows.append(_row(metric, cue.value, cue.baseline, cue.reading, warning=cue.warning))
    return rows


def _pyiqa_rows(keys, out, bic, ref) -> list[Score]:
    rows = []
    for key in keys:
        metric = catalog.METRICS[key]
        if metric.pyiqa_name is None or metric.kind not in ("nr", "fr"):
            continue
        if metric.kind == "fr" and ref is None:
            rows.append(_unavailable(metric, "needs a reference image (--reference)"))
            continue
        ok, reason = nr.status(key)
        if not ok:
            rows.append(_unavailable(metric, reason))
            continue
        try:
            if metric.kind == "nr":
                value, base = nr.score(key, [out, bic])
            else:
                value, base = nr.score_fr(key, [out, bic], ref)
        except nr.MetricUnavailable as error:
            rows.append(_unavailable(metric, str(error)))
            continue
        except Exception as error:  # e.g. an image smaller than the network's input
            rows.append(_unavailable(metric, f"{metric.name} failed: {type(error).__name__}: {error}"))
            continue
        if metric.kind == "fr" and metric.direction == "lower":
            closer = "closer to" if value < base else ("as close to" if value == base else "further from")
            reading = f"{closer} the reference than bicubic ({value:.3f} vs {base:.3f}; lower is better)"
        else:
            reading = _compare_reading(value, base, metric.direction, metric.name)
        rows.append(_row(metric, value, base, reading))
    return rows


def _classical_fr_rows(keys, out, bic, ref, shave) -> list[Score]:
    rows = []
    for key, func, unit in (("psnr_y", fr.psnr_y, " dB"), ("ssim_y", fr.ssim_y, "")):
        if key not in keys:
            continue
        metric = catalog.METRICS[key]
        if ref is None:
            rows.append(_unavailable(metric, "needs a reference image (--reference)"))
            continue
        value, base = func(out, ref, shave), func(bic, ref, shave)
        warning = "further from the reference than bicubic" if value < base else ""
        if math.isinf(value):
            reading = "identical to the reference"
        else:
            diff = value - base
            fmt = ".2f" if unit else ".3f"
            reading = (f"{value:{fmt}}{unit} vs reference: {diff:+{fmt}}{unit} over bicubic "
                       f"({base:{fmt}}{unit})")
        rows.append(_row(metric, value, base, reading, warning=warning))
    return rows


def _clip_rows(keys, clip: Optional[ClipCues], low, bic, out) -> list[Score]:
    families = [k for k in keys if catalog.METRICS[k].kind == "clip"]
    if not families:
        return []
    cues = clip if clip is not None else default_clip()
    ok, reason = cues.status()
    result = None
    if ok:
        try:
            result = cues.cues(low, bic, out)
        except ClipUnavailable as error:
            ok, reason = False, str(error)
    if result is None:
        return [_unavailable(catalog.METRICS[k], reason) for k in families]

    rows: list[Score] = []
    for family in families:
        metric = catalog.METRICS[family]
        if family in PAIR_GROUPS:
            probs = result.pairs[family]
            pairs = PAIR_GROUPS[family]
            stack = np.stack([probs[p.key] for p in pairs])  # (P, 3): input, bicubic, output
            if family == "clip_clarity":
                v, b = float(stack[:, 2].mean()), float(stack[:, 1].mean())
                reading = (_compare_reading(v, b, "higher", "clarity")
                           .replace("better than", "reads clearer than")
                           .replace("worse than", "reads less clear than"))
                rows.append(_row(metric, v, b, reading,
                                 warning="reads less clear than bicubic" if "less clear" in reading else ""))
            else:
                v = float(np.abs(stack[:, 2] - stack[:, 0]).mean())
                b = float(np.abs(stack[:, 1] - stack[:, 0]).mean())
                kept = "tone kept" if v < 0.05 else ("tone shifted slightly" if v < 0.15 else "tone changed")
                rows.append(_row(metric, v, b, f"{kept}: mean change {v:.2f} from the input (bicubic {b:.2f})"))
            for pair in pairs:
                p_in, p_bic, p_out = probs[pair.key]
                rows.append(_row(
                    metric, p_out, p_bic,
                    f"reads '{pair.positive}' {p_out:.0%} vs '{pair.negative}' (bicubic {p_bic:.0%}, input {p_in:.0%})",
                    key=f"{family}.{pair.key}", name=f"{pair.positive} / {pair.negative}",
                    direction="higher" if family == "clip_clarity" else "none", range_="0 to 1"))
        elif family == "clip_emotion":
            dist = result.emotion
            v, b = result.emotion_retention_output, result.emotion_retention_bicubic
            top_in, top_out = EMOTIONS[int(dist[0].argmax())], EMOTIONS[int(dist[2].argmax())]
            verdict = "feeling kept" if top_in == top_out and v >= 0.9 else (
                "feeling shifted" if top_in == top_out else "feeling changed")
            rows.append(_row(metric, v, b,
                             f"{verdict}: strongest {top_out} {dist[2].max():.0%} (input {top_in} {dist[0].max():.0%}); retention {v:.2f}, bicubic {b:.2f}"))
            for i, emotion in enumerate(EMOTIONS):
                rows.append(_row(metric, dist[2, i], dist[1, i],
                                 f"{emotion} {dist[2, i]:.0%} (bicubic {dist[1, i]:.0%}, input {dist[0, i]:.0%})",
                                 key=f"clip_emotion.{emotion}", name=emotion,
                                 direction="none", range_="0 to 1 (the eight sum to 1)"))
        elif family == "semantic_retention":
            v, b = result.semantic_output, result.semantic_bicubic
            verdict = "same content" if v >= 0.9 else ("mostly the same content" if v >= 0.8 else "content has changed")
            rows.append(_row(metric, v, b, f"{verdict}: similarity {v:.2f} to the input (bicubic {b:.2f})"))
    return rows


# --------------------------------------------------------------------------- assess
def assess(output, lowres, reference=None, metrics: Optional[Iterable[str]] = None,
           clip: Optional[ClipCues] = None, *, shave: int = 0) -> Report:
    """Assess an enlargement ``output`` of ``lowres`` against the bicubic baseline.

    Images are PIL images or HxWx3 uint8 arrays. ``reference`` (same size as
    ``output``) enables full-reference scores. ``metrics``: catalogue keys, or None
    for the defaults. ``clip``: a :class:`ClipCues`, or None for the configured
    default (reported unavailable when its weights are not on disk). ``shave``:
    border pixels ignored by PSNR/SSIM (the SR literature uses the scale).
    """
    started = time.perf_counter()
    out = to_rgb_array(output, "output")
    low = to_rgb_array(lowres, "input")
    ref = to_rgb_array(reference, "reference") if reference is not None else None
    if ref is not None and ref.shape != out.shape:
        raise ImageInputError(
            f"the reference ({ref.shape[1]}x{ref.shape[0]}) must have the output's size "
            f"({out.shape[1]}x{out.shape[0]})"
        )
    keys = select_metrics(metrics, ref is not None)
    h, w = out.shape[:2]
    bic = resize_bicubic(low, (w, h))
    scale = math.sqrt((w / low.shape[1]) * (h / low.shape[0]))

    rows: list[Score] = []
    rows += _sharpness_rows(keys, out, bic, scale)
    rows += _computed_rows(keys, Views(out, bic, low, scale))
    rows += _tone_rows(keys, out, bic, low)
    rows += _pyiqa_rows(keys, out, bic, ref)
    rows += _clip_rows(keys, clip, low, bic, out)
    rows += _classical_fr_rows(keys, out, bic, ref, shave)

    order = {k: i for i, k in enumerate(catalog.METRICS)}
    rows.sort(key=lambda r: (catalog.GROUPS.index(r.group), order[r.key.split(".")[0]]))
    meta = {
        "output_size": f"{w}x{h}",
        "input_size": f"{low.shape[1]}x{low.shape[0]}",
        "reference_size": f"{ref.shape[1]}x{ref.shape[0]}" if ref is not None else None,
        "scale": scale,
        "baseline": "bicubic (PIL) enlargement of the input to the output size",
        "metrics": keys,
        "clip_model": (clip or default_clip()).name if any(
            catalog.METRICS[k].kind == "clip" for k in keys) else None,
        "shave": shave,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Report(rows, meta)
