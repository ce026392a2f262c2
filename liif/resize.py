"""The two resize kernels of the project, one function each; every caller says which it uses.

* :func:`pil_bicubic`: Pillow's bicubic (antialiased when shrinking). The *display* kernel: the bicubic
  baseline shown and scored next to LIIF (``iqa``, the demo), and shrinking outputs back.
* :func:`imresize`: MATLAB-compatible bicubic (the SR literature's degradation). The *benchmark
  protocol* kernel: ``liif eval``, training pairs and the demo's reference tab.
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

__all__ = ["pil_bicubic", "imresize"]


def pil_bicubic(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Pillow bicubic resize of an HxW or HxWxC array (uint8, or float32 per channel) to ``size`` = (width, height)."""
    size = (int(size[0]), int(size[1]))
    if (array.shape[1], array.shape[0]) == size:
        return array.copy()
    if array.dtype == np.uint8 and (array.ndim == 2 or array.shape[2] in (3, 4)):
        return np.asarray(Image.fromarray(array).resize(size, Image.Resampling.BICUBIC))
    # Other types go channel by channel through Pillow's 32-bit float mode, so nothing is quantised.
    planes = array.astype(np.float32)
    planes = planes[..., None] if planes.ndim == 2 else planes
    out = np.dstack([np.asarray(Image.fromarray(np.ascontiguousarray(planes[..., c]), mode="F")
                                .resize(size, Image.Resampling.BICUBIC)) for c in range(planes.shape[2])])
    return out[..., 0] if array.ndim == 2 else out


def imresize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize a (B, C, H, W) float tensor to ``size`` = (h, w) like MATLAB's imresize (bicubic, antialiased)."""
    # pyiqa's package import is slow (it loads every architecture), so import the module lazily.
    from pyiqa.matlab_utils.resize import imresize as _imresize

    return _imresize(x.contiguous(), sizes=size)
