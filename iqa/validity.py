"""The validity suite's definitions: altered results, the full-reference truth, agreement.

Can the report be fooled? For an image with its sharp original known, the LIIF output is
compared with *altered* results (over-sharpened, noisy, blurred, compressed, shifted,
colour-cast, nearest-neighbour, plain bicubic). The truth is the full-reference ranking;
every cue is checked for ranking each (LIIF, altered) pair the same way, and every altered
result the truth calls worse must be flagged by a cue's warning and by the verdict.
``benchmarks/iqa_validity.py`` runs it on Set5, Set14 and ``examples/reference``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image
from skimage.filters import unsharp_mask

from liif.resize import pil_bicubic

from .report import Report
from .verdict import judge

__all__ = ["ALTERATIONS", "Alteration", "truth", "cue_agrees", "cue_flags", "verdict_flags",
           "verdict_prefers", "without_reference"]

SEED = 0


def _uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def _unsharp(amount: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def make(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
        bic = pil_bicubic(low, (liif.shape[1], liif.shape[0]))
        return _uint8(unsharp_mask(bic, radius=2, amount=amount, channel_axis=2, preserve_range=True))
    return make


def _noise(sigma: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def make(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(SEED)
        return _uint8(liif + rng.normal(0.0, sigma, liif.shape))
    return make


def _blur(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(liif, (0, 0), 1.5)


def _jpeg(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(liif).save(buffer, "JPEG", quality=30)
    return np.asarray(Image.open(buffer).convert("RGB"))


def _shift(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    # One pixel right and down; the first row and column repeat.
    padded = np.pad(liif, ((1, 0), (1, 0), (0, 0)), mode="edge")
    return np.ascontiguousarray(padded[: liif.shape[0], : liif.shape[1]])


def _cast(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    return _uint8(liif.astype(np.int16) + np.array([8, 0, -8]))


def _bicubic(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    return pil_bicubic(low, (liif.shape[1], liif.shape[0]))


def _nearest(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(low).resize((liif.shape[1], liif.shape[0]), Image.NEAREST))


@dataclass(frozen=True)
class Alteration:
    key: str
    description: str
    make: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (LIIF output, input) -> altered


ALTERATIONS: tuple[Alteration, ...] = (
    Alteration("bicubic", "bicubic enlargement (PIL)", _bicubic),
    Alteration("unsharp_weak", "bicubic + unsharp mask (radius 2, amount 1)", _unsharp(1.0)),
    Alteration("unsharp_strong", "bicubic + unsharp mask (radius 2, amount 2.5)", _unsharp(2.5)),
    Alteration("noise_3", "LIIF + Gaussian noise, sigma 3 per RGB channel", _noise(3.0)),
    Alteration("noise_8", "LIIF + Gaussian noise, sigma 8 per RGB channel", _noise(8.0)),
    Alteration("blur", "LIIF blurred (Gaussian, sigma 1.5 px)", _blur),
    Alteration("jpeg_q30", "LIIF saved as JPEG, quality 30", _jpeg),
    Alteration("shift_1px", "LIIF shifted one pixel right and down", _shift),
    Alteration("colour_cast", "LIIF with a warm cast (R +8, B -8)", _cast),
    Alteration("nearest", "nearest-neighbour enlargement", _nearest),
)

_TRUTH_KEYS = (("psnr_y", "higher"), ("ssim_y", "higher"), ("lpips", "lower"))


def truth(liif: Report, altered: Report) -> str | None:
    """"worse" / "better" when every available full-reference score agrees, else None (mixed)."""
    votes = []
    for key, direction in _TRUTH_KEYS:
        a, b = liif.get(key), altered.get(key)
        if a is None or b is None or not (a.available and b.available):
            continue
        if a.value == b.value:
            return None
        votes.append((b.value > a.value) == (direction == "higher"))
    if not votes:
        raise ValueError("the truth needs PSNR-Y or SSIM rows (assess with a reference)")
    if all(votes):
        return "better"
    return "worse" if not any(votes) else None


def cue_agrees(key: str, liif: Report, altered: Report, verdict: str) -> bool | None:
    """Whether the cue ranks (LIIF, altered) as the truth ``verdict`` does; None if it cannot rank.

    Cues without a better direction (shifts, entropy) are read as "closer to 0 is better"
    only where the range says 0 = unchanged; otherwise they cannot rank.
    """
    a, b = liif.get(key), altered.get(key)
    if a is None or b is None or not (a.available and b.available) or a.value is None or b.value is None:
        return None
    if a.direction == "none":
        if "0 = unchanged" not in a.range:
            return None
        va, vb, higher = abs(a.value), abs(b.value), False
    else:
        va, vb, higher = a.value, b.value, a.direction == "higher"
    if va == vb:
        return False
    altered_better = (vb > va) == higher
    return altered_better == (verdict == "better")


def cue_flags(liif: Report, altered: Report) -> list[str]:
    """Warnings the altered result's rows raise that LIIF's rows do not (row key: warning)."""
    seen = {(r.key, r.warning) for r in liif.rows if r.warning}
    return [f"{r.key}: {r.warning}" for r in altered.rows
            if r.warning and r.group != "full-reference" and (r.key, r.warning) not in seen]


def without_reference(report: Report) -> Report:
    """The report as a user without the original sees it (full-reference rows dropped)."""
    meta = dict(report.meta, reference_size=None)
    return Report([r for r in report.rows if r.group != "full-reference"], meta)


def verdict_flags(liif: Report, altered: Report) -> bool:
    """Without the reference, the verdict reads the altered result as worse than LIIF's or names a new problem."""
    v_liif, v_alt = judge(without_reference(liif)), judge(without_reference(altered))
    return v_liif.better_than(v_alt) or bool(set(v_alt.problems) - set(v_liif.problems))


def verdict_prefers(liif: Report, altered: Report) -> bool:
    """Without the reference, the verdict reads the altered result as better than LIIF."""
    return judge(without_reference(altered)).better_than(judge(without_reference(liif)))
