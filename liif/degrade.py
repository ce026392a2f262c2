"""Degradations of a low-resolution image: what real uploads carry (JPEG, noise, blur, chroma subsampling).

Training (``liif train --degrade real``) draws a random chain per patch after the clean bicubic
low-resolution patch is made, in the spirit of BSRGAN's shuffled degradations and Real-ESRGAN's
first order, but kept faithful: the target stays the clean original, the loss stays L1. Evaluation
(``liif eval --degrade jpeg75``) applies one fixed, named degradation to every low-resolution input.
Each step works on 8-bit RGB, the form real inputs arrive in, and draws only from the ``rng`` it is given.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .errors import InputError


def jpeg(rgb: np.ndarray, quality: int, subsampling: int = 2) -> np.ndarray:
    """Encode and decode with PIL's JPEG at ``quality`` (1-95); subsampling 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=int(quality), subsampling=int(subsampling))
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("RGB")).copy()


def gaussian_blur(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """An isotropic Gaussian blur of ``sigma`` pixels (a soft lens or a camera's anti-aliasing)."""
    if sigma <= 0:
        return rgb
    import cv2

    return cv2.GaussianBlur(rgb, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT101)


def gaussian_noise(rgb: np.ndarray, sigma: float, rng: np.random.Generator, luma_only: bool = False) -> np.ndarray:
    """Additive Gaussian noise of ``sigma`` grey levels; ``luma_only``: the same noise on the three channels."""
    shape = rgb.shape[:2] + (1,) if luma_only else rgb.shape
    noisy = rgb.astype(np.float32) + rng.normal(0.0, sigma, shape).astype(np.float32)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def poisson_noise(rgb: np.ndarray, scale: float, rng: np.random.Generator, luma_only: bool = False) -> np.ndarray:
    """Shot noise: brighter pixels get more (variance = value x scale, in grey levels); as Real-ESRGAN's."""
    x = rgb.astype(np.float32)
    base = x.mean(axis=2, keepdims=True) if luma_only else x
    lam = np.maximum(base / max(scale, 1e-6), 0)
    noise = (rng.poisson(lam).astype(np.float32) - lam) * scale
    return np.clip(np.rint(x + noise), 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class RealDegradation:
    """The training recipe: probabilities and ranges of each step (defaults: issue 30's recipe)."""

    clean_share: float = 0.15  # patches left as they are: the model must still serve clean inputs
    blur_prob: float = 0.3
    blur_sigma: tuple[float, float] = (0.2, 1.5)
    noise_prob: float = 0.5
    noise_sigma: tuple[float, float] = (0.0, 10.0)  # grey levels
    poisson_share: float = 0.3  # of the noisy patches: shot noise instead of Gaussian
    poisson_scale: tuple[float, float] = (0.05, 0.4)  # variance per grey level (sigma ~ 3 to 10 at mid-grey)
    luma_noise_share: float = 0.4
    jpeg_prob: float = 0.85
    jpeg_quality: tuple[int, int] = (30, 95)
    double_jpeg_prob: float = 0.2
    subsampling_choices: tuple[int, ...] = (0, 1, 2, 2)  # 4:2:0 most often, as cameras and PIL save

    def __call__(self, rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One random chain applied to an 8-bit RGB patch (blur and noise in a random order, then JPEG)."""
        if rng.random() < self.clean_share:
            return rgb
        steps = []
        if rng.random() < self.blur_prob:
            sigma = rng.uniform(*self.blur_sigma)
            steps.append(lambda x, s=sigma: gaussian_blur(x, s))
        if rng.random() < self.noise_prob:
            luma = bool(rng.random() < self.luma_noise_share)
            if rng.random() < self.poisson_share:
                scale = rng.uniform(*self.poisson_scale)
                steps.append(lambda x, s=scale, g=luma: poisson_noise(x, s, rng, g))
            else:
                sigma = rng.uniform(*self.noise_sigma)
                steps.append(lambda x, s=sigma, g=luma: gaussian_noise(x, s, rng, g))
        if len(steps) == 2 and rng.random() < 0.5:  # BSRGAN: the order of the first steps is shuffled
            steps.reverse()
        for step in steps:
            rgb = step(rgb)
        if rng.random() < self.jpeg_prob:
            sub = int(rng.choice(self.subsampling_choices))
            rgb = jpeg(rgb, int(rng.integers(self.jpeg_quality[0], self.jpeg_quality[1] + 1)), sub)
            if rng.random() < self.double_jpeg_prob:  # re-saved once more, as shared photos often are
                rgb = jpeg(rgb, int(rng.integers(self.jpeg_quality[0], self.jpeg_quality[1] + 1)), sub)
        return rgb


RECIPES = {"real": RealDegradation}


def named(condition: str, seed: int = 0) -> Callable[[np.ndarray], np.ndarray]:
    """A fixed evaluation condition by name: clean, jpegQ (e.g. jpeg75, 4:2:0 as PIL saves), noiseS (sigma S)."""
    if condition == "clean":
        return lambda rgb: rgb
    if condition.startswith("jpeg") and condition[4:].isdigit():
        quality = int(condition[4:])
        return lambda rgb: jpeg(rgb, quality)
    if condition.startswith("noise") and condition[5:].replace(".", "", 1).isdigit():
        sigma = float(condition[5:])
        return lambda rgb: gaussian_noise(rgb, sigma, np.random.default_rng(seed))
    raise InputError(f"unknown degradation {condition!r}: use clean, jpegQ (e.g. jpeg75) or noiseS (e.g. noise5)")
