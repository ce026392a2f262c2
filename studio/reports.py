"""An ``iqa.Report`` as the page shows it: the verdict first, a readable table, one line for what is missing.

The verdict is ``report.verdict`` (computed by ``iqa``) when the report has one; until then the readings of
the headline scores stand in for it. The HTML reads as a table on a wide screen and as a list on a phone
(``CSS``).
"""
from __future__ import annotations

import json
import math
import re
from html import escape
from typing import Any

import numpy as np
from PIL import Image

from iqa import Report, Score
from liif.imageio import ImageLike

# The demo's smallest input: iqa refuses images under 2x2 (``iqa.images.to_rgb_array``), and every tab
# measures cues on what it renders; liif itself would enlarge a 1x1 image.
MIN_INPUT_SIDE = 2
PICTURE_TITLES = {"spectrum": "Spectrum", "detail": "Detail added", "tone": "Tone"}

GROUP_TITLES = {
    "sharpness": "Sharpness",
    "consistency": "Kept from the input (detail, texture, pixels)",
    "tone": "Tone",
    "no-reference": "No-reference metrics (pyiqa)",
    "clip-clarity": "CLIP: does it read clearly?",
    "clip-tone": "CLIP: tone",
    "clip-emotion": "CLIP: feeling (AIGI-VC emotions)",
    "semantic": "CLIP: still the same picture?",
    "full-reference": "Against the reference",
}
# Stand-in verdict until iqa's Report.verdict exists: the readings of these scores, in this order.
HEADLINE_KEYS = ("psnr_y", "laplacian_var", "consistency_psnr", "color_drift", "clip_clarity", "semantic_retention")
_UNITS = ((r"\bdB\b", " dB"), (r"\bdE\b", " dE"), (r"L\*", " L*"), (r"%", "%"), (r"\bbits\b", " bits"))
_BETTER = {"higher": "higher", "lower": "lower"}


def unit_of(range_text: str) -> str:
    """The unit stated in a catalogue range ("0 to unbounded dB" -> " dB"; dE, L*, %, bits), or ''."""
    for pattern, unit in _UNITS:
        if re.search(pattern, range_text):
            return unit
    return ""


def format_number(value: float | None, unit: str = "", signed: bool = False) -> str:
    """Three significant figures (dB: two decimals), no exponent, thousands grouped, with the unit; '-' if None."""
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "identical (inf)" if value > 0 else "n/a"
    magnitude = abs(value)
    if unit == " dB":  # PSNR differences of a few hundredths matter
        text = f"{value:.2f}"
    elif magnitude >= 100:
        text = f"{value:,.0f}"
    elif magnitude == 0:
        text = "0"
    else:
        decimals = max(0, 2 - math.floor(math.log10(magnitude)))
        text = f"{value:.{decimals}f}"
    if signed and value > 0:
        text = "+" + text
    return text + unit


def format_score(score: Score, value: float | None) -> str:
    """A value of ``score`` (its own or its baseline's) with its unit; shifts are signed."""
    unit = unit_of(score.range)
    return format_number(value, unit, signed=score.direction == "none" and unit in (" L*", "%"))


def verdict(report: Report) -> str:
    """The plain-language summary shown above the report: ``report.verdict`` or the headline readings."""
    given = getattr(report, "verdict", None)
    if isinstance(given, str) and given.strip():
        return given.strip()
    readings = [s.reading for key in HEADLINE_KEYS if (s := report.get(key)) is not None and s.available]
    return ("Compared with bicubic at the same size: " + "; ".join(readings) + ".") if readings else ""


def ordered_rows(report: Report, reference_first: bool = False) -> list[Score]:
    """The available rows, full-reference scores first when asked (the reference tab)."""
    rows = [s for s in report.rows if s.available and s.value is not None]
    if reference_first:
        rows.sort(key=lambda s: s.group != "full-reference")  # stable: the catalogue order is kept otherwise
    return rows


def _why(reason: str) -> str:
    if "reference" in reason:
        return "need a reference image (use the With a reference tab)"
    if "weights" in reason or "prefetch" in reason:
        return "need model weights that are not on this server yet"
    return "could not be computed for this image"


def cost_line(report: Report, slowest: int = 3) -> str:
    """'Computed in 0.9 s; slowest rows: PIQE 0.21 s, ...' from the report's meta ('' without timings)."""
    costs = report.meta.get("row_seconds") or {}
    if "seconds" not in report.meta or not costs:
        return ""
    names = {row.key: row.name for row in report.rows}
    top = sorted(costs.items(), key=lambda kv: -kv[1])[:slowest]
    return (f"Computed in {report.meta['seconds']:.2f} s; slowest rows: "
            + ", ".join(f"{names.get(key, key)} {seconds:.2f} s" for key, seconds in top) + ".")


def unavailable_line(report: Report, fetch_note: str = "") -> str:
    """One sentence naming the scores not shown and why; ``fetch_note`` says how the weights are coming."""
    missing: dict[str, list[str]] = {}
    for s in report.rows:
        if not s.available:
            missing.setdefault(_why(s.reason), []).append(s.name)
    if not missing:
        return ""
    parts = [f"{', '.join(dict.fromkeys(names))} {why}" for why, names in missing.items()]
    return "Not shown: " + "; ".join(parts) + "." + (f" {fetch_note}" if fetch_note else "")


def clearly_better(score: Score, margin: float = 0.01) -> bool:
    """LIIF beats bicubic on this score by more than ``margin`` (relative): worth showing in bold."""
    if not score.better_than_baseline or score.value is None or score.baseline is None:
        return False
    if not (math.isfinite(score.value) and math.isfinite(score.baseline)):
        return True
    return abs(score.value - score.baseline) > margin * max(abs(score.baseline), 1e-12)


def _cells(score: Score) -> list[tuple[str, str]]:
    value = escape(format_score(score, score.value))
    if clearly_better(score):
        value = f"<strong>{value}</strong>"
    return [("Score", f'<span title="{escape(score.range)}">{escape(score.name)}</span>'),
            ("LIIF", value),
            ("Bicubic", escape(format_score(score, score.baseline))),
            ("Better", escape(_BETTER.get(score.direction, "-"))),
            ("Reading", escape(score.reading))]


def report_html(report: Report | None, fetch_note: str = "", reference_first: bool = False) -> str:
    """The report as HTML: verdict, table of available scores (grouped), the unavailable line."""
    if report is None:
        return ""
    out = ['<div class="studio-report">']
    summary = verdict(report)
    if summary:
        out.append(f'<p class="studio-verdict">{escape(summary)}</p>')
    condition = report.meta.get("input_condition")
    if condition:  # what the input had been through, and what became of it
        out.append(f'<p class="studio-input">{escape(condition[0].upper() + condition[1:])}.</p>')
    headers = ("Score", "LIIF", "Bicubic (same size)", "Better", "Reading")
    out.append("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr></thead><tbody>")
    group = None
    for score in ordered_rows(report, reference_first):
        if score.group != group:
            group = score.group
            title = GROUP_TITLES.get(group, group.replace("-", " ").capitalize())
            out.append(f'<tr class="studio-group"><th colspan="5">{escape(title)}</th></tr>')
        out.append("<tr>" + "".join(f'<td data-label="{label}">{cell}</td>' for label, cell in _cells(score)) + "</tr>")
    out.append("</tbody></table>")
    line = unavailable_line(report, fetch_note)
    if line:
        # `command` in the text is shown as code
        out.append('<p class="studio-unavailable">' + re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(line)) + "</p>")
    cost = cost_line(report)
    if cost:  # what each part of the report costs, so a slow row is seen, not guessed
        out.append(f'<p class="studio-cost">{escape(cost)}</p>')
    out.append("</div>")
    return "\n".join(out)


def too_small(name: str, size: tuple[int, int]) -> str | None:
    """The sentence for an input under ``MIN_INPUT_SIDE`` pixels a side, or None when it is large enough."""
    w, h = size
    if min(w, h) >= MIN_INPUT_SIDE:
        return None
    return (f"{name} is {w}x{h} pixels, too small: this demo needs at least {MIN_INPUT_SIDE}x{MIN_INPUT_SIDE} "
            "pixels to measure its cues; upload a larger image.")


def pictures(output: ImageLike, lowres: ImageLike) -> list[tuple[Image.Image, str]]:
    """``iqa.report.plots``' three pictures (spectrum, detail added, tone) as images, each with its titled caption."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from iqa.report import plots

    def rgb(image: ImageLike) -> np.ndarray:
        shown = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
        return np.asarray(shown.convert("RGB"))

    out = []
    for plot in plots.figures(rgb(output), rgb(lowres)):
        canvas = FigureCanvasAgg(plot.figure)  # drawn here, without pyplot's global state
        canvas.draw()
        picture = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
        out.append((picture, f"{PICTURE_TITLES.get(plot.name, plot.name.capitalize())}: {plot.caption}"))
    return out


def report_json(report: Report | None) -> dict[str, Any] | None:
    """The report as strict JSON data, with the verdict at the top."""
    if report is None:
        return None
    data = json.loads(report.to_json())
    return {"verdict": verdict(report), **data}


# Wide screens: a table. Phones: each row becomes a small card of "label: value" lines.
CSS = """
.studio-report table { width: 100%; border-collapse: collapse; font-size: 0.92em; border: none; }
.studio-report tr { border: none; }
.studio-report th, .studio-report td { text-align: left; padding: 4px 8px; vertical-align: top; border: none;
  border-bottom: 1px solid var(--border-color-primary); }
.studio-report thead th { white-space: nowrap; }
.studio-report tr.studio-group th { padding-top: 12px; font-weight: 600;
  border-bottom: 2px solid var(--border-color-primary); }
.studio-report td[data-label="LIIF"], .studio-report td[data-label="Bicubic"] { white-space: nowrap; }
.studio-verdict { font-size: 1.08em; padding: 10px 12px; margin: 0 0 8px 0; border-radius: 6px;
  background: var(--color-accent-soft); }
.studio-unavailable, .studio-cost { font-size: 0.88em; color: var(--body-text-color-subdued); margin-top: 8px; }
@media (max-width: 700px) {
  .studio-report thead { display: none; }
  .studio-report tr { display: block; padding: 6px 0; border-bottom: 1px solid var(--border-color-primary); }
  .studio-report td { display: block; border: none; padding: 1px 4px; }
  .studio-report tr.studio-group { border-bottom: none; }
  .studio-report td[data-label="Score"] { font-weight: 600; }
  .studio-report td:not([data-label="Score"])::before { content: attr(data-label) ": ";
    color: var(--body-text-color-subdued); }
  .studio-report tr.studio-group th { display: block; }
}
"""


def warm_up() -> bool:
    """A report and its pictures of a tiny made image, so the first visitor does not wait for imports.

    The first report of a process imports pyiqa, scikit-image's colour code and matplotlib and creates its
    metrics (seconds); done at start-up, in the background, a visitor's first click costs what later ones do.
    False (logged) when it fails: a warm-up must never take the server down.
    """
    import logging

    import iqa
    from liif.resize import pil_bicubic

    try:
        low = np.asarray(Image.linear_gradient("L").resize((32, 32)).convert("RGB"))
        out = pil_bicubic(low, (128, 128))
        iqa.assess(out, low)
        pictures(out, low)
        return True
    except Exception as exc:  # noqa: BLE001 - a request will say why, if it fails there too
        logging.getLogger(__name__).warning("report warm-up skipped: %s", exc)
        return False
