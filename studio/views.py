"""Display copies of images: 8-bit pictures for the browser, magnified crops, bicubic windows, locators.

Nothing here changes a result: the lossless download keeps the full bit depth; these are what the page shows.
"""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
from PIL import Image, ImageDraw

from liif.engine import window_box
from liif.imageio import ImageLike, from_picture, to_picture

DISPLAY_MODES = ("RGB", "RGBA", "L", "LA")


def size_of(image: ImageLike) -> tuple[int, int]:
    """(width, height) of a PIL image or an (H, W[, C]) array."""
    if isinstance(image, np.ndarray):
        return image.shape[1], image.shape[0]
    return image.size


def to_display(image: ImageLike) -> Image.Image:
    """An 8-bit PIL image (16-bit and float inputs rounded by liif's own conversion; modes kept)."""
    if isinstance(image, Image.Image) and image.mode in DISPLAY_MODES:
        return image
    pic = to_picture(image)
    return from_picture(pic.rgb, pic.alpha, replace(pic, bits=8, as_pil=True, pil_mode=None))


def fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Resize for display: nearest when enlarging (the real pixels stay visible), Lanczos when reducing."""
    if image.size == tuple(size):
        return image
    enlarging = size[0] >= image.size[0] and size[1] >= image.size[1]
    return image.resize(size, Image.Resampling.NEAREST if enlarging else Image.Resampling.LANCZOS)


def enlarge_for_display(image: ImageLike, min_side: int = 256) -> Image.Image:
    """A small picture enlarged by a whole factor (nearest neighbour) so that its shorter side reaches ``min_side``."""
    shown = to_display(image)
    k = max(1, min_side // max(1, min(shown.size)))
    return fit(shown, (shown.width * k, shown.height * k))


def centred_box(size: tuple[int, int], fx: float, fy: float, side: int) -> tuple[int, int, int, int]:
    """A ``side`` x ``side`` box centred on the fractions (fx, fy) of ``size``, moved (not shrunk) to stay inside."""
    w, h = size
    box = window_box(size, (fx * w, fy * h), 1.0, (side, side))
    (r0, r1), (c0, c1) = box.rows, box.cols
    return c0, r0, c1, r1


def crop_side(size: tuple[int, int]) -> int:
    """Side of the magnified crops' region in an output of ``size``: about a quarter of the shorter side, 16 to 128."""
    return max(16, min(128, round(min(size) / 4)))


def _luma(image: ImageLike) -> np.ndarray:
    return np.asarray(to_display(image).convert("L"), dtype=np.float32)


def _peak(energy: np.ndarray, side: int, work: int = 256) -> tuple[float, float]:
    """Centre (fractions of width, height) of the ``side``-pixel square holding the most ``energy``; flat: the centre.

    Only centres whose square lies inside are candidates, since the crops are moved inside the image anyway.
    """
    h, w = energy.shape
    k = max(1.0, max(h, w) / work)  # a box sum on a coarse copy: the square is 16 px or more, the grid ~2 px
    small = cv2.resize(energy, (max(1, round(w / k)), max(1, round(h / k))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    s = int(max(1, min(round(side / k), sh, sw)))
    summed = cv2.boxFilter(small, -1, (s, s), normalize=False, borderType=cv2.BORDER_CONSTANT)
    inside = summed[s // 2: sh - s + s // 2 + 1, s // 2: sw - s + s // 2 + 1]
    top, low = float(inside.max()), float(inside.min())
    if not np.isfinite(top) or top - low <= 1e-6 * max(top, 1e-12):  # no place stands out
        return 0.5, 0.5
    i, j = np.unravel_index(int(np.argmax(inside)), inside.shape)
    return round(float(j + s // 2 + 0.5) / sw, 3), round(float(i + s // 2 + 0.5) / sh, 3)


def detail_point(bicubic: ImageLike, result: ImageLike, side: int) -> tuple[float, float]:
    """Where the model adds most fine detail over bicubic: the richest ``side``-pixel square's centre, as fractions."""
    diff = _luma(result) - _luma(bicubic)
    high = diff - cv2.GaussianBlur(diff, (0, 0), 2.0)  # detail, not a tone shift between the two
    return _peak(high * high, side)


def textured_point(image: ImageLike, side: int) -> tuple[float, float]:
    """The most textured ``side``-pixel square of an input (local gradient energy), as fractions; flat: the centre."""
    y = _luma(image)
    gx, gy = cv2.Sobel(y, cv2.CV_32F, 1, 0), cv2.Sobel(y, cv2.CV_32F, 0, 1)
    return _peak(gx * gx + gy * gy, side)


def magnified_crops(bicubic: ImageLike, result: ImageLike, fx: float, fy: float,
                    panel: int = 256) -> tuple[Image.Image, Image.Image, int]:
    """The same region of the bicubic and LIIF outputs around (fx, fy), enlarged by a whole factor for display.

    Returns (bicubic crop, LIIF crop, factor); the region is about a quarter of the shorter side, 16 to 128 px.
    """
    bicubic, result = to_display(bicubic), to_display(result)
    w, h = result.size
    side = crop_side((w, h))
    box = centred_box((w, h), fx, fy, side)
    cw, ch = box[2] - box[0], box[3] - box[1]
    zoom = max(1, panel // max(cw, ch))
    shown = (cw * zoom, ch * zoom)
    return fit(bicubic.crop(box), shown), fit(result.crop(box), shown), zoom


def bicubic_window(image: ImageLike, center: tuple[float, float], magnification: float,
                   window: tuple[int, int]) -> Image.Image:
    """The bicubic counterpart of ``Upscaler.render_window``: PIL bicubic over the same input box only."""
    shown = to_display(image)
    box = window_box(shown.size, center, magnification, window)
    return shown.resize(box.size, Image.Resampling.BICUBIC, box=box.input_box)


def locator(image: ImageLike, input_box: tuple[float, float, float, float], side: int = 256) -> Image.Image:
    """The input, enlarged to about ``side`` px, with the window's box drawn on it in red."""
    shown = to_display(image).convert("RGB")
    w, h = shown.size
    k = max(1, side // max(w, h))
    shown = fit(shown, (w * k, h * k))
    x0, y0, x1, y1 = input_box
    ImageDraw.Draw(shown).rectangle([x0 * k, y0 * k, max(x0 * k, x1 * k - 1), max(y0 * k, y1 * k - 1)],
                                    outline=(255, 40, 40), width=2)
    return shown
