"""The verdict: one or two plain sentences that weigh a report's scores.

Rules (tested in ``tests/test_iqa_verdict.py``, measured on the validity suite):

* With a reference, the full-reference scores lead: closer to or further from the
  truth than bicubic (PSNR-Y, SSIM; LPIPS/DISTS when present).
* The sharpness level comes from the edge contrast (Laplacian variance, else Tenengrad,
  else the high-frequency share) as a gain over bicubic: "sharper" from +10%, "softer"
  from -10%, else "no sharper".
* The verdict says "sharper" only when nothing explains the gain away: no row warns of
  added noise, halos, blocks or pixelation, consistency with the input holds, colours
  are kept and a JPEG input's blocks are not magnified. Otherwise it names what was added
  ("sharper-looking, but with added noise") or changed ("it magnifies the input's JPEG blocks").
* CLIP clarity and semantic retention are quoted when their weights are present; a deep row's warning
  becomes a problem only once the validity suite has shown it agrees with the truth (``JUDGED_DEEP_ROWS``).
* An input too small (under 8 pixels a side) or too flat (luma spread under 1 grey level) gets
  no judgement: "Too small to judge: ..." (``iqa.assess.not_judged``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .rows import Rows, Score

__all__ = ["ADDED", "JUDGED_DEEP_ROWS", "Verdict", "judge"]

# Warnings that say the enlargement *added* something (named after "with").
ADDED = ("added noise", "halos", "block artefacts", "pixelation", "banding")
_SHARPNESS_KEYS = ("laplacian_var", "tenengrad", "hf_share")
_LEVEL_RANK = {"softer": 0, "same": 1, "sharper": 2}
_FR_KEYS = ("psnr_y", "ssim_y", "lpips", "dists")
# Groups whose warnings the verdict does not list as problems: sharpness sets the level; the reference leads
# on its own; saliency "moved" on 23 clean x8 outputs of the validity suite (a model's new detail changes a
# glance-level map against bicubic's blur), so it is reported, not judged.
_NOT_JUDGED = ("sharpness", "full-reference", "saliency")
# Deep rows (CLIP, pyiqa's learned metrics) enter the problems only once the validity suite has measured that
# they agree with the truth (benchmarks/iqa_validity.py reports each one's agreement where its weights are
# present). None has been measured yet: their weights were absent where the suite ran. They are still quoted.
JUDGED_DEEP_ROWS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Verdict:
    """The verdict's text and the judgement behind it (for comparisons and tests)."""

    text: str
    level: str | None  # "sharper" | "same" | "softer"; None without a sharpness cue
    problems: tuple[str, ...]  # every warning raised outside sharpness and reference rows
    reference: str | None = None  # "closer" | "further" | "mixed"; None without a reference

    @property
    def clean(self) -> bool:
        """True when no row warns of anything added or changed."""
        return not self.problems

    def rank(self) -> tuple[int, int, int]:
        """Ordering used by :meth:`better_than`: reference, then clean, then sharpness level."""
        ref = {"closer": 2, "mixed": 1, None: 1, "further": 0}[self.reference]
        return ref, int(self.clean), _LEVEL_RANK.get(self.level or "same", 1)

    def better_than(self, other: Verdict) -> bool:
        """Whether this verdict reads better than ``other`` (strictly)."""
        return self.rank() > other.rank()


def _available(report: Rows, key: str) -> Score | None:
    row = report.get(key)
    return row if row is not None and row.available and row.value is not None else None


def _level(report: Rows) -> tuple[str | None, str]:
    for key in _SHARPNESS_KEYS:
        row = _available(report, key)
        if row is None or row.baseline is None or not row.baseline > 0 or not math.isfinite(row.value):
            continue
        ratio = row.value / row.baseline
        noun = {"laplacian_var": "edge contrast", "tenengrad": "edge strength",
                "hf_share": "fine-detail energy"}[key]
        level = "softer" if row.warning == "softer than bicubic" else (
            "same" if row.warning else "sharper")
        return level, f"{ratio:.1f}x the {noun} of bicubic"
    return None, ""


def _reference(report: Rows) -> tuple[str | None, str]:
    rows = [r for r in (_available(report, k) for k in _FR_KEYS) if r is not None and r.baseline is not None]
    if not rows:
        return None, ""
    better = [r.better_than_baseline for r in rows]
    state = "closer" if all(b is not False for b in better) and any(better) else (
        "further" if not any(better) else "mixed")
    parts = []
    for r in rows:
        if r.key == "psnr_y":
            parts.append(f"PSNR-Y {r.value:.2f} dB ({r.value - r.baseline:+.2f} over bicubic)"
                         if math.isfinite(r.value) else "PSNR-Y identical")
        elif r.key == "ssim_y":
            parts.append(f"SSIM {r.value:.3f} ({r.value - r.baseline:+.3f})")
        else:
            parts.append(f"{r.name} {r.value:.3f} (bicubic {r.baseline:.3f})")
    words = {"closer": "closer to the reference than bicubic",
             "further": "further from the reference than bicubic",
             "mixed": "against the reference, mixed"}[state]
    return state, f"{words[0].upper()}{words[1:]}: {', '.join(parts)}."


def _deep(key: str) -> bool:
    from .catalog import METRICS  # the catalogue imports the compute functions, which never import the verdict

    metric = METRICS.get(key.split(".")[0])
    return metric is not None and (metric.learned or metric.kind == "clip")


def _problems(report: Rows) -> tuple[str, ...]:
    seen: list[str] = []
    for row in report.rows:
        if not row.available or not row.warning or row.group in _NOT_JUDGED:
            continue
        if _deep(row.key) and row.key not in JUDGED_DEEP_ROWS:
            continue
        if row.warning not in seen:
            seen.append(row.warning)
    # What was added first (in ADDED's order: banding last, as plateaus come with pixelation or blocks too),
    # then what changed.
    return tuple(sorted(seen, key=lambda w: (w not in ADDED, ADDED.index(w) if w in ADDED else seen.index(w))))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# How the headline says what changed (a verb phrase after "it").
_CHANGED = {
    "departs from the input": "departs from the input",
    "texture lost": "smooths away the input's texture",
    "resolution lost": "holds no detail beyond twice the input's resolution",
    "colour shift": "shifts the colours",
    "brightness changed": "changes the brightness",
    "contrast changed": "changes the contrast",
    "colourfulness changed": "changes the colourfulness",
    "saliency moved": "moves what draws the eye",
    "JPEG blocks magnified": "magnifies the input's JPEG blocks",
    "reads less clear than bicubic": "reads less clear than bicubic to CLIP",
}


def _headline(level: str | None, problems: tuple[str, ...]) -> str:
    added = [p.replace("added ", "") for p in problems if p in ADDED]
    changed = [_CHANGED.get(p, p) for p in problems if p not in ADDED]
    head = {"sharper": "Sharper than bicubic", "same": "No sharper than bicubic",
            "softer": "Softer than bicubic", None: "Compared with bicubic"}[level]
    if not problems:
        return head
    if level == "sharper":
        head = "Sharper-looking, but"
    else:
        head += ","
    clauses = []
    if added:
        clauses.append("with added " + _join(added))
    if changed:
        clauses.append("it " + _join(changed))
    return head + " " + ", and ".join(clauses)


def _details(report: Rows, level_text: str, problems: tuple[str, ...]) -> list[str]:
    details = [level_text] if level_text else []
    for key in ("noise_sigma", "halo_overshoot", "jpeg_blockiness", "pixel_grid"):
        row = _available(report, key)
        if row is not None and row.warning:
            details.append(row.reading)
    if not any(p in ADDED for p in problems) and any(
            _available(report, k) is not None for k in ("noise_sigma", "halo_overshoot", "jpeg_blockiness")):
        details.append("no added noise, halos or blocks")
    row = _available(report, "consistency_psnr")
    if row is not None:
        held = "departs from the input" if row.warning else "faithful to the input"
        value = "exact" if math.isinf(row.value) else f"{row.value:.1f} dB"
        details.append(f"{held} ({value} shrunk back, bicubic {row.baseline:.1f})"
                       if row.baseline is not None and math.isfinite(row.baseline) else f"{held} ({value} shrunk back)")
    row = _available(report, "color_drift")
    if row is not None:
        details.append(f"colours {'shifted' if row.warning else 'unchanged'} ({row.value:.1f} dE)")
    return details


def _clip(report: Rows) -> str:
    parts = []
    row = _available(report, "clip_clarity")
    if row is not None and row.baseline is not None:
        reads = "reads less clear than bicubic" if row.warning else (
            "reads clearer than bicubic" if row.value > row.baseline else "reads as clear as bicubic")
        parts.append(f"{reads} ({row.value:.2f} vs {row.baseline:.2f})")
    row = _available(report, "semantic_retention")
    if row is not None:
        parts.append(f"{'same picture' if row.value >= 0.9 else 'content changed'} ({row.value:.2f})")
    return "CLIP: " + ", ".join(parts) if parts else ""


def judge(report: Rows) -> Verdict:
    """The verdict for a report (any :class:`~iqa.rows.Rows`): text plus the level, problems and reference judgement."""
    why = report.meta.get("not_judged")
    if why:  # a tiny or one-colour input: no ratio against bicubic means anything there
        return Verdict(why[0].upper() + why[1:] + ".", None, ())
    reference, lead = _reference(report)
    level, level_text = _level(report)
    problems = _problems(report)
    body = _headline(level, problems)
    details = _details(report, level_text, problems)
    if details:
        body += ": " + ", ".join(details)
    clip = _clip(report)
    if clip:
        body += "; " + clip
    text = (lead + " " if lead else "") + body + "."
    return Verdict(text, level, problems, reference)
