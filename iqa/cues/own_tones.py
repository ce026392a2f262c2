"""The input in a candidate's own tones: the input as it would look with the candidate's tone changes made to it.

Two rows compare a candidate's fine structure with the input's (texture kept, detail beyond twice the input's
resolution). A gamma, a contrast or saturation change, a vignette or a local brightening moves
every level the candidate holds, and must not read as texture or detail lost: each row compares with the
input carried into the candidate's tones by one least-squares map, fitted once per assessment.
"""
from __future__ import annotations

import numpy as np

from liif.imageio import luma_bt601

from .base import Views

__all__ = ["TONE_FIT_PIXELS", "input_in_own_tones", "place_terms", "tone_features", "tone_matched"]

# Pixels the colour-to-luma map is fitted on (a regular sample): ample for its 21 terms.
TONE_FIT_PIXELS = 20_000


def tone_features(rgb: np.ndarray) -> np.ndarray:
    """The terms of ``tone_matched``'s colour-to-luma map for each pixel of an RGB image: (H*W, 21)."""
    x = rgb.reshape(-1, 3).astype(np.float64) / 255.0
    r, g, b = x.T
    y = x @ np.array([0.299, 0.587, 0.114])
    colour = [np.ones_like(r), r, g, b, r * r, g * g, b * b, r * g, r * b, g * b, y ** 3]
    # A smooth gain and offset over the frame (quadratic in position, -1 to 1 across it): a vignette darkens the
    # corners by a factor, a local edit lifts a region; both move the tones, neither the texture (issue 35).
    h, w = rgb.shape[:2]
    v, u = (a.reshape(-1) for a in np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij"))
    place = place_terms(u, v)
    return np.stack([*colour, *place, *(p * y for p in place)], axis=1)


def place_terms(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
    """A quadratic over the frame less its constant: what a tone map's gain or offset varies by (u, v in -1..1)."""
    return u, v, u * u, v * v, u * v


def tone_matched(lowres: np.ndarray, shrunk: np.ndarray, features: np.ndarray | None = None) -> np.ndarray:
    """The input's luma as ``shrunk`` renders its colours: a colour-to-luma map smooth over the frame, least squares.

    ``shrunk`` is an enlargement shrunk back to the input's size (both HxWx3 uint8). After a gamma,
    contrast or saturation change, a vignette or a local brightening, its luma differs from the input's,
    and the texture measure must not read that as texture gained or lost: the map (quadratic in R, G, B,
    plus the cube of luma, with a gain and an offset quadratic in position) carries the input into the
    candidate's tones, and nothing finer. ``features``: ``tone_features(lowres)``, when several candidates
    are matched to one input.
    """
    features = tone_features(lowres) if features is None else features
    target = luma_bt601(shrunk).reshape(-1)
    step = max(1, features.shape[0] // TONE_FIT_PIXELS)
    coef, *_ = np.linalg.lstsq(features[::step], target[::step], rcond=None)
    return (features @ coef).reshape(lowres.shape[:2]).astype(np.float32)


def input_in_own_tones(views: Views) -> dict[str, np.ndarray]:
    """The input's luma in each candidate's tones ("output", "bicubic": ``tone_matched`` to its shrunk-back self), once.

    Texture retention and detail beyond 2x both read the input as each candidate renders it.
    """
    def make() -> dict[str, np.ndarray]:
        features = tone_features(views.lowres)
        out, bic = views.both(lambda shrunk: tone_matched(views.lowres, shrunk, features), of="shrunk")
        return {"output": out, "bicubic": bic}
    return views.shared("input_in_own_tones", make)
