"""``iqa``'s view of an image: an HxWx3 uint8 array, made by the engine's image layer.

Loading, modes, bit depths and the array contract are ``liif.imageio``'s (one loader, one contract);
the bicubic baseline is ``liif.resize.pil_bicubic``; luma is ``liif.imageio.luma_bt601``. This module
adds what only assessment needs: the two-pixel minimum and the centre crop of the large-image policy.
"""

from __future__ import annotations

import numpy as np

from liif.errors import InputError
from liif.imageio import ImageLike, to_rgb8

__all__ = ["ImageInputError", "to_rgb_array", "center_crop"]



class ImageInputError(InputError):
    """An image ``iqa`` cannot assess; the message says what is wrong."""


def to_rgb_array(image: ImageLike, what: str = "image") -> np.ndarray:
    """An image of ``liif.imageio``'s contract (PIL, or uint8 / uint16 / float [0, 1] array) as HxWx3 uint8."""
    if not isinstance(image, np.ndarray) and not hasattr(image, "mode"):
        raise ImageInputError(f"{what}: expected a PIL image or a numpy array, got {type(image).__name__}")
    try:
        array = to_rgb8(image, what)
    except InputError as error:
        raise ImageInputError(str(error)) from None
    if array.shape[0] < 2 or array.shape[1] < 2:
        raise ImageInputError(f"{what}: image is too small ({array.shape[1]}x{array.shape[0]})")
    return array


def center_crop(array: np.ndarray, max_side: int) -> np.ndarray:
    """The centre crop of at most ``max_side`` pixels per side (no copy when smaller)."""
    h, w = array.shape[:2]
    ch, cw = min(h, max_side), min(w, max_side)
    top, left = (h - ch) // 2, (w - cw) // 2
    return array[top : top + ch, left : left + cw]
