"""Comparisons on one region of an image: across scales (LIIF's gain over bicubic) and across models.

Cues are ``iqa``'s classical ones (fast, meaningful on a small region), measured on each rendered window
against the region of the input. A cue's *gain* is LIIF / bicubic for unitless cues (sharpness: "2.4x
bicubic") and LIIF - bicubic for cues with a unit (dB, dE: "+3.1 dB"); cues with no better direction
(brightness shift, ...) are tabled but not charted.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure
from PIL import Image

import iqa
import liif
from liif.imageio import ImageLike

from .reports import format_number, unit_of
from .views import bicubic_window, centred_box, fit, size_of, to_display

SCALE_COLUMNS = ["Scale", "Cue", "LIIF", "Bicubic", "Gain over bicubic", "Better"]
MODEL_COLUMNS = ["Model", "Time (s)", "Edge contrast (x bicubic)", "Fine detail (x bicubic)",
                 "Consistency (dB)", "Colour drift (dE)"]
GALLERY_MAX = 512  # display side of a gallery tile


def chart_metrics() -> list[str]:
    """The cues measured on a region: iqa's classical ones."""
    return [key for key, metric in iqa.METRICS.items() if metric.kind == "classical"]


def metric_named(name: str) -> iqa.Metric | None:
    """The catalogue metric with this display name."""
    return next((m for m in iqa.METRICS.values() if m.name == name), None)


def gain_kind(metric: iqa.Metric) -> str | None:
    """'ratio' for unitless cues, 'difference' for cues with a unit, None when no direction is better."""
    if metric.direction not in ("higher", "lower"):
        return None
    return "difference" if unit_of(metric.range) else "ratio"


def gain(metric: iqa.Metric, value: float | None, baseline: float | None) -> float | None:
    """LIIF's gain over bicubic for one cue (see ``gain_kind``); None where it is undefined."""
    kind = gain_kind(metric)
    if kind is None or value is None or baseline is None or not (math.isfinite(value) and math.isfinite(baseline)):
        return None
    if kind == "ratio":
        return value / baseline if baseline > 0 else None
    return value - baseline


@dataclass
class Region:
    """A square region of the input: its box and the centre the windows are rendered around."""

    box: tuple[int, int, int, int]

    @property
    def side(self) -> int:
        """Side in input pixels."""
        return self.box[2] - self.box[0]

    @property
    def centre(self) -> tuple[float, float]:
        """Centre in input pixels."""
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


def region_of(image: ImageLike, fx: float, fy: float, side: int) -> Region:
    """The region of ``side`` input pixels around the fractions (fx, fy), kept inside the image."""
    w, h = size_of(image)
    side = int(max(1, min(side, w, h)))
    return Region(centred_box((w, h), fx, fy, side))


def _sig(value: float | None, digits: int = 4) -> float | None:
    """``digits`` significant figures, as a number (tables show these)."""
    if value is None or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def cue_values(window: ImageLike, lowres: Image.Image) -> dict[str, float]:
    """The classical cues of one rendered window of ``lowres`` (its own values, not iqa's baseline's)."""
    # iqa's baseline would enlarge the cropped region alone (edge effects at its border); the bicubic
    # window shown is rendered with the whole image around it, so both are measured as windows.
    report = iqa.assess(to_display(window), lowres, metrics=chart_metrics())
    return {s.key: s.value for s in report.rows if s.available and s.value is not None}


def compare_scales(up: liif.Upscaler, image: ImageLike, scales: list[float], region: Region,
                   progress=None) -> tuple[list[tuple[Image.Image, str]], pd.DataFrame]:
    """The region at each scale, bicubic then LIIF at one display size, and the cues with their gains."""
    lowres = to_display(image).crop(region.box)
    tile = min(GALLERY_MAX, round(region.side * max(scales)))
    gallery, rows = [], []
    for i, s in enumerate(sorted(scales)):
        if progress is not None:
            progress(i, len(scales), s)
        n = round(region.side * s)
        win = to_display(up.render_window(image, center=region.centre, magnification=s, window=(n, n)))
        bic = bicubic_window(image, region.centre, s, (n, n))
        gallery += [(fit(bic, (tile, tile)), f"bicubic x{s:g} ({n}x{n} px)"),
                    (fit(win, (tile, tile)), f"LIIF x{s:g} ({n}x{n} px)")]
        ours, theirs = cue_values(win, lowres), cue_values(bic, lowres)
        for key, value in ours.items():
            metric, base = iqa.METRICS[key], theirs.get(key)
            rows.append({"Scale": s, "Cue": metric.name, "LIIF": _sig(value), "Bicubic": _sig(base),
                         "Gain over bicubic": _sig(gain(metric, value, base)),
                         "Better": {"higher": "higher", "lower": "lower"}.get(metric.direction, "-")})
    return gallery, pd.DataFrame(rows, columns=SCALE_COLUMNS)


def charted_cues(table: pd.DataFrame) -> list[str]:
    """The cues of a scale table that have a gain to chart, in table order."""
    names = list(dict.fromkeys(table["Cue"])) if len(table) else []
    return [n for n in names if (m := metric_named(n)) is not None and gain_kind(m) is not None]


def gain_chart(table: pd.DataFrame | None, cue: str | None) -> Figure | None:
    """LIIF's gain over bicubic for one cue against the scale, with the bicubic level drawn as a line."""
    metric = metric_named(cue) if cue else None
    if table is None or metric is None or gain_kind(metric) is None:
        return None
    part = pd.DataFrame(table)
    part = part[part["Cue"] == cue]
    part = part.assign(Scale=pd.to_numeric(part["Scale"]), Gain=pd.to_numeric(part["Gain over bicubic"],
                                                                               errors="coerce")).dropna(subset=["Gain"])
    if part.empty:
        return None
    ratio = gain_kind(metric) == "ratio"
    unit = unit_of(metric.range).strip()
    fig = Figure(figsize=(7, 3.6), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.axhline(1.0 if ratio else 0.0, color="0.55", linestyle="--", linewidth=1)
    ax.plot(part["Scale"], part["Gain"], marker="o", color="#4f46e5", linewidth=2)
    for x, y in zip(part["Scale"], part["Gain"], strict=True):
        label = f"{y:.2f}x" if ratio else format_number(y, " " + unit, signed=True)
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=9)
    ax.set_xticks(list(part["Scale"]), [f"x{s:g}" for s in part["Scale"]])
    ax.set_xlabel("scale factor")
    if ratio:
        ax.set_ylabel("LIIF / bicubic")
        title = f"{metric.name}: LIIF as a multiple of bicubic"
    else:
        ax.set_ylabel(f"LIIF - bicubic ({unit})")
        title = f"{metric.name}: LIIF minus bicubic ({unit})"
    ax.set_title(f"{title}\n{metric.direction} is better; dashed line: bicubic", fontsize=10)
    ax.margins(x=0.08, y=0.2)
    ax.grid(axis="y", alpha=0.3)
    return fig


def compare_models(entries: list[tuple[str, liif.Upscaler | None]], image: ImageLike, scale: float,
                   region: Region) -> tuple[list[tuple[Image.Image, str]], pd.DataFrame]:
    """The region at one scale by bicubic (an entry with no upscaler) and by each model, with cues and times."""
    lowres = to_display(image).crop(region.box)
    n = round(region.side * scale)
    tile = min(GALLERY_MAX, n)
    reference = cue_values(bicubic_window(image, region.centre, scale, (n, n)), lowres)
    gallery, rows = [], []
    for label, up in entries:
        started = time.perf_counter()
        if up is None:
            win = bicubic_window(image, region.centre, scale, (n, n))
        else:
            win = to_display(up.render_window(image, center=region.centre, magnification=scale, window=(n, n)))
        seconds = time.perf_counter() - started
        values = cue_values(win, lowres)
        ratio = {key: _sig(gain(iqa.METRICS[key], values.get(key), reference.get(key)))
                 for key in ("laplacian_var", "hf_share")}
        gallery.append((fit(win, (tile, tile)), f"{label} · {seconds:.2f} s"))
        rows.append({"Model": label, "Time (s)": round(seconds, 3),
                     "Edge contrast (x bicubic)": ratio["laplacian_var"],
                     "Fine detail (x bicubic)": ratio["hf_share"],
                     "Consistency (dB)": _sig(values.get("consistency_psnr")),
                     "Colour drift (dE)": _sig(values.get("color_drift"))})
    return gallery, pd.DataFrame(rows, columns=MODEL_COLUMNS)
