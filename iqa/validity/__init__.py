"""The validity suite's definitions: altered results, the truth, the right reasons, false alarms, splits.

Can the report be fooled? For an image with its sharp original known, a model's output is
compared with *altered* results (over-sharpened, noisy, blurred, compressed, shifted, tone-changed,
smoothed, down-then-up, posterised, nearest-neighbour, plain bicubic). The truth is the
full-reference ranking. Every altered result the truth calls worse must be flagged by the
no-reference verdict *for the right reason* (:func:`verdict_reason`; each alteration names the
warnings and sharpness levels that count), and a clean model output the truth ranks at least as
good as bicubic must not be flagged at all (:func:`false_alarm`). Thresholds are fitted on one
split of images and the figures reported on another (:func:`make_splits`).
``benchmarks/iqa_validity.py`` runs it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import color
from skimage.filters import unsharp_mask

from liif.resize import pil_bicubic

from ..report.rows import Rows
from ..report.verdict import ADDED, Verdict, judge

__all__ = [
    "ALTERATIONS", "Alteration", "TONE_REASONS", "TONE_FORBIDDEN", "alteration",
    "truth", "cue_agrees", "cue_flags", "verdict_flags", "verdict_prefers", "without_reference",
    "verdict_signals", "verdict_reason", "at_least_bicubic", "false_alarm",
    "SplitConfig", "Splits", "make_splits", "crop_to_multiple", "make_pair",
    "posterise", "smooth_mask", "gamma", "contrast", "saturation", "down_up",
]

SEED = 0
_LEVEL_RANK = {"softer": 0, "same": 1, "sharper": 2}


def _uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- alterations
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


def _median(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    return cv2.medianBlur(np.ascontiguousarray(liif), 5)


def _bilateral(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    # Edge-preserving: flattens texture while the edges (and so the edge-contrast cues) survive.
    return cv2.bilateralFilter(np.ascontiguousarray(liif), 9, 40, 5)


def down_up(image: np.ndarray, factor: int = 2) -> np.ndarray:
    """The image reduced ``factor`` times with antialiasing (PIL bicubic) and enlarged back by bicubic."""
    h, w = image.shape[:2]
    small = pil_bicubic(image, (max(1, round(w / factor)), max(1, round(h / factor))))
    return pil_bicubic(small, (w, h))


def _down_up(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    return down_up(liif, 2)


def posterise(image: np.ndarray, bits: int) -> np.ndarray:
    """Keep the top ``bits`` bits of every channel (``x & ~mask``): at most 2**bits levels each."""
    mask = (1 << (8 - bits)) - 1
    return image & np.uint8(0xFF ^ mask)


def _posterise(bits: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def make(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
        return posterise(liif, bits)
    return make


def smooth_mask(image: np.ndarray, window: int = 7, spread: float = 3.0) -> np.ndarray:
    """Where the image is a smooth gradient: local luma standard deviation under ``spread`` grey levels."""
    luma = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.blur(luma, (window, window))
    var = cv2.blur(luma * luma, (window, window)) - mean * mean
    return np.sqrt(np.maximum(var, 0)) < spread


def _posterise_smooth(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
    # Banding where it shows (skies, walls): 4 bits, rounded to the nearest level so that the mean
    # brightness does not move, only in smooth areas, so that only a banding cue can see it.
    step = 1 << 4
    levels = _uint8(np.minimum(np.rint(liif / step) * step, 255 - (255 % step)))
    return np.where(smooth_mask(liif)[..., None], levels, liif)


def gamma(image: np.ndarray, power: float) -> np.ndarray:
    """255 * (x / 255) ** power per channel (power < 1 brightens the mid-tones)."""
    return _uint8(255.0 * (image / 255.0) ** power)


def contrast(image: np.ndarray, factor: float) -> np.ndarray:
    """Contrast scaled by ``factor`` about mid-grey (127.5), per channel, clipped to 0-255."""
    return _uint8(127.5 + factor * (image.astype(np.float64) - 127.5))


def saturation(image: np.ndarray, factor: float) -> np.ndarray:
    """Chroma scaled by ``factor`` in CIELAB (lightness and hue kept, out-of-gamut colours clipped)."""
    lab = color.rgb2lab(image)
    lab[..., 1:] *= factor
    return _uint8(255.0 * np.clip(color.lab2rgb(lab), 0, 1))


_Make = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (model output, input) -> altered result


def _tone(fn: Callable[[np.ndarray, float], np.ndarray], amount: float) -> _Make:
    def make(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
        return fn(liif, amount)
    return make


# What counts as the right reason (warning names of the rows, or the verdict's sharpness level).
SOFTER = frozenset({"softer", "same", "texture lost", "resolution lost"})
TONE_REASONS = frozenset({"brightness changed", "contrast changed", "colourfulness changed", "colour shift",
                          "departs from the input"})
# A tone-only change must be named as one and nothing else: an added artefact, banding or lost detail is wrong.
TONE_FORBIDDEN = frozenset(ADDED) | {"banding", "softer", "texture lost", "resolution lost"}
# Posterisation rounds every pixel by up to half a step: quantisation noise, which shows as noise in textured
# flat areas (a drawing's hatching) where no smooth gradient shows it as bands.
BANDING = frozenset({"banding", "added noise", "colour shift", "departs from the input", "contrast changed",
                     "brightness changed"})


@dataclass(frozen=True)
class Alteration:
    """An altered result made from a model output and its input, and which verdict reasons are right for it."""

    key: str
    description: str
    make: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (model output, input) -> altered
    reasons: frozenset[str] = frozenset()  # warnings / levels that flag it for the right reason
    forbidden: frozenset[str] = frozenset()  # warnings / levels that are wrong even beside a right one
    family: str = "artefact"  # artefact | detail | banding | tone | geometry


ALTERATIONS: tuple[Alteration, ...] = (
    Alteration("bicubic", "bicubic enlargement (PIL)", _bicubic, SOFTER, family="detail"),
    # Sharpened bicubic: no detail beyond bicubic's band, only amplified ("resolution lost" is true of it too).
    Alteration("unsharp_weak", "bicubic + unsharp mask (radius 2, amount 1)", _unsharp(1.0),
               frozenset({"halos", "added noise", "resolution lost"})),
    # Strong over-sharpening no longer shrinks back to the input: departing from it is a true reason too.
    Alteration("unsharp_strong", "bicubic + unsharp mask (radius 2, amount 2.5)", _unsharp(2.5),
               frozenset({"halos", "added noise", "departs from the input", "resolution lost"})),
    Alteration("noise_3", "output + Gaussian noise, sigma 3 per RGB channel", _noise(3.0),
               frozenset({"added noise"})),
    Alteration("noise_8", "output + Gaussian noise, sigma 8 per RGB channel", _noise(8.0),
               frozenset({"added noise"})),
    Alteration("blur", "output blurred (Gaussian, sigma 1.5 px)", _blur, SOFTER, family="detail"),
    # JPEG at quality 30: 8x8 blocks, ringing beside edges, flattened texture and stepped gradients; its chroma
    # is kept at half the resolution (4:2:0, PIL's and OpenCV's default) and quantised coarsest: colours shift and
    # thin coloured strokes lose or gain colourfulness.
    Alteration("jpeg_q30", "output saved as JPEG, quality 30", _jpeg,
               frozenset({"block artefacts", "halos", "ringing", "banding", "colour shift", "colourfulness changed"})
               | SOFTER),
    Alteration("shift_1px", "output shifted one pixel right and down", _shift,
               frozenset({"departs from the input"}), family="geometry"),
    Alteration("colour_cast", "output with a warm cast (R +8, B -8)", _cast, TONE_REASONS, TONE_FORBIDDEN,
               family="tone"),
    Alteration("nearest", "nearest-neighbour enlargement", _nearest,
               frozenset({"pixelation", "block artefacts"})),
    # A 5x5 median also erases what is thinner than its window (a drawn stroke's ends, dots, hairlines): what it
    # erased no longer shrinks back to the input, so departing from it is a true reason too (as strong unsharp).
    Alteration("median_5", "output median-filtered, 5x5 (texture smoothed)", _median,
               SOFTER | {"departs from the input"}, family="detail"),
    # A bilateral filter flattens smooth ramps into plateaus with steps between them (the staircasing effect of
    # neighbourhood filters: Buades, Coll and Morel, IEEE TIP 15(6), 2006): fewer grey levels than bicubic's in
    # smooth areas is true of it (urban img_021: 17% of them), as it is of posterisation.
    Alteration("bilateral", "output bilateral-filtered (d 9, sigma colour 40, sigma space 5)", _bilateral,
               SOFTER | {"banding"}, family="detail"),
    Alteration("down_up_2", "output reduced x2 (antialiased bicubic) and enlarged back (bicubic)", _down_up,
               SOFTER, family="detail"),
    Alteration("posterise_5", "output posterised to 5 bits per channel (x & ~7)", _posterise(5), BANDING,
               family="banding"),
    Alteration("posterise_4", "output posterised to 4 bits per channel (x & ~15)", _posterise(4), BANDING,
               family="banding"),
    Alteration("posterise_smooth", "output's smooth areas (local luma std < 3) rounded to 4 bits per channel",
               _posterise_smooth, BANDING, family="banding"),
    Alteration("gamma_0.75", "output with gamma 0.75 (brighter mid-tones)", _tone(gamma, 0.75), TONE_REASONS,
               TONE_FORBIDDEN, family="tone"),
    Alteration("contrast_1.35", "output's contrast x1.35 about mid-grey", _tone(contrast, 1.35), TONE_REASONS,
               TONE_FORBIDDEN, family="tone"),
    Alteration("saturation_1.5", "output's chroma x1.5 in CIELAB", _tone(saturation, 1.5), TONE_REASONS,
               TONE_FORBIDDEN, family="tone"),
)


def alteration(key: str) -> Alteration:
    """The alteration of ``key`` (a ValueError names the known ones)."""
    for a in ALTERATIONS:
        if a.key == key:
            return a
    raise ValueError(f"unknown alteration {key!r}; known: {', '.join(a.key for a in ALTERATIONS)}")


# --------------------------------------------------------------------------- truth and cues
_TRUTH_KEYS = (("psnr_y", "higher"), ("ssim_y", "higher"), ("lpips", "lower"))


def truth(liif: Rows, altered: Rows) -> str | None:
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


def cue_agrees(key: str, liif: Rows, altered: Rows, verdict: str) -> bool | None:
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


def cue_flags(liif: Rows, altered: Rows) -> list[str]:
    """Warnings the altered result's rows raise that LIIF's rows do not (row key: warning)."""
    seen = {(r.key, r.warning) for r in liif.rows if r.warning}
    return [f"{r.key}: {r.warning}" for r in altered.rows
            if r.warning and r.group != "full-reference" and (r.key, r.warning) not in seen]


def without_reference(report: Rows) -> Rows:
    """The report as a user without the original sees it (full-reference rows dropped)."""
    meta = dict(report.meta, reference_size=None)
    return type(report)([r for r in report.rows if r.group != "full-reference"], meta)


def verdict_flags(liif: Rows, altered: Rows) -> bool:
    """Without the reference, the verdict reads the altered result as worse than LIIF's or names a new problem."""
    v_liif, v_alt = judge(without_reference(liif)), judge(without_reference(altered))
    return v_liif.better_than(v_alt) or bool(set(v_alt.problems) - set(v_liif.problems))


def verdict_prefers(liif: Rows, altered: Rows) -> bool:
    """Without the reference, the verdict reads the altered result as better than LIIF."""
    return judge(without_reference(altered)).better_than(judge(without_reference(liif)))


# --------------------------------------------------------------------------- reasons
def verdict_signals(liif: Verdict, altered: Verdict) -> frozenset[str]:
    """What the altered verdict says against it: problems LIIF's does not name, and its level when lower."""
    signals = set(altered.problems) - set(liif.problems)
    rank = _LEVEL_RANK.get
    if altered.level is not None and liif.level is not None and rank(altered.level, 1) < rank(liif.level, 1):
        signals.add(altered.level)
    return frozenset(signals)


def verdict_reason(liif_report: Rows, altered_report: Rows, alteration: Alteration) -> str:
    """"right", "wrong" or "missed": why the no-reference verdict flags the altered result, if it does.

    Wrong: a forbidden reason is given (an added artefact for a tone-only change), or the verdict
    flags it only for reasons that are not the alteration's. Right: at least one of its reasons.
    """
    signals = verdict_signals(judge(without_reference(liif_report)), judge(without_reference(altered_report)))
    if signals & alteration.forbidden:
        return "wrong"
    if signals & alteration.reasons:
        return "right"
    return "wrong" if signals else "missed"


# --------------------------------------------------------------------------- false alarms
def at_least_bicubic(report: Rows) -> bool:
    """Whether the full-reference truth ranks the output at least as good as bicubic (PSNR-Y and SSIM)."""
    rows = [report.get(k) for k in ("psnr_y", "ssim_y")]
    if any(r is None or not r.available or r.value is None or r.baseline is None for r in rows):
        raise ValueError("needs PSNR-Y and SSIM rows with their bicubic baselines (assess with a reference)")
    return all(r.value >= r.baseline for r in rows)


def false_alarm(report: Rows) -> Verdict | None:
    """The no-reference verdict when it raises a problem or reads "softer" on an output at least as good as bicubic."""
    if not at_least_bicubic(report):
        return None
    verdict = judge(without_reference(report))
    return verdict if verdict.problems or verdict.level == "softer" else None


# --------------------------------------------------------------------------- splits
@dataclass(frozen=True)
class SplitConfig:
    """How the fit split is drawn and how a high-resolution image becomes a test pair."""

    fit_every: int = 5  # every n-th image of the fit pool, in sorted order ...
    fit_count: int = 40  # ... up to this many
    multiple: int = 24  # HR cropped to a multiple of this, so that x2, x3, x4 and x8 all divide it
    scales: tuple[int, ...] = (2, 3, 4, 8)


@dataclass(frozen=True)
class Splits:
    """The images thresholds are fitted on and the held-out images the figures are reported on."""

    fit: tuple[Path, ...]
    held_out: tuple[Path, ...]
    config: SplitConfig = field(default_factory=SplitConfig)


def make_splits(fit_pool: Iterable[Path], held_out: Iterable[Path], config: SplitConfig | None = None) -> Splits:
    """Every ``fit_every``-th image of the sorted fit pool (up to ``fit_count``) and the held-out images.

    Deterministic (the order the paths come in does not matter); a ValueError when an image is in both.
    """
    config = config or SplitConfig()
    pool = sorted(Path(p) for p in fit_pool)
    fit = tuple(pool[:: config.fit_every][: config.fit_count])
    held = tuple(sorted(Path(p) for p in held_out))
    overlap = {p.resolve() for p in fit} & {p.resolve() for p in held}
    if overlap:
        raise ValueError(f"fit and held-out splits share {len(overlap)} images: {sorted(map(str, overlap))[:3]}")
    return Splits(fit, held, config)


def crop_to_multiple(hr: np.ndarray, multiple: int) -> np.ndarray:
    """The top-left crop whose sides are multiples of ``multiple`` (a ValueError when none is left)."""
    h, w = hr.shape[0] // multiple * multiple, hr.shape[1] // multiple * multiple
    if not (h and w):
        raise ValueError(f"a {hr.shape[1]}x{hr.shape[0]} image has no crop that is a multiple of {multiple}")
    return np.ascontiguousarray(hr[:h, :w])


def make_pair(hr: np.ndarray, scale: int) -> np.ndarray:
    """The low-resolution input of ``hr`` at ``scale`` (antialiased PIL bicubic); the sides must divide."""
    h, w = hr.shape[:2]
    if h % scale or w % scale:
        raise ValueError(f"{w}x{h} is not divisible by {scale}")
    return pil_bicubic(hr, (w // scale, h // scale))

