"""Damage the validity suite had not seen (issue 35): impulses, dead and hot pixels, ringing, chroma bleed and
shift, aliasing, vignetting, a local tone edit, and two damages combined.

Each maker takes (model output, input), both HxWx3 uint8, and returns the damaged output; randomness is
seeded, so a damaged result is the same on every run. ``TRANSFER_DAMAGES`` lists them as
:class:`~iqa.validity.Alteration` s with the verdict reasons that are right for each, in the vocabulary the
verdict speaks today; the isolated-pixel reason ("isolated pixels") is the one issue 35's impulse cue adds.
"""
from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from . import SOFTER, TONE_FORBIDDEN, TONE_REASONS, Alteration

Make = Callable[[np.ndarray, np.ndarray], np.ndarray]
SEED = 35  # issue 35's damages: one seed for all, apart from the suite's own


def _uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def _pick(shape: tuple[int, int], share: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of ``share`` of the pixels, distinct, drawn by ``rng``."""
    h, w = shape
    n = max(1, round(share * h * w))
    flat = rng.choice(h * w, size=n, replace=False)
    return flat // w, flat % w


def impulse(image: np.ndarray, share: float = 0.003) -> np.ndarray:
    """Salt and pepper: ``share`` of the pixels set to black and as many to white (issue 35: 0.3% each)."""
    rng = np.random.default_rng(SEED)
    out = image.copy()
    rows, cols = _pick(image.shape[:2], 2 * share, rng)
    half = len(rows) // 2
    out[rows[:half], cols[:half]] = 0
    out[rows[half:], cols[half:]] = 255
    return out


def dead_and_hot(image: np.ndarray, share: float = 0.001) -> np.ndarray:
    """A sensor's stuck pixels: ``share`` dead (black) and as many hot (one channel at 255, the others kept)."""
    rng = np.random.default_rng(SEED + 1)
    out = image.copy()
    rows, cols = _pick(image.shape[:2], 2 * share, rng)
    half = len(rows) // 2
    out[rows[:half], cols[:half]] = 0
    channel = rng.integers(0, 3, len(rows) - half)
    out[rows[half:], cols[half:], channel] = 255
    return out


def ringing(image: np.ndarray, cutoff: float = 0.35) -> np.ndarray:
    """Gibbs ringing: an ideal (brick-wall) low-pass keeping ``cutoff`` of the Nyquist band in each axis."""
    h, w = image.shape[:2]
    fy, fx = np.abs(np.fft.fftfreq(h))[:, None] * 2, np.abs(np.fft.rfftfreq(w))[None, :] * 2
    keep = (fy <= cutoff) & (fx <= cutoff)
    spectrum = np.fft.rfft2(image.astype(np.float64), axes=(0, 1))
    return _uint8(np.fft.irfft2(spectrum * keep[..., None], s=(h, w), axes=(0, 1)))


def _ycrcb(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2YCrCb).astype(np.float32)


def _rgb(ycc: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(_uint8(ycc), cv2.COLOR_YCrCb2RGB)


def chroma_bleed(image: np.ndarray, sigma: float = 3.0) -> np.ndarray:
    """Colour that bleeds across edges: both chroma planes blurred (Gaussian ``sigma`` px), luma kept."""
    ycc = _ycrcb(image)
    ycc[..., 1:] = cv2.GaussianBlur(ycc[..., 1:], (0, 0), sigma)
    return _rgb(ycc)


def chroma_shift(image: np.ndarray, pixels: int = 3) -> np.ndarray:
    """Misregistered colour: both chroma planes moved ``pixels`` right and down, luma kept."""
    ycc = _ycrcb(image)
    shifted = np.pad(ycc[..., 1:], ((pixels, 0), (pixels, 0), (0, 0)), mode="edge")
    ycc[..., 1:] = shifted[: ycc.shape[0], : ycc.shape[1]]
    return _rgb(ycc)


def aliasing(image: np.ndarray, factor: int = 3) -> np.ndarray:
    """Aliasing and moire: every ``factor``-th pixel kept with no low-pass first, then enlarged back (bilinear)."""
    h, w = image.shape[:2]
    small = np.ascontiguousarray(image[::factor, ::factor])
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def vignetting(image: np.ndarray, strength: float = 0.35) -> np.ndarray:
    """Corners darkened: brightness times 1 - ``strength`` * r^2, r = 1 at the corners (a wide lens' falloff)."""
    h, w = image.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r2 = ((y - (h - 1) / 2) ** 2 + (x - (w - 1) / 2) ** 2) / (((h - 1) / 2) ** 2 + ((w - 1) / 2) ** 2)
    return _uint8(image * (1 - strength * r2)[..., None])


def local_tone(image: np.ndarray, lift: float = 25.0) -> np.ndarray:
    """A local edit: a soft-edged ellipse in the upper left brightened by up to ``lift`` grey levels."""
    h, w = image.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    d = ((y - h * 0.35) / (h * 0.25)) ** 2 + ((x - w * 0.35) / (w * 0.25)) ** 2
    weight = np.clip(1.5 - d, 0, 1)  # full inside the ellipse, fading to nothing over half its radius
    return _uint8(image + lift * weight[..., None])


def noisy_jpeg(image: np.ndarray) -> np.ndarray:
    """Two damages combined, as a phone's night shot: Gaussian noise (sigma 4) then JPEG at quality 50."""
    rng = np.random.default_rng(SEED + 2)
    noisy = _uint8(image + rng.normal(0.0, 4.0, image.shape))
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(noisy, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 50])
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def blur_and_impulse(image: np.ndarray) -> np.ndarray:
    """Two damages combined: a soft result (Gaussian blur, sigma 1.2 px) with salt and pepper on it."""
    return impulse(cv2.GaussianBlur(np.ascontiguousarray(image), (0, 0), 1.2))


def _on_output(fn: Callable[[np.ndarray], np.ndarray]) -> Make:
    def make(liif: np.ndarray, low: np.ndarray) -> np.ndarray:
        return fn(liif)
    return make


ISOLATED = frozenset({"isolated pixels", "added noise"})  # the impulse cue's warning; noise is not wrong for them
COLOUR = frozenset({"colour shift", "colourfulness changed"})

TRANSFER_DAMAGES: tuple[Alteration, ...] = (
    Alteration("impulse", "salt and pepper: 0.3% of pixels black, 0.3% white", _on_output(impulse), ISOLATED),
    Alteration("dead_hot", "stuck pixels: 0.1% dead (black), 0.1% hot (one channel at 255)",
               _on_output(dead_and_hot), ISOLATED),
    Alteration("ringing", "Gibbs ringing: ideal low-pass at 0.35 of Nyquist", _on_output(ringing),
               frozenset({"halos", "ringing"}) | SOFTER),
    # Bled colour crosses the edges: shrunk back, the result's colours depart from the input's there (as a shift's).
    Alteration("chroma_bleed", "chroma planes blurred (sigma 3 px), luma kept", _on_output(chroma_bleed),
               COLOUR | {"departs from the input"}, TONE_FORBIDDEN - COLOUR, family="tone"),
    Alteration("chroma_shift", "chroma planes moved 3 px right and down, luma kept", _on_output(chroma_shift),
               COLOUR | {"departs from the input"}, TONE_FORBIDDEN - COLOUR, family="tone"),
    Alteration("aliasing", "every 3rd pixel kept without low-pass, enlarged back (bilinear)", _on_output(aliasing),
               frozenset({"pixelation", "block artefacts", "departs from the input", "added noise"}) | SOFTER),
    Alteration("vignetting", "corners darkened (x(1 - 0.35 r^2))", _on_output(vignetting),
               TONE_REASONS | {"departs from the input"}, TONE_FORBIDDEN, family="tone"),
    Alteration("local_tone", "a soft ellipse in the upper left brightened by up to 25 grey levels",
               _on_output(local_tone), TONE_REASONS | {"departs from the input"}, TONE_FORBIDDEN, family="tone"),
    Alteration("noisy_jpeg", "Gaussian noise (sigma 4), then JPEG quality 50", _on_output(noisy_jpeg),
               frozenset({"added noise", "block artefacts", "banding", "halos", "ringing"}) | COLOUR | SOFTER),
    Alteration("blur_impulse", "blurred (sigma 1.2 px), then salt and pepper 0.3% + 0.3%",
               _on_output(blur_and_impulse), ISOLATED | SOFTER),
)
