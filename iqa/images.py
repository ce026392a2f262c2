"""Image helpers: every image inside ``iqa`` is an HxWx3 uint8 numpy array."""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["ImageInputError", "to_rgb_array", "resize_bicubic", "center_crop", "luma"]


class ImageInputError(ValueError):
    """An image ``iqa`` cannot assess; the message says what is wrong."""


def to_rgb_array(image, what: str = "image") -> np.ndarray:
    """PIL image or HxW / HxWx{1,3,4} numpy array -> HxWx3 uint8 (alpha dropped)."""
    if isinstance(image, Image.Image):
        if image.mode != "RGB":
            image = image.convert("RGB")
        array = np.asarray(image, dtype=np.uint8)
    elif isinstance(image, np.ndarray):
        array = image
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
            raise ImageInputError(
                f"{what}: expected an HxWx3 array, got shape {tuple(image.shape)}"
            )
        if array.dtype != np.uint8:
            if np.issubdtype(array.dtype, np.floating) and array.size and array.max() <= 1.0:
                raise ImageInputError(
                    f"{what}: got float values in [0, 1]; pass uint8 in [0, 255]"
                )
            array = np.clip(np.rint(array), 0, 255).astype(np.uint8)
        if array.shape[2] == 1:
            array = np.repeat(array, 3, axis=2)
        elif array.shape[2] == 4:
            array = array[:, :, :3]
    else:
        raise ImageInputError(
            f"{what}: expected a PIL image or a numpy array, got {type(image).__name__}"
        )
    if array.shape[0] < 2 or array.shape[1] < 2:
        raise ImageInputError(f"{what}: image is too small ({array.shape[1]}x{array.shape[0]})")
    return np.ascontiguousarray(array)


def resize_bicubic(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bicubic resize with PIL (antialiased when shrinking); size is (width, height)."""
    if (array.shape[1], array.shape[0]) == tuple(size):
        return array.copy()
    return np.asarray(Image.fromarray(array).resize(tuple(size), Image.BICUBIC))


def center_crop(array: np.ndarray, max_side: int) -> np.ndarray:
    """The centre crop of at most ``max_side`` pixels per side (no copy when smaller)."""
    h, w = array.shape[:2]
    ch, cw = min(h, max_side), min(w, max_side)
    top, left = (h - ch) // 2, (w - cw) // 2
    return array[top : top + ch, left : left + cw]


def luma(array: np.ndarray) -> np.ndarray:
    """BT.601 luma Y' = 0.299 R + 0.587 G + 0.114 B, float64 in [0, 255]."""
    return array.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
